import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import type { NotifyEnv } from "../../shared/env.js";
import { smsProvidersSettingsSchema } from "../../shared/sms-config.js";
import { SnsNoticeSender } from "../sns/sns-notice-sender.js";
import { ProviderNoticeSender } from "./provider-notice-sender.js";
import { SmsProviders } from "./registry.js";

/**
 * The notifier's sender in AWS: email and ops notices through SNS, SMS through the configured
 * provider (SNS, Alibaba Cloud or Tencent Cloud). Credentials are read from Secrets Manager on
 * first use; only non-secret provider settings come from the environment.
 */
export function awsNoticeSender(env: NotifyEnv): ProviderNoticeSender {
  const sns = new SNSClient({});
  const smsSettings = smsProvidersSettingsSchema.parse(JSON.parse(env.SMS_PROVIDERS ?? "{}"));
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
    ),
  );
}
