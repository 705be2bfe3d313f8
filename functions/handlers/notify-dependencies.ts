import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
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
import { metrics } from "../shared/observability.js";
import type { DeliverNoticeDeps } from "../use-cases/deliver-notice.js";

/** One queue message: which notice on which channel (the notice itself is read from the table). */
export const noticeMessageSchema = z.strictObject({
  noticeId: z.string().regex(/^[0-9a-f]{64}$/),
  channel: z.enum(NOTICE_CHANNELS),
});

/** The notifier's wiring from its environment: the table, the senders, SMS pacing and both metric sinks. */
export function notifyDependencies(): { deps: DeliverNoticeDeps; flushMetrics: () => void } {
  const env = notifyEnvSchema.parse(process.env);
  const db = documentClient(new DynamoDBClient({}));
  const businessMetrics = new EmfBusinessMetrics(metrics);
  const smsMetrics = new EmfSmsMetrics(metrics);
  const deps: DeliverNoticeDeps = {
    notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
    merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
    sender: awsNoticeSender(env),
    smsPacing: awsSmsPacing(env, db),
    clock: systemClock,
    metrics: businessMetrics,
    smsMetrics,
  };
  const flushMetrics = () => {
    businessMetrics.flush();
    smsMetrics.flush();
  };
  return { deps, flushMetrics };
}
