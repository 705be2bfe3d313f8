import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { CloudWatchLogsEvent } from "aws-lambda";
import { systemClock } from "../adapters/clock/system-clock.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { logRecordsOf } from "../adapters/logs/cloudwatch-logs-records.js";
import { EmfSmsMetrics } from "../adapters/metrics/emf-sms-metrics.js";
import { snsReports } from "../domain/notification/delivery-report.js";
import { smsDeliveryLogsEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { recordDeliveryReports } from "../use-cases/record-delivery-reports.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = smsDeliveryLogsEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const smsMetrics = new EmfSmsMetrics(metrics);
const deps = {
  notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
  merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
  clock: systemClock,
  metrics: smsMetrics,
  config: { dueShards: env.DUE_SHARDS },
};

/** SNS SMS delivery-status logs (CloudWatch Logs subscription filter) → DELIVERED / FAILED on the notice. */
const smsDeliveryLogs = async (event: CloudWatchLogsEvent) => {
  const batch = snsReports(logRecordsOf(event));
  if ("error" in batch) throw new Error(batch.error);
  for (const _ of batch.skipped) smsMetrics.count("SmsReportsIgnored", "sns");
  const counts = await recordDeliveryReports(batch.reports, deps);
  logger.info("sns delivery logs recorded", { ...counts, skipped: batch.skipped.length });
  return counts;
};

export const handler = settlewatchHandler(smsDeliveryLogs, { businessMetrics: smsMetrics });
