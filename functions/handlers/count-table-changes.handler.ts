import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbOpenPaymentStatsStore } from "../adapters/dynamodb/open-payment-stats-store.js";
import { changeOfStreamRecord } from "../adapters/dynamodb/stream-records.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { countTableChangesEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { countTableChanges } from "../use-cases/open-payment-stats.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = countTableChangesEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const businessMetrics = new EmfBusinessMetrics(metrics);
const stats = new DynamoDbOpenPaymentStatsStore(db, env.TABLE_NAME);

/**
 * The table's change stream (payment items and settlement-file days, filtered by the event source)
 * → the open-payment counters. The event source's tumbling window puts the batch's `shardId` in the
 * event: each shard is a lane whose watermark makes a retried or split batch count only what was
 * not counted yet. The window's state is not used (returned empty, as the window requires).
 */
const countChanges = async (event: DynamoDBStreamEvent & { shardId?: string }) => {
  const result = await countTableChanges(
    event.Records.map(changeOfStreamRecord),
    { stats, metrics: businessMetrics },
    { lane: event.shardId },
  );
  logger.debug("table changes counted", { ...result });
  return { ...result, state: {} };
};

export const handler = settlewatchHandler(countChanges, { businessMetrics });
