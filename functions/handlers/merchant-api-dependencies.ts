import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { OverridableCalendarProvider } from "../adapters/calendars/calendar-provider.js";
import { ssmCalendarOverrides } from "../adapters/calendars/ssm-calendar-overrides.js";
import { systemClock } from "../adapters/clock/system-clock.js";
import { cryptoRandom, HmacSecretHasher } from "../adapters/crypto/sign-in-crypto.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbMerchantPaymentReader } from "../adapters/dynamodb/merchant-payment-reader.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbSignInStore } from "../adapters/dynamodb/sign-in-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { platformQueries } from "../adapters/platforms/platform-queries.js";
import { secretsManagerPlatformCredentials } from "../adapters/platforms/secrets-manager-platform-credentials.js";
import { SmsProviders } from "../adapters/sms/registry.js";
import { defaultMerchantTermsSchema } from "../domain/merchant/merchant-terms.js";
import { inputLimitsSchema } from "../domain/validation/input-limits.js";
import type { MerchantApiDeps } from "../http/merchant-routes.js";
import { acquirerContactsSchema } from "../shared/check-config.js";
import type { MerchantApiEnv } from "../shared/env.js";
import { merchantPageConfigSchema } from "../shared/merchant-page-config.js";
import { logger, metrics } from "../shared/observability.js";
import { smsProvidersSettingsSchema, smsRoutingSchema } from "../shared/sms-config.js";
import type { NoticeSender } from "../use-cases/ports.js";

/** Sign-in codes only: SMS through the alerts' providers; this function sends no email or ops notice. */
function smsOnlySender(env: MerchantApiEnv, sns: SNSClient, secrets: SecretsManagerClient): NoticeSender {
  const settings = smsProvidersSettingsSchema.parse(JSON.parse(env.SMS_PROVIDERS ?? "{}"));
  const providers = new SmsProviders(
    {
      ...settings,
      sns: { ...settings.sns, senderId: env.SMS_SENDER_ID, maxPriceUsd: env.SMS_MAX_PRICE_USD },
    },
    { sns, secrets },
  );
  const refuse = async () => {
    throw new Error("the merchant API sends sign-in codes by SMS only");
  };
  return {
    sendSms: async ({ provider, ...sms }) => await providers.get(provider).send(sms),
    sendEmail: refuse,
    sendOps: refuse,
  };
}

/** Wires the merchant page's use cases to AWS; the sign-in secret is read once per container. */
export async function merchantApiDependencies(env: MerchantApiEnv): Promise<MerchantApiDeps> {
  const db = documentClient(new DynamoDBClient({}));
  const secrets = new SecretsManagerClient({});
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: env.SIGN_IN_SECRET_ID }));
  const page = merchantPageConfigSchema.parse(JSON.parse(env.MERCHANT_PAGE));
  return {
    signIn: new DynamoDbSignInStore(db, env.TABLE_NAME),
    payments: new DynamoDbMerchantPaymentReader(db, env.TABLE_NAME),
    merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
    sender: smsOnlySender(env, new SNSClient({}), secrets),
    hasher: new HmacSecretHasher(SecretString ?? ""),
    random: cryptoRandom,
    clock: systemClock,
    wait: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
    metrics: new EmfBusinessMetrics(metrics),
    policy: page.signIn,
    smsRouting: smsRoutingSchema.parse(JSON.parse(env.SMS_ROUTING ?? '{"default":"sns"}')),
    answerFloorMs: page.answerFloorMs,
    log: (message, fields) => logger.info(message, fields),
    inputLimits: inputLimitsSchema.parse(JSON.parse(env.INPUT_LIMITS)),
    acquirers: acquirerContactsSchema.parse(JSON.parse(env.ACQUIRER_CONTACTS)),
    outstandingDays: page.outstandingDays,
    platformQueries: platformQueries(
      page.platformCheck,
      secretsManagerPlatformCredentials(page.platformCheck),
    ),
    calendars: new OverridableCalendarProvider(ssmCalendarOverrides(env.CALENDAR_OVERRIDES_PARAMETER)),
    defaultTerms: defaultMerchantTermsSchema.parse(JSON.parse(env.DEFAULT_MERCHANT_TERMS)),
  };
}
