import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { lambdaRunBudget } from "../adapters/clock/lambda-run-budget.js";
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
import { checkOverdueEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { reportOpenPayments } from "../use-cases/open-payment-stats.js";
import { runOverdueCheck } from "../use-cases/run-overdue-check.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = checkOverdueEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const businessMetrics = new EmfBusinessMetrics(metrics);
const deps = {
  overdue: new DynamoDbOverdueStore(db, env.TABLE_NAME),
  notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
  merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
  fileDays: new DynamoDbFileDayLedger(db, env.TABLE_NAME),
  queue: new SqsNoticeQueue(new SQSClient({}), env.NOTICE_QUEUE_URL),
  clock: systemClock,
  metrics: businessMetrics,
  config: checkConfigFromEnv(env),
};
const openPaymentStats = new DynamoDbOpenPaymentStatsStore(db, env.TABLE_NAME);

/**
 * EventBridge schedule → one overdue check, then the open-payment gauges (one point per run for the
 * dashboard). Stops 20 s before the Lambda timeout; the next run resumes.
 */
const checkOverdue = async (_event: unknown, context: Context) => {
  const report = await runOverdueCheck(deps, { budget: lambdaRunBudget(context, 20_000) });
  const openPayments = await reportOpenPayments({ stats: openPaymentStats, gauges: businessMetrics });
  logger.info("overdue check done", { report, openPayments: openPayments.acquirers });
  return { ...report, openPayments };
};

export const handler = settlewatchHandler(checkOverdue, { businessMetrics });
