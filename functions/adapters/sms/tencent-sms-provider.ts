import type { SmsProvider, SmsReceipt, SmsToSend } from "../../use-cases/ports.js";
import { SmsProviderError } from "../../use-cases/sms-errors.js";
import { systemClock } from "../clock/system-clock.js";
import { callProvider, type FetchLike } from "./http-call.js";
import type { CachedSecretCredentials } from "./provider-credentials.js";
import { type ProviderSettings, tencentSendSmsRequest } from "./provider-requests.js";
import { type RetryOptions, retryThrottled } from "./retry.js";
import { signTc3 } from "./signing.js";

const HOST = "sms.tencentcloudapi.com";
const CONTENT_TYPE = "application/json; charset=utf-8";

const THROTTLED = /^(LimitExceeded\.PhoneNumber|RequestLimitExceeded)/;
const CREDENTIALS = /^(AuthFailure|UnauthorizedOperation\.SmsSdkAppIdVerifyFail)/;

export interface TencentSmsProviderOptions {
  settings: ProviderSettings & { region?: string | undefined };
  credentials: CachedSecretCredentials<{ secretId: string; secretKey: string }>;
  fetch?: FetchLike;
  timeoutMs?: number;
  retry?: RetryOptions;
  now?: () => Date;
}

/** Tencent Cloud SMS SendSms (2021-01-11) over API 3.0, signed with TC3-HMAC-SHA256 (no SDK). */
export class TencentSmsProvider implements SmsProvider {
  readonly id = "tencent" as const;

  constructor(private readonly options: TencentSmsProviderOptions) {}

  async send(input: SmsToSend): Promise<SmsReceipt> {
    const payload = JSON.stringify(tencentSendSmsRequest(input, this.options.settings));
    return await retryThrottled(() => this.call(payload), this.options.retry);
  }

  private async call(payload: string): Promise<SmsReceipt> {
    const credentials = await this.options.credentials.get();
    const timestamp = Math.floor((this.options.now ?? systemClock.now)().getTime() / 1000);
    const authorization = signTc3(
      {
        host: HOST,
        service: "sms",
        timestamp,
        payload,
        contentType: CONTENT_TYPE,
        extraSignedHeaders: { "x-tc-action": "sendsms" },
      },
      credentials,
    );
    const { status, json } = await callProvider({
      provider: "tencent",
      fetch: this.options.fetch ?? (fetch as FetchLike),
      url: `https://${HOST}/`,
      init: {
        method: "POST",
        headers: {
          Authorization: authorization,
          "Content-Type": CONTENT_TYPE,
          Host: HOST,
          "X-TC-Action": "SendSms",
          "X-TC-Timestamp": String(timestamp),
          "X-TC-Version": "2021-01-11",
          "X-TC-Region": this.options.settings.region ?? "ap-guangzhou",
        },
        body: payload,
      },
      timeoutMs: this.options.timeoutMs ?? 5000,
    });
    const response = (json.Response ?? {}) as {
      Error?: { Code?: string; Message?: string };
      SendStatusSet?: Array<{ Code?: string; Message?: string; SerialNo?: string }>;
    };
    // A request-level error, else the one number's status.
    const failure = response.Error ?? response.SendStatusSet?.find((entry) => entry.Code !== "Ok");
    // The status callback names the text by this SerialNo ("sid").
    if (status === 200 && !failure && response.SendStatusSet?.length)
      return { providerMessageId: response.SendStatusSet[0]?.SerialNo };
    const code = failure?.Code ?? `HTTP${status}`;
    const message = failure?.Message ?? "";
    if (THROTTLED.test(code))
      throw new SmsProviderError({ provider: "tencent", kind: "throttled", code, message });
    if (CREDENTIALS.test(code)) {
      this.options.credentials.invalidate();
      throw new SmsProviderError({ provider: "tencent", kind: "credentials", code, message });
    }
    throw new SmsProviderError({
      provider: "tencent",
      kind: status >= 500 ? "failed" : "rejected",
      code,
      message,
    });
  }
}
