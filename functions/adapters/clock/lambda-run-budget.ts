import type { Context } from "aws-lambda";
import type { RunBudget } from "../../use-cases/ports.js";

/**
 * The run's time left, from the Lambda context (not the business clock, which `--as-of` fixes).
 * `reserveMs` is kept for finishing cleanly: a checkpoint written before the timeout kills the run.
 */
export function lambdaRunBudget(
  context: Pick<Context, "getRemainingTimeInMillis">,
  reserveMs: number,
): RunBudget {
  return { pastDeadline: () => context.getRemainingTimeInMillis() < reserveMs };
}
