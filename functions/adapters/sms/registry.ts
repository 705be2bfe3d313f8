import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import { SMS_PACING_DEFAULTS } from "../../domain/notification/sms-pacing.js";
import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import type { SmsProvider } from "../../use-cases/ports.js";
import { AliyunSmsProvider } from "./aliyun-sms-provider.js";
import { BoundedSmsProvider } from "./bounded-sms-provider.js";
import type { FetchLike } from "./http-call.js";
import {
  aliyunCredentialsSchema,
  CachedSecretCredentials,
  tencentCredentialsSchema,
} from "./provider-credentials.js";
import type { ProviderSettings } from "./provider-requests.js";
import type { RetryOptions } from "./retry.js";
import { SnsSmsProvider } from "./sns-sms-provider.js";
import { TencentSmsProvider } from "./tencent-sms-provider.js";

/** What a provider adapter may use. Clients are created once per container by the caller. */
export interface SmsProviderContext {
  sns: SNSClient;
  secrets: SecretsManagerClient;
  fetch?: FetchLike;
  retry?: RetryOptions;
  timeoutMs?: number;
}

type Factory = (
  settings: ProviderSettings & { region?: string | undefined },
  context: SmsProviderContext,
) => SmsProvider;

/** The adapters, by provider id: adding a provider is one adapter file and one line here. */
export const SMS_PROVIDER_FACTORIES: Readonly<Record<SmsProviderId, Factory>> = {
  sns: (settings, context) => new SnsSmsProvider(context.sns, settings, context.retry),
  aliyun: (settings, context) =>
    new AliyunSmsProvider({
      settings,
      credentials: new CachedSecretCredentials(
        context.secrets,
        settings.secretId,
        aliyunCredentialsSchema,
        "aliyun",
      ),
      ...optional(context),
    }),
  tencent: (settings, context) =>
    new TencentSmsProvider({
      settings,
      credentials: new CachedSecretCredentials(
        context.secrets,
        settings.secretId,
        tencentCredentialsSchema,
        "tencent",
      ),
      ...optional(context),
    }),
};

function optional(context: SmsProviderContext) {
  return {
    ...(context.fetch ? { fetch: context.fetch } : {}),
    ...(context.retry ? { retry: context.retry } : {}),
    ...(context.timeoutMs ? { timeoutMs: context.timeoutMs } : {}),
  };
}

/** The configured providers, each built on first use and kept for the container's life. */
export class SmsProviders {
  private readonly built = new Map<SmsProviderId, SmsProvider>();

  constructor(
    private readonly settings: Readonly<
      Partial<Record<SmsProviderId, ProviderSettings & { region?: string | undefined }>>
    >,
    private readonly context: SmsProviderContext,
    /** Requests in flight per provider in this container (default: SMS_PACING_DEFAULTS). */
    private readonly concurrency: Readonly<Partial<Record<SmsProviderId, number>>> = {},
  ) {}

  get(id: SmsProviderId): SmsProvider {
    let provider = this.built.get(id);
    if (!provider) {
      const limit = this.concurrency[id] ?? SMS_PACING_DEFAULTS[id].concurrency;
      provider = new BoundedSmsProvider(
        SMS_PROVIDER_FACTORIES[id](this.settings[id] ?? {}, this.context),
        limit,
      );
      this.built.set(id, provider);
    }
    return provider;
  }
}
