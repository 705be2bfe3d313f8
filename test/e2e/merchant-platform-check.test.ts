import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { type LocalConfig, loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { TestClock } from "../support/check-deps.js";
import {
  ALIPAY_APP_ID,
  alipayAnswer,
  checkAlipayRequest,
  checkWechatPayRequest,
  credentialsJson,
  type FakeAnswer,
  type PlatformKeys,
  platformKeys,
  type SeenRequest,
  startFakePlatform,
  WECHAT_MCHID,
  wechatPayAnswer,
} from "../support/fake-platforms.js";

// The real-time check with WeChat Pay / Alipay through the merchant API of the local monitor
// (DynamoDB Local): signed-in merchant, its own platform accounts from its profile, the platforms
// as local HTTP servers that check the request signature and sign their answers with test keys.

const START = "2026-12-04T08:00:00.000Z";
// Long enough for a signed round trip on a busy 2-core CI machine (400 ms timed out there); the
// slow platform answers well after it.
const TIMEOUT_MS = 1_500;
const PHONES = { plat: "+8613800138000", other: "+8613912345678", none: "+8613611112222" };

/** What each fake platform answers, by order number. */
type Script = Record<string, (keys: PlatformKeys, now: Date) => FakeAnswer>;

const wechatOrder = (orderNo: string, state: string, extra: Record<string, unknown> = {}) => ({
  mchid: WECHAT_MCHID,
  out_trade_no: orderNo,
  trade_state: state,
  amount: { total: 12850, currency: "CNY" },
  ...extra,
});
const wechatScript: Script = {
  WXPAID000001: (keys, now) =>
    wechatPayAnswer({
      status: 200,
      body: wechatOrder("WXPAID000001", "SUCCESS", { success_time: "2026-12-04T15:58:12+08:00" }),
      now,
      key: keys.wechatPlatform.privateKey,
    }),
  WXNOTPAY0001: (keys, now) =>
    wechatPayAnswer({
      status: 200,
      body: wechatOrder("WXNOTPAY0001", "NOTPAY"),
      now,
      key: keys.wechatPlatform.privateKey,
    }),
  WXFORGED0001: (keys, now) =>
    wechatPayAnswer({
      status: 200,
      body: wechatOrder("WXFORGED0001", "NOTPAY"),
      now,
      key: keys.wechatPlatform.privateKey,
      tamper: (body) => body.replace("NOTPAY", "SUCCESS"),
    }),
  WXSLOW000001: (keys, now) => ({
    ...wechatPayAnswer({
      status: 200,
      body: wechatOrder("WXSLOW000001", "SUCCESS"),
      now,
      key: keys.wechatPlatform.privateKey,
    }),
    delayMs: 6_000,
  }),
};
const alipayScript: Script = {
  ALIFINISHED1: (keys) =>
    alipayAnswer({
      result: {
        code: "10000",
        msg: "Success",
        out_trade_no: "ALIFINISHED1",
        trade_status: "TRADE_FINISHED",
        total_amount: "88.80",
        send_pay_date: "2026-12-04 15:30:00",
      },
      key: keys.alipayPlatform.privateKey,
    }),
  ALICLOSED001: (keys) =>
    alipayAnswer({
      result: { code: "10000", msg: "Success", out_trade_no: "ALICLOSED001", trade_status: "TRADE_CLOSED" },
      key: keys.alipayPlatform.privateKey,
    }),
  ALINOSUCH001: (keys) =>
    alipayAnswer({
      result: {
        code: "40004",
        msg: "Business Failed",
        sub_code: "ACQ.TRADE_NOT_EXIST",
        sub_msg: "交易不存在",
      },
      key: keys.alipayPlatform.privateKey,
    }),
};

describe("merchant page: real-time check with the platforms (local monitor, DynamoDB Local)", () => {
  const clock = new TestClock(new Date(START));
  let keys: PlatformKeys;
  let monitor: LocalMonitor;
  let unconfigured: LocalMonitor;
  let wechat: Awaited<ReturnType<typeof startFakePlatform>>;
  let alipay: Awaited<ReturnType<typeof startFakePlatform>>;
  let config: LocalConfig;
  const sessions: Record<string, string> = {};

  const send = async (base: string, method: string, path: string, body?: unknown, session?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(method === "POST" ? { "x-settlewatch-csrf": "1" } : {}),
        ...(session ? { cookie: `sw_session=${session}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const check = (query: string, who = "plat", base = monitor.url) =>
    send(base, "GET", `/m/api/platform-check?${query}`, undefined, sessions[who]);
  const scan = async () => {
    const client = localDynamoDbClient(inject("dynamoDbEndpoint"));
    const { Items } = await client.send(new ScanCommand({ TableName: config.tableName }));
    client.destroy();
    return (Items ?? [])
      .map((item) => unmarshall(item))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  };
  const putMerchant = async (merchantId: string, phone: string, platformAccounts?: unknown) =>
    send(monitor.url, "PUT", `/v1/merchants/${merchantId}`, {
      name: `Shop ${merchantId}`,
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 },
      contact: { phone, language: "zh-CN", channels: ["sms"] },
      ...(platformAccounts === undefined ? {} : { platformAccounts }),
    });
  const signIn = async (phone: string) => {
    expect((await send(monitor.url, "POST", "/m/api/sign-in", { phone })).status).toBe(202);
    const code = /\d{6}/.exec(monitor.services.outbox.sent.at(-1)?.text ?? "")?.[0];
    const response = await fetch(`${monitor.url}/m/api/verify`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-settlewatch-csrf": "1" },
      body: JSON.stringify({ phone, code }),
    });
    expect(response.status).toBe(200);
    return /sw_session=([^;]*)/.exec(response.headers.get("set-cookie") ?? "")?.[1] ?? "";
  };
  const play = (script: Script, orderOf: (request: SeenRequest) => string) => (request: SeenRequest) => {
    const answer = script[orderOf(request)];
    return answer ? answer(keys, clock.now()) : { status: 500, body: "{}" };
  };

  beforeAll(async () => {
    keys = platformKeys();
    wechat = await startFakePlatform(
      play(wechatScript, (request) => /out-trade-no\/([^?]*)/.exec(request.url)?.[1] ?? ""),
    );
    alipay = await startFakePlatform(
      play(alipayScript, (request) => {
        const biz = new URLSearchParams(request.body).get("biz_content") ?? "{}";
        return (JSON.parse(biz) as { out_trade_no?: string }).out_trade_no ?? "";
      }),
    );
    config = loadLocalConfig({
      cwd: mkdtempSync(join(tmpdir(), "settlewatch-platform-check-")),
      env: { SETTLEWATCH_PORT: "0" },
    });
    config.tableName = `platform-check-${Date.now()}`;
    config.demoMerchant = false;
    const json = credentialsJson(keys);
    const plain = { ...config, merchantPage: { ...config.merchantPage, answerFloorMs: 0 } };
    config = {
      ...plain,
      merchantPage: {
        ...plain.merchantPage,
        platformCheck: {
          timeoutMs: TIMEOUT_MS,
          wechatpay: { endpoint: wechat.url },
          alipay: { gateway: `${alipay.url}/gateway.do` },
        },
      },
      platformCredentials: { wechatpay: json.wechatpay, alipay: json.alipay },
    };
    const options = { dynamoDbEndpoint: inject("dynamoDbEndpoint"), clock };
    monitor = await startLocalMonitor(config, options);
    unconfigured = await startLocalMonitor(plain, options);
    expect(
      (
        await putMerchant("m-plat", PHONES.plat, {
          wechatpay: { mchid: WECHAT_MCHID },
          alipay: { appId: ALIPAY_APP_ID },
        })
      ).status,
    ).toBeLessThan(300);
    expect(
      (await putMerchant("m-other", PHONES.other, { wechatpay: { mchid: "1900000999" } })).status,
    ).toBeLessThan(300);
    expect((await putMerchant("m-none", PHONES.none)).status).toBeLessThan(300);
    for (const [who, phone] of Object.entries(PHONES)) sessions[who] = await signIn(phone);
  });
  afterAll(async () => {
    await monitor?.stop();
    await unconfigured?.stop();
    await wechat?.close();
    await alipay?.close();
  });

  it("lists the platforms each merchant can ask, and none where the deployment has no platform configured", async () => {
    expect((await send(monitor.url, "GET", "/m/api/platforms", undefined, sessions.plat)).body).toEqual({
      platforms: ["wechatpay", "alipay"],
    });
    expect((await send(monitor.url, "GET", "/m/api/platforms", undefined, sessions.other)).body).toEqual({
      platforms: [],
    });
    expect((await send(unconfigured.url, "GET", "/m/api/platforms", undefined, sessions.plat)).body).toEqual({
      platforms: [],
    });
  });

  it("asks WeChat Pay with the merchant's own mchid, signed, and answers paid only for SUCCESS", async () => {
    const before = await scan();
    const paid = await check("platform=wechatpay&orderNo=WXPAID000001");
    expect(paid.status).toBe(200);
    expect(paid.body).toEqual({
      available: true,
      platform: "wechatpay",
      orderNo: "WXPAID000001",
      verdict: "paid",
      state: "SUCCESS",
      amountMinor: 12850,
      currency: "CNY",
      paidAt: "2026-12-04T07:58:12.000Z",
    });
    const request = wechat.seen.at(-1) as SeenRequest;
    expect(request.method).toBe("GET");
    expect(request.url).toBe(`/v3/pay/transactions/out-trade-no/WXPAID000001?mchid=${WECHAT_MCHID}`);
    expect(checkWechatPayRequest(request, keys.wechatMerchant.publicKey)).toMatchObject({
      scheme: "WECHATPAY2-SHA256-RSA2048",
      verified: true,
    });
    expect((await check("platform=wechatpay&orderNo=WXNOTPAY0001")).body).toMatchObject({
      verdict: "not-paid",
      state: "NOTPAY",
    });
    // Asking writes nothing: the table is as it was.
    expect(await scan()).toEqual(before);
  });

  it("answers 'could not check' for a tampered answer and for a platform slower than the timeout, never paid", async () => {
    expect((await check("platform=wechatpay&orderNo=WXFORGED0001")).body).toMatchObject({
      available: true,
      verdict: "unknown",
      state: null,
      reason: "bad-signature",
    });
    const started = performance.now();
    expect((await check("platform=wechatpay&orderNo=WXSLOW000001")).body).toMatchObject({
      verdict: "unknown",
      reason: "timeout",
    });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
  });

  it("asks Alipay with the merchant's app_id: TRADE_FINISHED is paid, TRADE_CLOSED and an unknown order are not", async () => {
    expect((await check("platform=alipay&orderNo=ALIFINISHED1")).body).toEqual({
      available: true,
      platform: "alipay",
      orderNo: "ALIFINISHED1",
      verdict: "paid",
      state: "TRADE_FINISHED",
      amountMinor: 8880,
      currency: "CNY",
      paidAt: "2026-12-04T07:30:00.000Z",
    });
    const request = checkAlipayRequest(alipay.seen.at(-1) as SeenRequest, keys.alipayApp.publicKey);
    expect(request.verified).toBe(true);
    expect(request.params).toMatchObject({
      app_id: ALIPAY_APP_ID,
      method: "alipay.trade.query",
      sign_type: "RSA2",
    });
    expect((await check("platform=alipay&orderNo=ALICLOSED001")).body).toMatchObject({
      verdict: "not-paid",
      state: "TRADE_CLOSED",
    });
    expect((await check("platform=alipay&orderNo=ALINOSUCH001")).body).toMatchObject({
      verdict: "not-paid",
      state: null,
      reason: "no-such-order",
    });
  });

  it("does not ask when the merchant has no account or no credentials, or the deployment has no platform configured", async () => {
    const asked = wechat.seen.length + alipay.seen.length;
    expect((await check("platform=wechatpay&orderNo=WXPAID000001", "other")).body).toMatchObject({
      available: false,
      verdict: "unknown",
      reason: "no-credentials",
    });
    expect((await check("platform=alipay&orderNo=ALIFINISHED1", "none")).body).toMatchObject({
      available: false,
      reason: "no-platform-account",
    });
    expect(
      (await check("platform=wechatpay&orderNo=WXPAID000001", "plat", unconfigured.url)).body,
    ).toMatchObject({
      available: false,
      verdict: "unknown",
      reason: "not-configured",
    });
    expect(wechat.seen.length + alipay.seen.length).toBe(asked);
  });

  it("refuses a bad order number or platform with a 422 naming the field, and an unsigned-in phone with 401, asking nobody", async () => {
    const asked = wechat.seen.length + alipay.seen.length;
    const script = await check("platform=wechatpay&orderNo=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    expect(script.status).toBe(422);
    expect(JSON.stringify(script.body)).toContain("orderNo");
    expect((await check(`platform=alipay&orderNo=${"9".repeat(5000)}`)).status).toBe(422);
    const platform = await check("platform=paypal&orderNo=WXPAID000001");
    expect(platform.status).toBe(422);
    expect(JSON.stringify(platform.body)).toContain("platform");
    expect((await check("platform=wechatpay&orderNo=%E4%B8")).status).toBe(422);
    expect(
      (await send(monitor.url, "GET", "/m/api/platform-check?platform=wechatpay&orderNo=WXPAID000001"))
        .status,
    ).toBe(401);
    expect((await send(monitor.url, "GET", "/m/api/platforms")).status).toBe(401);
    expect(wechat.seen.length + alipay.seen.length).toBe(asked);
  });

  it("refuses a profile whose platform accounts are malformed, naming the field, and keeps the stored one", async () => {
    const before = (await scan()).filter((item) => JSON.stringify(item).includes('"m-plat"'));
    const refused = await putMerchant("m-plat", PHONES.plat, { wechatpay: { mchid: "19000<b>" } });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain("platformAccounts.wechatpay.mchid");
    expect((await scan()).filter((item) => JSON.stringify(item).includes('"m-plat"'))).toEqual(before);
  });
});
