import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import middy from "@middy/core";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { ProviderNoticeSender } from "../adapters/sms/provider-notice-sender.js";
import { SmsProviders } from "../adapters/sms/registry.js";
import { SnsNoticeSender } from "../adapters/sns/sns-notice-sender.js";
import { NOTICE_CHANNELS } from "../domain/notification/channels.js";
import { notifyEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { smsProvidersSettingsSchema } from "../shared/sms-config.js";
import { deliverNotice } from "../use-cases/deliver-notice.js";
import { systemClock } from "../use-cases/ports.js";

const env = notifyEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const sns = new SNSClient({});
// Non-secret provider settings; credentials are read from Secrets Manager on first use.
const smsSettings = smsProvidersSettingsSchema.parse(JSON.parse(env.SMS_PROVIDERS ?? "{}"));
const businessMetrics = new EmfBusinessMetrics(metrics);
const deps = {
  notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
  merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
  sender: new ProviderNoticeSender(
    new SnsNoticeSender(sns, {
      topicArnPrefix: env.SNS_TOPIC_ARN_PREFIX,
      topicNamePrefix: env.EMAIL_TOPIC_PREFIX,
      opsTopicArn: env.OPS_TOPIC_ARN,
    }),
    new SmsProviders(
      {
        ...smsSettings,
        sns: { ...smsSettings.sns, senderId: env.SMS_SENDER_ID, maxPriceUsd: env.SMS_MAX_PRICE_USD },
      },
      { sns, secrets: new SecretsManagerClient({}) },
    ),
  ),
  clock: systemClock,
  metrics: businessMetrics,
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

/** SQS → SNS. A failed record is reported back (partial batch response) and retried; the rest are done. */
const notify = async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    businessMetrics.flush();
  }
};

export const handler = middy(notify).use(injectLambdaContext(logger)).use(logMetrics(metrics));
