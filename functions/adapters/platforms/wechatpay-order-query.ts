import { randomBytes, sign, verify } from "node:crypto";
import type { PlatformOrderAnswer, PlatformOrderQuery } from "../../use-cases/platform-check.js";
import type { AccountCredentials, WechatPayAccount } from "./platform-credentials.js";
import { failed, type PlatformResponse, platformRequest } from "./platform-http.js";

/** WeChat Pay's answers older or newer than this (seconds) are refused: a replayed answer. */
const MAX_ANSWER_SKEW_SECONDS = 300;

export interface WechatPayOrderQueryOptions {
  /** https://api.mch.weixin.qq.com (or api2.mch.weixin.qq.com, the fallback domain). */
  endpoint: string;
  credentials: AccountCredentials<WechatPayAccount>;
  timeoutMs: number;
  fetch?: typeof fetch;
  nonce?: () => string;
}

/** The Authorization header of APIv3: SHA256withRSA over method, path+query, timestamp, nonce and body, each line ending in \n. */
export function wechatPayAuthorization(input: {
  account: WechatPayAccount;
  method: string;
  pathAndQuery: string;
  timestamp: number;
  nonce: string;
  body: string;
}): string {
  const { account, nonce, timestamp } = input;
  const message = `${input.method}\n${input.pathAndQuery}\n${timestamp}\n${nonce}\n${input.body}\n`;
  const signature = sign("sha256", Buffer.from(message), account.privateKey).toString("base64");
  return `WECHATPAY2-SHA256-RSA2048 mchid="${account.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${account.certificateSerial}"`;
}

/**
 * Whether an APIv3 answer is WeChat Pay's: Wechatpay-Signature over "timestamp\nnonce\nbody\n"
 * with the platform key named by Wechatpay-Serial, a timestamp near now, and not a SIGNTEST probe.
 */
export function wechatPayAnswerIsSigned(
  response: PlatformResponse,
  account: WechatPayAccount,
  now: Date,
): boolean {
  const header = (name: string) => response.headers.get(name) ?? "";
  const timestamp = header("wechatpay-timestamp");
  const signature = header("wechatpay-signature");
  const key = account.platformPublicKeys.get(header("wechatpay-serial"));
  if (
    !key ||
    !/^\d{1,12}$/.test(timestamp) ||
    signature === "" ||
    signature.startsWith("WECHATPAY/SIGNTEST/")
  )
    return false;
  if (Math.abs(Number(timestamp) - now.getTime() / 1000) > MAX_ANSWER_SKEW_SECONDS) return false;
  const message = `${timestamp}\n${header("wechatpay-nonce")}\n${response.body}\n`;
  try {
    return verify("sha256", Buffer.from(message), key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid= (direct merchant mode). */
export class WechatPayOrderQuery implements PlatformOrderQuery {
  constructor(private readonly options: WechatPayOrderQueryOptions) {}

  async canQuery(account: string): Promise<boolean> {
    return (await this.options.credentials(account)) !== undefined;
  }

  async query(input: { account: string; orderNo: string; now: Date }): Promise<PlatformOrderAnswer> {
    const account = await this.options.credentials(input.account);
    if (!account) return failed("platform-error", `no credentials for mchid ${input.account}`);
    const pathAndQuery = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(input.orderNo)}?mchid=${encodeURIComponent(account.mchid)}`;
    const authorization = wechatPayAuthorization({
      account,
      method: "GET",
      pathAndQuery,
      timestamp: Math.floor(input.now.getTime() / 1000),
      nonce: this.options.nonce?.() ?? randomBytes(16).toString("hex"),
      body: "",
    });
    const response = await platformRequest(
      this.options.fetch ?? fetch,
      `${this.options.endpoint.replace(/\/$/, "")}${pathAndQuery}`,
      {
        method: "GET",
        headers: { accept: "application/json", authorization, "user-agent": "settlewatch" },
      },
      this.options.timeoutMs,
    );
    if ("kind" in response) return response;
    return answerOf(response, account, input);
  }
}

function answerOf(
  response: PlatformResponse,
  account: WechatPayAccount,
  asked: { orderNo: string; now: Date },
): PlatformOrderAnswer {
  const signed = wechatPayAnswerIsSigned(response, account, asked.now);
  const body = parseJson(response.body);
  if (response.status < 200 || response.status > 299) {
    const code = typeof body?.code === "string" ? body.code.slice(0, 64) : "";
    if (signed && response.status === 404 && code === "ORDER_NOT_EXIST") return { kind: "no-such-order" };
    return failed("platform-error", `HTTP ${response.status} ${code}${signed ? "" : " (unsigned)"}`.trim());
  }
  if (!signed) return failed("bad-signature", "the answer's Wechatpay-Signature does not verify");
  if (
    body?.mchid !== account.mchid ||
    body.out_trade_no !== asked.orderNo ||
    typeof body.trade_state !== "string"
  )
    return failed("bad-response", "the answer is not about this mchid and order number");
  const amount = (body.amount ?? {}) as Record<string, unknown>;
  const paidAt = typeof body.success_time === "string" ? new Date(body.success_time) : undefined;
  return {
    kind: "order",
    state: body.trade_state.slice(0, 32),
    amountMinor: Number.isSafeInteger(amount.total) ? (amount.total as number) : undefined,
    currency:
      typeof amount.currency === "string" && /^[A-Z]{3}$/.test(amount.currency) ? amount.currency : undefined,
    paidAt: paidAt && !Number.isNaN(paidAt.getTime()) ? paidAt.toISOString() : undefined,
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
