import { sign, verify } from "node:crypto";
import {
  beijingTimeOf,
  beijingTimeToUtc,
  minorUnitsOfDecimal,
} from "../../domain/merchant-page/platform-order.js";
import type { PlatformOrderAnswer, PlatformOrderQuery } from "../../use-cases/platform-check.js";
import type { AccountCredentials, AlipayAccount } from "./platform-credentials.js";
import { failed, platformRequest } from "./platform-http.js";

const METHOD = "alipay.trade.query";
const RESPONSE_MEMBER = "alipay_trade_query_response";

export interface AlipayOrderQueryOptions {
  /** https://openapi.alipay.com/gateway.do */
  gateway: string;
  credentials: AccountCredentials<AlipayAccount>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** The string openapi signs: every non-empty parameter but `sign`, sorted by name, as name=value joined by &, values not encoded. */
export function alipaySignContent(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => name !== "sign" && params[name] !== "")
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join("&");
}

/** The request's parameters with their RSA2 (SHA256withRSA) `sign`. */
export function signedAlipayParams(
  account: AlipayAccount,
  orderNo: string,
  now: Date,
): Record<string, string> {
  const params: Record<string, string> = {
    app_id: account.appId,
    method: METHOD,
    format: "JSON",
    charset: "utf-8",
    sign_type: "RSA2",
    timestamp: beijingTimeOf(now),
    version: "1.0",
    biz_content: JSON.stringify({ out_trade_no: orderNo }),
    ...(account.appAuthToken ? { app_auth_token: account.appAuthToken } : {}),
  };
  const signature = sign("sha256", Buffer.from(alipaySignContent(params)), account.privateKey);
  return { ...params, sign: signature.toString("base64") };
}

/**
 * The raw text of a top-level member's object value, exactly as sent: Alipay signs those bytes,
 * so the answer is verified before it is parsed, and re-serialising would change them.
 */
export function rawMemberText(json: string, member: string): string | undefined {
  const needle = `"${member}"`;
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (char === '"') {
      const end = endOfString(json, i);
      if (depth === 1 && json.slice(i, end + 1) === needle) {
        const start = json.slice(end + 1).search(/\S/) + end + 1;
        if (json[start] !== ":") return undefined;
        const valueStart = json.slice(start + 1).search(/\S/) + start + 1;
        return json[valueStart] === "{"
          ? json.slice(valueStart, endOfObject(json, valueStart) + 1)
          : undefined;
      }
      i = end;
    } else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") depth--;
  }
  return undefined;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

function endOfObject(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '"') i = endOfString(text, i);
    else if (text[i] === "{" || text[i] === "[") depth++;
    else if ((text[i] === "}" || text[i] === "]") && --depth === 0) return i;
  }
  return text.length;
}

/** alipay.trade.query by out_trade_no through the openapi gateway (RSA2 both ways). */
export class AlipayOrderQuery implements PlatformOrderQuery {
  constructor(private readonly options: AlipayOrderQueryOptions) {}

  async canQuery(account: string): Promise<boolean> {
    return (await this.options.credentials(account)) !== undefined;
  }

  async query(input: { account: string; orderNo: string; now: Date }): Promise<PlatformOrderAnswer> {
    const account = await this.options.credentials(input.account);
    if (!account) return failed("platform-error", `no credentials for app_id ${input.account}`);
    const response = await platformRequest(
      this.options.fetch ?? fetch,
      this.options.gateway,
      {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded;charset=utf-8",
          accept: "application/json",
        },
        body: new URLSearchParams(signedAlipayParams(account, input.orderNo, input.now)).toString(),
      },
      this.options.timeoutMs,
    );
    if ("kind" in response) return response;
    if (response.status !== 200) return failed("platform-error", `HTTP ${response.status}`);
    return answerOf(response.body, account, input.orderNo);
  }
}

function answerOf(body: string, account: AlipayAccount, orderNo: string): PlatformOrderAnswer {
  const raw = rawMemberText(body, RESPONSE_MEMBER);
  if (raw === undefined) return failed("platform-error", `no ${RESPONSE_MEMBER} in the answer`);
  let whole: { sign?: unknown; [RESPONSE_MEMBER]?: Record<string, unknown> };
  try {
    whole = JSON.parse(body);
  } catch {
    return failed("bad-response", "the answer is not JSON");
  }
  const signature = typeof whole.sign === "string" ? whole.sign : "";
  if (signature === "" || !verifies(raw, signature, account))
    return failed("bad-signature", "the answer's sign does not verify with Alipay's public key");
  const result = whole[RESPONSE_MEMBER] ?? {};
  if (result.code === "40004" && result.sub_code === "ACQ.TRADE_NOT_EXIST") return { kind: "no-such-order" };
  if (result.code !== "10000")
    return failed(
      "platform-error",
      `code ${String(result.code).slice(0, 8)} ${String(result.sub_code ?? "").slice(0, 64)}`,
    );
  if (result.out_trade_no !== orderNo || typeof result.trade_status !== "string")
    return failed("bad-response", "the answer is not about this order number");
  const currency = typeof result.trans_currency === "string" ? result.trans_currency : "CNY";
  return {
    kind: "order",
    state: result.trade_status.slice(0, 32),
    amountMinor:
      typeof result.total_amount === "string"
        ? minorUnitsOfDecimal(result.total_amount, currency)
        : undefined,
    currency,
    paidAt: typeof result.send_pay_date === "string" ? beijingTimeToUtc(result.send_pay_date) : undefined,
  };
}

function verifies(raw: string, signature: string, account: AlipayAccount): boolean {
  try {
    return verify(
      "sha256",
      Buffer.from(raw, "utf8"),
      account.alipayPublicKey,
      Buffer.from(signature, "base64"),
    );
  } catch {
    return false;
  }
}
