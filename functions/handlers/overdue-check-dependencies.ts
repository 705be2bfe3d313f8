import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { systemClock } from "../adapters/clock/system-clock.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { DynamoDbOpenPaymentStatsStore } from "../adapters/dynamodb/open-payment-stats-store.js";
import { DynamoDbOverdueStore } from "../adapters/dynamodb/overdue-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { SqsNoticeQueue } from "../adapters/sqs/sqs-notice-queue.js";
import { checkConfigFromEnv } from "../shared/check-config.js";
import type { CheckOverdueEnv } from "../shared/env.js";
import { metrics } from "../shared/observability.js";

/** Wires the overdue check (and the open-payment gauges it reports) to AWS, once per Lambda container. */
export function awsOverdueCheckDependencies(env: CheckOverdueEnv) {
  const db = documentClient(new DynamoDBClient({}));
  const businessMetrics = new EmfBusinessMetrics(metrics);
  const check = {
    overdue: new DynamoDbOverdueStore(db, env.TABLE_NAME),
    notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
    merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
    fileDays: new DynamoDbFileDayLedger(db, env.TABLE_NAME),
    queue: new SqsNoticeQueue(new SQSClient({}), env.NOTICE_QUEUE_URL),
    clock: systemClock,
    metrics: businessMetrics,
    config: checkConfigFromEnv(env),
  };
  return { check, openPaymentStats: new DynamoDbOpenPaymentStatsStore(db, env.TABLE_NAME), businessMetrics };
}
