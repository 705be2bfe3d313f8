import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HmacSecretHasher } from "../../functions/adapters/crypto/sign-in-crypto.js";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbSignInStore } from "../../functions/adapters/dynamodb/sign-in-store.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import {
  ALIPAY_APP_ID,
  alipayAnswer,
  credentialsJson,
  type PlatformKeys,
  platformKeys,
  startFakePlatform,
  WECHAT_MCHID,
  wechatPayAnswer,
} from "../support/fake-platforms.js";
import { type HttpApiHandler, httpApiEvent, lambdaContext } from "../support/http-api-event.js";

// The deployed path of the real-time check: the merchant API Lambda handler with its AWS wiring
// (MERCHANT_PAGE config, the platforms' credentials read from Secrets Manager, mocked at its SDK
// boundary), DynamoDB Local, and WeChat Pay / Alipay as local HTTP servers signing their answers.

const secrets = mockClient(SecretsManagerClient);
const SECRET_NAMES = {
  signIn: "settlewatch/test/sign-in",
  wechatpay: "settlewatch/test/wechatpay",
  alipay: "settlewatch/test/alipay",
};
const SESSION = "platform-check-session-token-0123456789abcdef";

describe("merchant API function: real-time platform check with credentials from Secrets Manager", () => {
  let table: TestTable;
  let keys: PlatformKeys;
  let handler: HttpApiHandler;
  let wechat: Awaited<ReturnType<typeof startFakePlatform>>;
  let alipay: Awaited<ReturnType<typeof startFakePlatform>>;

  const get = async (rawQueryString: string) => {
    const event = httpApiEvent({
      method: "GET",
      path: "/m/api/platform-check",
      query: rawQueryString,
      headers: { cookie: `sw_session=${SESSION}`, host: "example.execute-api.cn-north-1.amazonaws.com.cn" },
      routeKey: "GET /m/api/{action}",
    });
    const result = await handler(event, lambdaContext("merchant-api"));
    return { status: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
  };

  beforeAll(async () => {
    keys = platformKeys();
    table = await createTestTable();
    wechat = await startFakePlatform((request) => {
      const orderNo = /out-trade-no\/([^?]*)/.exec(request.url)?.[1] ?? "";
      const body = {
        mchid: WECHAT_MCHID,
        out_trade_no: orderNo,
        trade_state: "SUCCESS",
        amount: { total: 500, currency: "CNY" },
      };
      return wechatPayAnswer({ status: 200, body, now: new Date(), key: keys.wechatPlatform.privateKey });
    });
    alipay = await startFakePlatform((request) => {
      const { out_trade_no } = JSON.parse(new URLSearchParams(request.body).get("biz_content") ?? "{}");
      const result = {
        code: "10000",
        msg: "Success",
        out_trade_no,
        trade_status: "WAIT_BUYER_PAY",
        total_amount: "5.00",
      };
      return alipayAnswer({ result, key: keys.alipayPlatform.privateKey });
    });
    const credentials = credentialsJson(keys);
    secrets.on(GetSecretValueCommand).callsFake((input: { SecretId?: string }) => {
      if (input.SecretId === SECRET_NAMES.signIn) return { SecretString: "k".repeat(64) };
      if (input.SecretId === SECRET_NAMES.wechatpay)
        return { SecretString: JSON.stringify(credentials.wechatpay) };
      if (input.SecretId === SECRET_NAMES.alipay) return { SecretString: JSON.stringify(credentials.alipay) };
      throw new Error(`no secret ${input.SecretId}`);
    });
    Object.assign(process.env, handlerEnvFor(table), {
      SIGN_IN_SECRET_ID: SECRET_NAMES.signIn,
      MERCHANT_PAGE: JSON.stringify({
        signIn: { codesPerHour: 5, sessionHours: 24 },
        platformCheck: {
          timeoutMs: 2000,
          wechatpay: { endpoint: wechat.url, secretName: SECRET_NAMES.wechatpay },
          alipay: { gateway: `${alipay.url}/gateway.do`, secretName: SECRET_NAMES.alipay },
        },
      }),
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    // The merchant and a signed-in session, written through the function's own adapters.
    const db = documentClient(new DynamoDBClient({ endpoint: table.endpoint, region: "local-1" }));
    await new DynamoDbMerchantRepository(db, table.tableName).put(
      merchantProfileSchema.parse({
        merchantId: "m-lambda",
        name: "Lambda Noodles",
        timeZone: "Asia/Shanghai",
        calendar: "CN",
        settlement: { cycle: "T+1" },
        platformAccounts: { wechatpay: { mchid: WECHAT_MCHID }, alipay: { appId: ALIPAY_APP_ID } },
      }),
    );
    await new DynamoDbSignInStore(db, table.tableName).putSession(
      new HmacSecretHasher("k".repeat(64)).hash(SESSION),
      {
        merchantId: "m-lambda",
        createdAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      },
    );
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    ({ handler } = await import("../../functions/handlers/merchant-api.handler.js"));
  }, 120_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await wechat?.close();
    await alipay?.close();
  });

  it("asks WeChat Pay and Alipay with the credentials read from their secrets, and maps their states", async () => {
    const paid = await get("platform=wechatpay&orderNo=WXLAMBDA0001");
    expect(paid).toEqual({
      status: 200,
      body: expect.objectContaining({ available: true, verdict: "paid", state: "SUCCESS", amountMinor: 500 }),
    });
    expect(wechat.seen.map((request) => request.url)).toEqual([
      `/v3/pay/transactions/out-trade-no/WXLAMBDA0001?mchid=${WECHAT_MCHID}`,
    ]);
    const waiting = await get("platform=alipay&orderNo=ALILAMBDA001");
    expect(waiting.body).toMatchObject({ verdict: "not-paid", state: "WAIT_BUYER_PAY", amountMinor: 500 });
    expect(new URLSearchParams(alipay.seen[0]?.body).get("app_id")).toBe(ALIPAY_APP_ID);
    const asked = secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId);
    expect(new Set(asked)).toEqual(new Set(Object.values(SECRET_NAMES)));
  });
});
