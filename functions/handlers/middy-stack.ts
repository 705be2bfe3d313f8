import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { logger, metrics } from "../shared/observability.js";

/** Counters summed in memory during an invocation (EmfBusinessMetrics), written once at its end. */
interface FlushableMetrics {
  flush(): void;
}

/** Writes the business metrics after every invocation, a failed one too, and logs what failed it. */
function businessMetricsAndErrors(businessMetrics: FlushableMetrics | undefined): MiddlewareObj {
  return {
    after: async () => {
      businessMetrics?.flush();
    },
    onError: async (request) => {
      businessMetrics?.flush();
      logger.error("invocation failed", { error: request.error as Error });
    },
  };
}

/**
 * The one middleware stack every settlewatch Lambda runs in: the Powertools logger with the
 * Lambda context, Powertools metrics published at the end, business metrics flushed and
 * uncaught errors logged (then rethrown, so Lambda, SQS or Step Functions retry). No tracer
 * middleware: Powertools Tracer adds 132.5 KB to every bundle (docs/benchmarks.md), so tracing is
 * Lambda's active X-Ray tracing on the request-path functions (infra/stacks/api-stack.ts).
 */
export function settlewatchHandler<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  options: { businessMetrics?: FlushableMetrics } = {},
) {
  return middy(handler)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(businessMetricsAndErrors(options.businessMetrics));
}
