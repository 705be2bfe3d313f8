import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod";
import { systemClock } from "../adapters/clock/system-clock.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { EmfSmsMetrics } from "../adapters/metrics/emf-sms-metrics.js";
import { awsNoticeSender, awsSmsPacing } from "../adapters/sms/aws-notice-sender.js";
import { NOTICE_CHANNELS } from "../domain/notification/channels.js";
import { notifyEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { deliverNotice } from "../use-cases/deliver-notice.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = notifyEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const businessMetrics = new EmfBusinessMetrics(metrics);
const smsMetrics = new EmfSmsMetrics(metrics);
const deps = {
  notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
  merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
  sender: awsNoticeSender(env),
  smsPacing: awsSmsPacing(env, db),
  clock: systemClock,
  metrics: businessMetrics,
  smsMetrics,
};
const messageSchema = z.strictObject({
  noticeId: z.string().regex(/^[0-9a-f]{64}$/),
  channel: z.enum(NOTICE_CHANNELS),
});
const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = messageSchema.parse(JSON.parse(record.body));
  const outcome = await deliverNotice(message, deps);
  logger.info("notice handled", { noticeId: message.noticeId, channel: message.channel, outcome });
}

/** SQS → notice senders. A failed record is reported back (partial batch response) and retried. */
const notify = async (event: SQSEvent, context: Context) =>
  await processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });

const flushBoth = () => {
  businessMetrics.flush();
  smsMetrics.flush();
};
export const handler = settlewatchHandler(notify, { businessMetrics: { flush: flushBoth } });
