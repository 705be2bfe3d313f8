import type { Context } from "aws-lambda";
import { lambdaRunBudget } from "../adapters/clock/lambda-run-budget.js";
import { checkOverdueEnvSchema } from "../shared/env.js";
import { logger } from "../shared/observability.js";
import { reportOpenPayments } from "../use-cases/open-payment-stats.js";
import { runOverdueCheck } from "../use-cases/run-overdue-check.js";
import { settlewatchHandler } from "./middy-stack.js";
import { awsOverdueCheckDependencies } from "./overdue-check-dependencies.js";

const env = checkOverdueEnvSchema.parse(process.env);
const { check, openPaymentStats, businessMetrics } = awsOverdueCheckDependencies(env);

/**
 * EventBridge schedule → one overdue check, then the open-payment gauges (one point per run for the
 * dashboard). Stops 20 s before the Lambda timeout; the next run resumes.
 */
const checkOverdue = async (_event: unknown, context: Context) => {
  const report = await runOverdueCheck(check, { budget: lambdaRunBudget(context, 20_000) });
  const openPayments = await reportOpenPayments({ stats: openPaymentStats, gauges: businessMetrics });
  logger.info("overdue check done", { report, openPayments: openPayments.acquirers });
  return { ...report, openPayments };
};

export const handler = settlewatchHandler(checkOverdue, { businessMetrics });
