import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { pacingFor } from "../../domain/notification/sms-pacing.js";
import { SMS_PROVIDERS, type SmsProviderId } from "../../domain/notification/sms-providers.js";
import type { NotifyEnv } from "../../shared/env.js";
import { smsPacingSchema, smsProvidersSettingsSchema } from "../../shared/sms-config.js";
import type { SmsPacingDeps } from "../../use-cases/sms-pacing.js";
import { DynamoDbNoticeDeferrals } from "../dynamodb/notice-deferrals.js";
import { DynamoDbSmsSendQuota } from "../dynamodb/sms-send-quota.js";
import { SnsNoticeSender } from "../sns/sns-notice-sender.js";
import { ProviderNoticeSender } from "./provider-notice-sender.js";
import { SmsProviders } from "./registry.js";

/**
 * The notifier's sender in AWS: email and ops notices through SNS, SMS through the configured
 * provider (SNS, Alibaba Cloud or Tencent Cloud). Credentials are read from Secrets Manager on
 * first use; only non-secret provider settings come from the environment. Each provider has at most
 * its `concurrency` (SMS_PACING) requests in flight from one container.
 */
export function awsNoticeSender(env: NotifyEnv): ProviderNoticeSender {
  const sns = new SNSClient({});
  const smsSettings = smsProvidersSettingsSchema.parse(JSON.parse(env.SMS_PROVIDERS ?? "{}"));
  const pacing = smsPacingSchema.parse(JSON.parse(env.SMS_PACING ?? "{}"));
  const concurrency = Object.fromEntries(
    SMS_PROVIDERS.map((id) => [id, pacingFor(id, pacing).concurrency]),
  ) as Record<SmsProviderId, number>;
  return new ProviderNoticeSender(
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
      concurrency,
    ),
  );
}

/** The per-number caps of the notifier: counters and the outbox on the table, caps from SMS_PACING. */
export function awsSmsPacing(env: NotifyEnv, db: DynamoDBDocumentClient): SmsPacingDeps {
  return {
    quota: new DynamoDbSmsSendQuota(db, env.TABLE_NAME),
    deferrals: new DynamoDbNoticeDeferrals(db, env.TABLE_NAME, env.DUE_SHARDS),
    pacing: smsPacingSchema.parse(JSON.parse(env.SMS_PACING ?? "{}")),
  };
}
