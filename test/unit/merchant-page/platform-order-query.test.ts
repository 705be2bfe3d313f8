import { beforeAll, describe, expect, it } from "vitest";
import { AlipayOrderQuery, rawMemberText } from "../../../functions/adapters/platforms/alipay-order-query.js";
import {
  type AlipayAccount,
  alipayAccounts,
  staticCredentials,
  type WechatPayAccount,
  wechatPayAccounts,
} from "../../../functions/adapters/platforms/platform-credentials.js";
import { WechatPayOrderQuery } from "../../../functions/adapters/platforms/wechatpay-order-query.js";
import {
  PLATFORM_STATES,
  parsePlatformCheckQuery,
  verdictOfState,
} from "../../../functions/domain/merchant-page/platform-order.js";
import {
  ALIPAY_APP_ID,
  alipayAnswer,
  checkAlipayRequest,
  checkWechatPayRequest,
  credentialsJson,
  type FakeAnswer,
  fakeFetch,
  type PlatformKeys,
  platformKeys,
  testKeyPair,
  WECHAT_CERT_SERIAL,
  WECHAT_MCHID,
  wechatPayAnswer,
} from "../../support/fake-platforms.js";

// The platform adapters at their HTTP boundary: the exact request (signed with the test merchant /
// app key and verified here with its public key), answers signed with the test platform key, and
// every way an answer must not be trusted.

const NOW = new Date("2026-12-04T08:00:00.000Z");
const ORDER = "ORD20261204001";
const WECHAT_ENDPOINT = "https://api.mch.weixin.qq.com";
const ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do";

let keys: PlatformKeys;
let wechatAccounts: Map<string, WechatPayAccount>;
let alipayApps: Map<string, AlipayAccount>;

beforeAll(() => {
  keys = platformKeys();
  const json = credentialsJson(keys);
  wechatAccounts = wechatPayAccounts(json.wechatpay);
  alipayApps = alipayAccounts(json.alipay);
});

const wechatOrder = (overrides: Record<string, unknown> = {}) => ({
  appid: "wxd678efh567hg6787",
  mchid: WECHAT_MCHID,
  out_trade_no: ORDER,
  transaction_id: "4200000000202612040000000001",
  trade_state: "SUCCESS",
  trade_state_desc: "支付成功",
  success_time: "2026-12-04T15:58:12+08:00",
  amount: { total: 12850, payer_total: 12850, currency: "CNY", payer_currency: "CNY" },
  ...overrides,
});

function wechat(answer: (request: { url: string }) => FakeAnswer, timeoutMs = 3000) {
  const http = fakeFetch(answer);
  const query = new WechatPayOrderQuery({
    endpoint: WECHAT_ENDPOINT,
    credentials: staticCredentials(wechatAccounts),
    timeoutMs,
    fetch: http.fetch,
    nonce: () => "593BEC0C930BF1AFEB40B4A08C8FB242",
  });
  return {
    query,
    seen: http.seen,
    ask: () => query.query({ account: WECHAT_MCHID, orderNo: ORDER, now: NOW }),
  };
}

const signedWechat = (body: unknown, options: { status?: number; tamper?: (body: string) => string } = {}) =>
  wechatPayAnswer({
    status: options.status ?? 200,
    body,
    now: NOW,
    key: keys.wechatPlatform.privateKey,
    ...options,
  });

describe("WeChat Pay v3 order query by out_trade_no", () => {
  it("sends the exact signed GET and reads a SUCCESS answer", async () => {
    const { ask, seen } = wechat(() => signedWechat(wechatOrder()));
    expect(await ask()).toEqual({
      kind: "order",
      state: "SUCCESS",
      amountMinor: 12850,
      currency: "CNY",
      paidAt: "2026-12-04T07:58:12.000Z",
    });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe("GET");
    expect(request?.url).toBe(
      `${WECHAT_ENDPOINT}/v3/pay/transactions/out-trade-no/${ORDER}?mchid=${WECHAT_MCHID}`,
    );
    expect(request?.headers.accept).toBe("application/json");
    expect(request?.body).toBe("");
    const auth = checkWechatPayRequest(request as NonNullable<typeof request>, keys.wechatMerchant.publicKey);
    expect(auth.scheme).toBe("WECHATPAY2-SHA256-RSA2048");
    expect(auth.fields).toMatchObject({
      mchid: WECHAT_MCHID,
      serial_no: WECHAT_CERT_SERIAL,
      nonce_str: "593BEC0C930BF1AFEB40B4A08C8FB242",
      timestamp: String(NOW.getTime() / 1000),
    });
    expect(auth.verified).toBe(true);
    // The same header does not verify with another key: the check above can fail.
    expect(
      checkWechatPayRequest(request as NonNullable<typeof request>, testKeyPair().publicKey).verified,
    ).toBe(false);
  });

  it("passes every documented trade_state through as sent", async () => {
    const states = [...PLATFORM_STATES.wechatpay.paid, ...PLATFORM_STATES.wechatpay.notPaid];
    for (const state of states) {
      const { ask } = wechat(() => signedWechat(wechatOrder({ trade_state: state })));
      expect(await ask()).toMatchObject({ kind: "order", state });
    }
  });

  it("refuses an answer whose body was changed after signing (NOTPAY → SUCCESS)", async () => {
    const { ask } = wechat(() =>
      signedWechat(wechatOrder({ trade_state: "NOTPAY" }), {
        tamper: (body) => body.replace("NOTPAY", "SUCCESS"),
      }),
    );
    expect(await ask()).toMatchObject({ kind: "failed", reason: "bad-signature" });
  });

  it("refuses answers signed by another key, under an unknown serial, unsigned, replayed or SIGNTEST probes", async () => {
    const body = wechatOrder();
    const cases: FakeAnswer[] = [
      wechatPayAnswer({ status: 200, body, now: NOW, key: testKeyPair().privateKey }),
      wechatPayAnswer({
        status: 200,
        body,
        now: NOW,
        key: keys.wechatPlatform.privateKey,
        serial: "PUB_KEY_ID_OTHER",
      }),
      { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      wechatPayAnswer({
        status: 200,
        body,
        now: new Date(NOW.getTime() - 10 * 60_000),
        key: keys.wechatPlatform.privateKey,
      }),
    ];
    const probe = signedWechat(body);
    cases.push({ ...probe, headers: { ...probe.headers, "wechatpay-signature": "WECHATPAY/SIGNTEST/abc" } });
    for (const answer of cases) {
      const { ask } = wechat(() => answer);
      expect(await ask()).toMatchObject({ kind: "failed", reason: "bad-signature" });
    }
  });

  it("refuses a signed answer about another merchant number or order", async () => {
    for (const other of [{ mchid: "1900000110" }, { out_trade_no: "ORD20261204002" }, { trade_state: 7 }]) {
      const { ask } = wechat(() => signedWechat(wechatOrder(other)));
      expect(await ask()).toMatchObject({ kind: "failed", reason: "bad-response" });
    }
  });

  it("says no such order only on a signed 404 ORDER_NOT_EXIST; other errors are platform errors", async () => {
    const notFound = { code: "ORDER_NOT_EXIST", message: "订单不存在" };
    expect(await wechat(() => signedWechat(notFound, { status: 404 })).ask()).toEqual({
      kind: "no-such-order",
    });
    const unsigned = { status: 404, body: JSON.stringify(notFound) };
    expect(await wechat(() => unsigned).ask()).toMatchObject({ kind: "failed", reason: "platform-error" });
    const busy = signedWechat({ code: "SYSTEM_ERROR", message: "系统错误" }, { status: 500 });
    expect(await wechat(() => busy).ask()).toMatchObject({
      kind: "failed",
      reason: "platform-error",
      detail: "HTTP 500 SYSTEM_ERROR",
    });
  });

  it("gives up after the timeout, well before the platform answers", async () => {
    const { ask } = wechat(() => ({ ...signedWechat(wechatOrder()), delayMs: 2000 }), 150);
    const started = performance.now();
    expect(await ask()).toMatchObject({ kind: "failed", reason: "timeout" });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("turns a network failure into a platform error", async () => {
    const query = new WechatPayOrderQuery({
      endpoint: WECHAT_ENDPOINT,
      credentials: staticCredentials(wechatAccounts),
      timeoutMs: 1000,
      fetch: (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch,
    });
    expect(await query.query({ account: WECHAT_MCHID, orderNo: ORDER, now: NOW })).toMatchObject({
      kind: "failed",
      reason: "platform-error",
    });
    expect(await query.canQuery(WECHAT_MCHID)).toBe(true);
    expect(await query.canQuery("1900000999")).toBe(false);
  });
});

const alipayTrade = (overrides: Record<string, unknown> = {}) => ({
  code: "10000",
  msg: "Success",
  trade_no: "2026120422001400000000000001",
  out_trade_no: ORDER,
  buyer_logon_id: "159****5620",
  trade_status: "TRADE_SUCCESS",
  total_amount: "128.50",
  send_pay_date: "2026-12-04 15:58:12",
  ...overrides,
});

function alipay(answer: () => FakeAnswer, timeoutMs = 3000) {
  const http = fakeFetch(answer);
  const query = new AlipayOrderQuery({
    gateway: ALIPAY_GATEWAY,
    credentials: staticCredentials(alipayApps),
    timeoutMs,
    fetch: http.fetch,
  });
  return { seen: http.seen, ask: () => query.query({ account: ALIPAY_APP_ID, orderNo: ORDER, now: NOW }) };
}

const signedAlipay = (result: unknown, tamper?: (raw: string) => string) =>
  alipayAnswer({ result, key: keys.alipayPlatform.privateKey, ...(tamper ? { tamper } : {}) });

describe("Alipay alipay.trade.query", () => {
  it("sends the exact RSA2-signed request and reads a TRADE_SUCCESS answer", async () => {
    const { ask, seen } = alipay(() => signedAlipay(alipayTrade()));
    expect(await ask()).toEqual({
      kind: "order",
      state: "TRADE_SUCCESS",
      amountMinor: 12850,
      currency: "CNY",
      paidAt: "2026-12-04T07:58:12.000Z",
    });
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(ALIPAY_GATEWAY);
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded;charset=utf-8");
    const checked = checkAlipayRequest(request as NonNullable<typeof request>, keys.alipayApp.publicKey);
    const { sign, ...params } = checked.params;
    expect(params).toEqual({
      app_id: ALIPAY_APP_ID,
      method: "alipay.trade.query",
      format: "JSON",
      charset: "utf-8",
      sign_type: "RSA2",
      timestamp: "2026-12-04 16:00:00",
      version: "1.0",
      biz_content: JSON.stringify({ out_trade_no: ORDER }),
    });
    expect(sign).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(checked.verified).toBe(true);
    expect(checkAlipayRequest(request as NonNullable<typeof request>, testKeyPair().publicKey).verified).toBe(
      false,
    );
  });

  it("passes every documented trade_status through as sent", async () => {
    for (const state of [...PLATFORM_STATES.alipay.paid, ...PLATFORM_STATES.alipay.notPaid]) {
      const { ask } = alipay(() => signedAlipay(alipayTrade({ trade_status: state })));
      expect(await ask()).toMatchObject({ kind: "order", state });
    }
  });

  it("verifies the member's exact text (spacing and escapes as sent, not re-serialised)", async () => {
    const inner = `{ "code" : "10000", "msg":"Success", "out_trade_no":"${ORDER}", "trade_status":"TRADE_FINISHED", "total_amount":"0.01", "store_name":"小笼包 \\"一号\\" 店" }`;
    const signature = (await import("node:crypto"))
      .sign("sha256", Buffer.from(inner), keys.alipayPlatform.privateKey)
      .toString("base64");
    const body = `{"alipay_trade_query_response" : ${inner} ,"sign":"${signature}"}`;
    expect(rawMemberText(body, "alipay_trade_query_response")).toBe(inner);
    const { ask } = alipay(() => ({ status: 200, body }));
    expect(await ask()).toMatchObject({ kind: "order", state: "TRADE_FINISHED", amountMinor: 1 });
  });

  it("refuses a tampered, unsigned or foreign-signed answer", async () => {
    const tampered = signedAlipay(alipayTrade({ trade_status: "WAIT_BUYER_PAY" }), (raw) =>
      raw.replace("WAIT_BUYER_PAY", "TRADE_SUCCESS"),
    );
    const foreign = alipayAnswer({ result: alipayTrade(), key: testKeyPair().privateKey });
    const unsigned = {
      status: 200,
      body: `{"alipay_trade_query_response":${JSON.stringify(alipayTrade())}}`,
    };
    for (const answer of [tampered, foreign, unsigned]) {
      expect(await alipay(() => answer).ask()).toMatchObject({ kind: "failed", reason: "bad-signature" });
    }
  });

  it("says no such order on ACQ.TRADE_NOT_EXIST, and reads other errors and strange answers as failures", async () => {
    const notExist = {
      code: "40004",
      msg: "Business Failed",
      sub_code: "ACQ.TRADE_NOT_EXIST",
      sub_msg: "交易不存在",
    };
    expect(await alipay(() => signedAlipay(notExist)).ask()).toEqual({ kind: "no-such-order" });
    const denied = {
      code: "40006",
      msg: "Insufficient Permissions",
      sub_code: "isv.insufficient-isv-permissions",
    };
    expect(await alipay(() => signedAlipay(denied)).ask()).toMatchObject({
      kind: "failed",
      reason: "platform-error",
    });
    expect(await alipay(() => signedAlipay(alipayTrade({ out_trade_no: "OTHER" }))).ask()).toMatchObject({
      kind: "failed",
      reason: "bad-response",
    });
    expect(await alipay(() => ({ status: 502, body: "Bad Gateway" })).ask()).toMatchObject({
      kind: "failed",
      reason: "platform-error",
    });
    const gatewayError = {
      status: 200,
      body: '{"error_response":{"code":"40002","msg":"Invalid Arguments"}}',
    };
    expect(await alipay(() => gatewayError).ask()).toMatchObject({
      kind: "failed",
      reason: "platform-error",
    });
  });

  it("gives up after the timeout", async () => {
    const { ask } = alipay(() => ({ ...signedAlipay(alipayTrade()), delayMs: 2000 }), 150);
    expect(await ask()).toMatchObject({ kind: "failed", reason: "timeout" });
  });
});

describe("platform states and order numbers", () => {
  it("counts only SUCCESS, TRADE_SUCCESS and TRADE_FINISHED as paid; an unlisted state is unknown", () => {
    expect(PLATFORM_STATES.wechatpay.notPaid.map((state) => verdictOfState("wechatpay", state))).toEqual(
      Array(6).fill("not-paid"),
    );
    expect(verdictOfState("wechatpay", "SUCCESS")).toBe("paid");
    expect(verdictOfState("alipay", "TRADE_SUCCESS")).toBe("paid");
    expect(verdictOfState("alipay", "TRADE_FINISHED")).toBe("paid");
    expect(verdictOfState("alipay", "WAIT_BUYER_PAY")).toBe("not-paid");
    expect(verdictOfState("alipay", "TRADE_CLOSED")).toBe("not-paid");
    // Another platform's paid state, or a new one, never counts.
    expect(verdictOfState("alipay", "SUCCESS")).toBe("unknown");
    expect(verdictOfState("wechatpay", "TRADE_SUCCESS")).toBe("unknown");
    expect(verdictOfState("wechatpay", "ACCEPT")).toBe("unknown");
  });

  it("accepts the platforms' order numbers and names the field of anything else", () => {
    expect(parsePlatformCheckQuery(`platform=wechatpay&orderNo=${ORDER}&lang=en`)).toEqual({
      ok: true,
      value: { platform: "wechatpay", orderNo: ORDER },
    });
    expect(parsePlatformCheckQuery("platform=wechatpay&orderNo=A_1-2%7C3*")).toMatchObject({ ok: true });
    const refused: Array<[string, string]> = [
      ["platform=wechatpay&orderNo=%3Cscript%3E", "orderNo"],
      ["platform=wechatpay&orderNo=12345", "orderNo"],
      [`platform=wechatpay&orderNo=${"9".repeat(33)}`, "orderNo"],
      [`platform=alipay&orderNo=${"9".repeat(65)}`, "orderNo"],
      ["platform=alipay&orderNo=A-1", "orderNo"],
      ["platform=alipay&orderNo=%E4", "orderNo"],
      ["platform=unionpay&orderNo=ORD1", "platform"],
      [`platform=wechatpay&orderNo=${ORDER}&orderNo=${ORDER}`, "orderNo"],
      [`platform=wechatpay&orderNo=${ORDER}&mchid=1`, "mchid"],
      ["orderNo=ORD123456", "platform"],
    ];
    for (const [query, field] of refused) {
      const parsed = parsePlatformCheckQuery(query);
      expect(parsed.ok, query).toBe(false);
      if (!parsed.ok) expect(parsed.errors.map((error) => error.field)).toContain(field);
    }
  });
});
