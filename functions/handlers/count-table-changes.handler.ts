import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import middy from "@middy/core";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbOpenPaymentStatsStore } from "../adapters/dynamodb/open-payment-stats-store.js";
import { changeOfStreamRecord } from "../adapters/dynamodb/stream-records.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { countTableChangesEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { countTableChanges } from "../use-cases/open-payment-stats.js";

const env = countTableChangesEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const businessMetrics = new EmfBusinessMetrics(metrics);
const stats = new DynamoDbOpenPaymentStatsStore(db, env.TABLE_NAME);

/**
 * The table's change stream (payment items and settlement-file days, filtered by the event source)
 * → the open-payment counters. A failed batch is retried whole by Lambda; the per-change markers
 * make the retry count only what was not counted yet.
 */
const countChanges = async (event: DynamoDBStreamEvent) => {
  try {
    const result = await countTableChanges(event.Records.map(changeOfStreamRecord), {
      stats,
      metrics: businessMetrics,
    });
    logger.debug("table changes counted", { ...result });
    return result;
  } finally {
    businessMetrics.flush();
  }
};

export const handler = middy(countChanges).use(injectLambdaContext(logger)).use(logMetrics(metrics));
