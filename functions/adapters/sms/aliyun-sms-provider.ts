import { randomUUID } from "node:crypto";
import type { SmsProvider, SmsReceipt, SmsToSend } from "../../use-cases/ports.js";
import { SmsProviderError } from "../../use-cases/sms-errors.js";
import { systemClock } from "../clock/system-clock.js";
import { callProvider, type FetchLike } from "./http-call.js";
import type { CachedSecretCredentials } from "./provider-credentials.js";
import { aliyunSendSmsRequest, type ProviderSettings } from "./provider-requests.js";
import { type RetryOptions, retryThrottled } from "./retry.js";
import { acsCanonicalQuery, signAcs3 } from "./signing.js";

const HOST = "dysmsapi.aliyuncs.com";

/** Codes meaning "slow down" (per number per minute/hour/day, or the account's API rate). */
const THROTTLED = /^(isv\.BUSINESS_LIMIT_CONTROL|isv\.DAY_LIMIT_CONTROL|isv\.MONTH_LIMIT_CONTROL|Throttling)/;
/** Codes meaning the AccessKey is wrong, disabled or not allowed. */
const CREDENTIALS =
  /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|Forbidden\.(RAM|AccessKey)|isv\.ACCOUNT_ABNORMAL)/;

export interface AliyunSmsProviderOptions {
  settings: ProviderSettings;
  credentials: CachedSecretCredentials<{ accessKeyId: string; accessKeySecret: string }>;
  fetch?: FetchLike;
  timeoutMs?: number;
  retry?: RetryOptions;
  now?: () => Date;
  nonce?: () => string;
}

/**
 * Alibaba Cloud SMS SendSms over its HTTP API, signed with ACS3-HMAC-SHA256 (no SDK: the SDK alone
 * is 1.17 MB minified). Parameters go in the query string of a POST, as the RPC style asks.
 */
export class AliyunSmsProvider implements SmsProvider {
  readonly id = "aliyun" as const;

  constructor(private readonly options: AliyunSmsProviderOptions) {}

  async send(input: SmsToSend): Promise<SmsReceipt> {
    const request = aliyunSendSmsRequest(input, this.options.settings);
    const query = { ...request } as Record<string, string>;
    return await retryThrottled(() => this.call(query), this.options.retry);
  }

  private async call(query: Record<string, string>): Promise<SmsReceipt> {
    const credentials = await this.options.credentials.get();
    const now = (this.options.now ?? systemClock.now)();
    const headers = signAcs3(
      {
        method: "POST",
        host: HOST,
        query,
        action: "SendSms",
        version: "2017-05-25",
        date: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
        nonce: (this.options.nonce ?? randomUUID)(),
      },
      credentials,
    );
    const url = `https://${HOST}/?${acsCanonicalQuery(query)}`;
    const { status, json } = await callProvider({
      provider: "aliyun",
      fetch: this.options.fetch ?? (fetch as FetchLike),
      url,
      init: { method: "POST", headers },
      timeoutMs: this.options.timeoutMs ?? 5000,
    });
    const code = String(json.Code ?? `HTTP${status}`);
    if (status === 200 && code === "OK")
      return { providerMessageId: typeof json.BizId === "string" ? json.BizId : undefined };
    const message = String(json.Message ?? "");
    if (THROTTLED.test(code))
      throw new SmsProviderError({ provider: "aliyun", kind: "throttled", code, message });
    if (CREDENTIALS.test(code)) {
      this.options.credentials.invalidate();
      throw new SmsProviderError({ provider: "aliyun", kind: "credentials", code, message });
    }
    throw new SmsProviderError({
      provider: "aliyun",
      kind: status >= 500 ? "failed" : "rejected",
      code,
      message,
    });
  }
}
