import { gzipSync } from "node:zlib";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  CloudWatchLogsEvent,
  Context,
} from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import type { FetchLike } from "../../functions/adapters/sms/http-call.js";
import { ProviderNoticeSender } from "../../functions/adapters/sms/provider-notice-sender.js";
import { SmsProviders } from "../../functions/adapters/sms/registry.js";
import { SnsNoticeSender } from "../../functions/adapters/sns/sns-notice-sender.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { fallbackNoticeId } from "../../functions/domain/notification/delivery-report.js";
import type { SmsProviderId } from "../../functions/domain/notification/sms-providers.js";
import { deliverNotice } from "../../functions/use-cases/deliver-notice.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import type { SmsMetricName, SmsMetrics } from "../../functions/use-cases/ports.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, forgetDueWatermarks, TestClock } from "../support/check-deps.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import { httpApiEvent } from "../support/http-api-event.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { tableKeys as keys } from "../support/table-items.js";

// Delivery reports through the paths providers use: the sms-reports Lambda behind the HTTP API
// (Alibaba Cloud, Tencent Cloud) and the sms-delivery-logs Lambda behind the CloudWatch Logs
// subscription (SNS), on DynamoDB Local. Secrets Manager and SNS are mocked at their SDK boundary,
// the mainland providers' SendSms at their HTTP boundary.

const secrets = mockClient(SecretsManagerClient);
const sns = mockClient(SNSClient);
const TOKEN = "report-token-0123456789abcdef0123456789";
const TOPIC_PREFIX = "arn:aws-cn:sns:cn-north-1:123456789012:";
const context = { functionName: "t", awsRequestId: "r", getRemainingTimeInMillis: () => 30_000 } as Context;

class CountingSmsMetrics implements SmsMetrics {
  readonly counts = new Map<string, number>();
  count(name: SmsMetricName, provider: SmsProviderId, value = 1): void {
    this.counts.set(`${name}:${provider}`, (this.counts.get(`${name}:${provider}`) ?? 0) + value);
  }
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;
let reportsHandler: Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
let logsHandler: Handler<CloudWatchLogsEvent, unknown>;
let table: TestTable;
const printed: string[] = [];

function post(provider: string, body: string, query = `token=${TOKEN}`) {
  const event = httpApiEvent({
    method: "POST",
    path: `/v1/sms-reports/${provider}`,
    query,
    queryParameters: Object.fromEntries(new URLSearchParams(query)),
    headers: { "content-type": "application/json" },
    body,
    routeKey: "POST /v1/sms-reports/{provider}",
  });
  return reportsHandler(event, context);
}

function logsEvent(records: unknown[]): CloudWatchLogsEvent {
  const payload = {
    messageType: "DATA_MESSAGE",
    logGroup: "sns/cn-north-1/123456789012/DirectPublishToPhoneNumber",
    logEvents: records.map((record, index) => ({
      id: String(index),
      timestamp: 0,
      message: typeof record === "string" ? record : JSON.stringify(record),
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString("base64") } };
}

async function noticeItem(noticeId: string, channel = "sms") {
  const { Item } = await documentClient(table.client).send(
    new GetCommand({ TableName: table.tableName, Key: keys.notice(noticeId, channel), ConsistentRead: true }),
  );
  return Item;
}

async function tableItems(): Promise<string[]> {
  const page = await table.client.send(new ScanCommand({ TableName: table.tableName, ConsistentRead: true }));
  return (page.Items ?? []).map((item) => JSON.stringify(item)).sort();
}

/** The fetch of Alibaba Cloud / Tencent SendSms, answering OK with the provider's message id. */
const acceptingFetch: FetchLike = async (url) => ({
  status: 200,
  text: async () =>
    JSON.stringify(
      url.includes("aliyuncs")
        ? { Code: "OK", BizId: "biz-1", RequestId: "r" }
        : { Response: { SendStatusSet: [{ Code: "Ok", SerialNo: "serial-1" }], RequestId: "r" } },
    ),
});

/**
 * One overdue payment of a merchant texted through `provider`, decided by the check and sent by the
 * notifier (as in AWS): returns the SMS notice id and the wiring to run the check and notifier again.
 */
async function sentSms(provider: SmsProviderId, merchantId: string, contact: Record<string, unknown>) {
  const clock = new TestClock(new Date("2026-09-30T08:00:00Z"));
  // Each scenario's clock starts over in the shared table.
  await forgetDueWatermarks(table);
  const { deps } = ingestDeps(table, clock.now());
  await deps.merchants.put(
    merchantProfileSchema.parse({
      ...SHANGHAI_MERCHANT,
      merchantId,
      contact: { ...SHANGHAI_MERCHANT.contact, ...contact },
    }),
  );
  const rawBody = JSON.stringify(confirmation({ paymentId: `p-${merchantId}`, merchantId }));
  await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, clock.now()) }, deps);
  clock.set("2026-10-08T12:00:00.000Z");
  const settings = {
    signName: "结算提醒",
    templateCodes: { "zh-CN": { overdue: "1234567", escalation: "1234568" } },
    smsSdkAppId: "1400787878",
    secretId: `sms/${provider}`,
  };
  const sender = new ProviderNoticeSender(
    new SnsNoticeSender(new SNSClient({ region: "cn-north-1" }), {
      topicArnPrefix: TOPIC_PREFIX,
      topicNamePrefix: "settlewatch-cn",
      opsTopicArn: `${TOPIC_PREFIX}ops`,
    }),
    new SmsProviders(
      { aliyun: settings, tencent: settings, sns: {} },
      {
        sns: new SNSClient({ region: "cn-north-1" }),
        secrets: new SecretsManagerClient({ region: "cn-north-1" }),
        fetch: acceptingFetch,
      },
    ),
  );
  const wiring = checkDeps(
    table,
    clock,
    {
      noticeText: {
        smsDelivery: { routing: { default: provider }, providers: { [provider]: { signName: "结算提醒" } } },
      },
    },
    sender,
  );
  const smsMetrics = new CountingSmsMetrics();
  await runOverdueCheck(wiring.check);
  const messages = wiring.queue.drain();
  const sms = messages.find((message) => message.channel === "sms");
  if (!sms) throw new Error("expected an SMS notice");
  expect(await deliverNotice(sms, { ...wiring.deliver, smsMetrics })).toBe("sent");
  expect(smsMetrics.counts.get(`SmsSent:${provider}`)).toBe(1);
  return { noticeId: sms.noticeId, wiring, clock };
}

/** The EMF documents the handlers printed for `name` (one per provider and invocation). */
function emitted(name: string): Array<Record<string, unknown>> {
  return printed
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.includes('"_aws"') && line.includes(`"${name}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  table = await createTestTable();
  Object.assign(process.env, {
    ...handlerEnvFor(table),
    DEPLOYMENT: "cn-test",
    SMS_REPORT_TOKEN_SECRET_ID: "settlewatch/test/sms-report-token",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(console, "log").mockImplementation(capture);
  ({ handler: reportsHandler } = await import("../../functions/handlers/sms-reports.handler.js"));
  ({ handler: logsHandler } = await import("../../functions/handlers/sms-delivery-logs.handler.js"));
});

afterAll(() => vi.restoreAllMocks());

beforeEach(() => {
  secrets.reset();
  sns.reset();
  secrets.on(GetSecretValueCommand).callsFake((input: { SecretId?: string }) => {
    if (input.SecretId === "settlewatch/test/sms-report-token") return { SecretString: TOKEN };
    const credentials =
      input.SecretId === "sms/aliyun"
        ? { accessKeyId: "LTAIexample", accessKeySecret: "s3cr3t" }
        : { secretId: "AKIDexample", secretKey: "s3cr3t" };
    return { SecretString: JSON.stringify(credentials) };
  });
  sns.on(PublishCommand).resolves({ MessageId: "sns-message-1" });
});

describe("SMS delivery reports through the sms-reports and sms-delivery-logs functions", () => {
  it("Alibaba Cloud SmsReport: DELIVERED recorded on the notice found by out_id; a duplicate changes nothing", async () => {
    const { noticeId } = await sentSms("aliyun", "m-aliyun-ok", {});
    const report = [
      {
        phone_number: "13800138000",
        send_time: "2026-10-08 20:00:01",
        report_time: "2026-10-08 20:00:05",
        success: true,
        err_code: "DELIVERED",
        err_msg: "用户接收成功",
        sms_size: "1",
        biz_id: "biz-1",
        out_id: noticeId,
      },
    ];
    const first = await post("aliyun", JSON.stringify(report));
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body ?? "{}")).toMatchObject({ code: 0, counts: { recorded: 1 } });
    const item = await noticeItem(noticeId);
    expect(item).toMatchObject({ status: "SENT", deliveryStatus: "DELIVERED", providerMessageId: "biz-1" });
    expect(item?.fallbackNoticeId).toBeUndefined();

    const before = await tableItems();
    const again = await post("aliyun", JSON.stringify(report));
    expect(JSON.parse(again.body ?? "{}")).toMatchObject({ counts: { recorded: 0, duplicate: 1 } });
    // A contradicting late report never moves a final state either.
    const contradicting = [{ ...report[0], success: false, err_code: "MK:0001" }];
    expect((await post("aliyun", JSON.stringify(contradicting))).statusCode).toBe(200);
    expect(await tableItems()).toEqual(before);
    const [delivered] = emitted("SmsDelivered");
    expect(delivered).toMatchObject({ provider: "aliyun", deployment: "cn-test", SmsDelivered: 1 });
    expect(JSON.stringify(delivered?._aws)).toContain('["service","deployment","provider"]');
  });

  it("Tencent status callback: FAIL recorded with its code (notice found by sid); the merchant's email gets the fallback once", async () => {
    const { noticeId, wiring, clock } = await sentSms("tencent", "m-tencent-fail", {
      email: "owner@example.com",
    });
    const fail = [
      {
        user_receive_time: "2026-10-08 20:00:09",
        nationcode: "86",
        mobile: "13800138000",
        report_status: "FAIL",
        errmsg: "MN:0001",
        description: "空号",
        sid: "serial-1",
      },
    ];
    // The reports function reads the system clock: the report comes a minute after the text.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-10-08T12:01:00.000Z"));
    const answer = await post("tencent", JSON.stringify(fail)).finally(() => vi.useRealTimers());
    expect(JSON.parse(answer.body ?? "{}")).toMatchObject({
      result: 0,
      errmsg: "OK",
      counts: { recorded: 1, fallbacks: 1 },
    });
    const fallbackId = fallbackNoticeId(noticeId, "email");
    expect(await noticeItem(noticeId)).toMatchObject({
      deliveryStatus: "FAILED",
      deliveryErrorCode: "MN:0001",
      fallbackNoticeId: fallbackId,
    });
    // Recorded before it is sent, as every notice: SCHEDULED in the outbox for the next check.
    expect(await noticeItem(fallbackId, "email")).toMatchObject({
      status: "SCHEDULED",
      sendAfter: "2026-10-08T12:01:00.000Z",
      channel: "email",
      recipientId: "m-tencent-fail",
      fallbackOf: noticeId,
    });

    clock.set("2026-10-08T12:05:00.000Z");
    await runOverdueCheck(wiring.check);
    expect(await wiring.drain()).toEqual(["sent"]);
    const publishes = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(publishes).toEqual([
      {
        TopicArn: `${TOPIC_PREFIX}settlewatch-cn-merchant-m-tencent-fail`,
        Subject: "结算提醒（短信未能送达，改以邮件发送）",
        Message: (await noticeItem(noticeId))?.text,
      },
    ]);

    // The provider pushes the same failure again (and again after our answer): no second email.
    const again = await post("tencent", JSON.stringify([...fail, ...fail]));
    expect(JSON.parse(again.body ?? "{}")).toMatchObject({ counts: { duplicate: 2, fallbacks: 0 } });
    clock.set("2026-10-08T12:10:00.000Z");
    await runOverdueCheck(wiring.check);
    await wiring.drain();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(emitted("SmsFailed")[0]).toMatchObject({ provider: "tencent", SmsFailed: 1 });
  });

  it("a failed text of a merchant with no other channel: no fallback, and the notice says why", async () => {
    const { noticeId } = await sentSms("aliyun", "m-sms-only", {});
    const report = [{ success: false, err_code: "MK:0005", biz_id: "biz-1", out_id: noticeId }];
    expect((await post("aliyun", JSON.stringify(report))).statusCode).toBe(200);
    const item = await noticeItem(noticeId);
    expect(item).toMatchObject({
      deliveryStatus: "FAILED",
      deliveryErrorCode: "MK:0005",
      fallbackNone: "merchant has no other channel (no email address)",
    });
    expect(await noticeItem(fallbackNoticeId(noticeId, "email"), "email")).toBeUndefined();
  });

  it("SNS delivery-status logs: SUCCESS and FAILURE records found by the Publish MessageId", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "sns-ok" });
    const ok = await sentSms("sns", "m-sns-ok", { phone: "+85291234567", language: "en" });
    sns.on(PublishCommand).resolves({ MessageId: "sns-fail" });
    const failed = await sentSms("sns", "m-sns-fail", { phone: "+85291234568", language: "en" });
    const record = (messageId: string, status: string, providerResponse: string) => ({
      notification: { messageId, timestamp: "2026-10-08 12:00:01.000" },
      delivery: { destination: "+85291234567", smsType: "Transactional", providerResponse, dwellTimeMs: 500 },
      status,
    });
    const counts = await logsHandler(
      logsEvent([
        record("sns-ok", "SUCCESS", "Message has been accepted by phone carrier"),
        record("sns-fail", "FAILURE", "Phone is currently unreachable/unavailable"),
        record("sns-unknown", "SUCCESS", "not ours"),
        "not json at all",
      ]),
      context,
    );
    expect(counts).toEqual({ recorded: 2, duplicate: 0, unknown: 1, fallbacks: 0 });
    expect(await noticeItem(ok.noticeId)).toMatchObject({
      deliveryStatus: "DELIVERED",
      providerMessageId: "sns-ok",
    });
    expect(await noticeItem(failed.noticeId)).toMatchObject({
      deliveryStatus: "FAILED",
      deliveryErrorCode: "Phone is currently unreachable/unavailable",
      fallbackNone: "merchant has no other channel (no email address)",
    });
    expect(emitted("SmsReportsIgnored").some((doc) => doc.provider === "sns")).toBe(true);
  });

  it("hostile pushes: no or wrong token, not JSON, not an array, too large, unknown ids: 4xx or ignored, nothing stored", async () => {
    const { noticeId } = await sentSms("aliyun", "m-hostile", {});
    const good = JSON.stringify([{ success: true, err_code: "DELIVERED", out_id: noticeId }]);
    const before = await tableItems();
    expect((await post("aliyun", good, "")).statusCode).toBe(401);
    expect((await post("aliyun", good, "token=wrong")).statusCode).toBe(403);
    expect((await post("aliyun", good, `token=${TOKEN}x`)).statusCode).toBe(403);
    expect((await post("aliyun", "{not json")).statusCode).toBe(400);
    expect((await post("aliyun", JSON.stringify({ out_id: noticeId }))).statusCode).toBe(400);
    expect((await post("aliyun", JSON.stringify(["x".repeat(300 * 1024)]))).statusCode).toBe(413);
    expect((await post("wechat", good)).statusCode).toBe(404);
    const unknown = await post(
      "aliyun",
      JSON.stringify([
        { success: true, out_id: "f".repeat(64) },
        { success: "yes", out_id: noticeId },
        { success: true },
        { success: true, out_id: "../../etc" },
      ]),
    );
    expect(unknown.statusCode).toBe(200);
    expect(JSON.parse(unknown.body ?? "{}")).toMatchObject({
      counts: { recorded: 0, unknown: 1, skipped: 3 },
    });
    // A Tencent report cannot settle an Alibaba Cloud notice, even when it names it.
    const crossed = await post("tencent", JSON.stringify([{ report_status: "SUCCESS", ext: noticeId }]));
    expect(JSON.parse(crossed.body ?? "{}")).toMatchObject({ counts: { unknown: 1 } });
    expect(await tableItems()).toEqual(before);
  });
});
