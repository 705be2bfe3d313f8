import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { numberHash } from "../../functions/adapters/dynamodb/sms-send-quota.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, forgetDueWatermarks, TestClock } from "../support/check-deps.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

// The real notify Lambda handler on DynamoDB Local. Alibaba Cloud is mocked only at its HTTP
// boundary (the global fetch the adapter calls), Secrets Manager at its SDK boundary. The check
// (the notices' producer) runs as a use case with an in-process queue standing in for SQS.

const secrets = mockClient(SecretsManagerClient);
const ZH_CODES = {
  overdue: "SMS_101",
  escalation: "SMS_102",
  "arrived.one": "SMS_103",
  "arrived.other": "SMS_104",
};
const SHARED_PHONE = "+8613800138000";
const context = { functionName: "notify", awsRequestId: "r1" } as unknown as Context;

/** What the SQS event source hands the notifier: one record per queued notice message. */
const sqsEventOf = (messages: ReadonlyArray<{ noticeId: string; channel: string }>): SQSEvent => ({
  Records: messages.map((message, index) => ({
    messageId: `m${index}`,
    receiptHandle: "h",
    body: JSON.stringify(message),
    attributes: {} as SQSEvent["Records"][number]["attributes"],
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws-cn:sqs:cn-north-1:123456789012:notices",
    awsRegion: "cn-north-1",
  })),
});

interface Call {
  query: Record<string, string>;
  at: number;
}

// Several check runs and handler invocations per test on a shared machine: a generous timeout.
describe("notify handler: per-number caps, bounded concurrency, throttling and credentials (aliyun over HTTP)", {
  timeout: 240_000,
}, () => {
  let table: TestTable;
  let notify: (
    event: SQSEvent,
    context: Context,
  ) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
  const printed: string[] = [];
  const calls: Call[] = [];
  let answer: () => Promise<{ status: number; body: unknown }> = async () => ({
    status: 200,
    body: { Code: "OK" },
  });
  let inFlight = 0;
  let mostInFlight = 0;

  const clock = new TestClock(new Date("2026-10-08T12:00:10.000Z"));
  const at = (iso: string) => {
    clock.set(iso);
    vi.setSystemTime(new Date(iso));
  };

  beforeAll(async () => {
    table = await createTestTable();
    Object.assign(process.env, {
      ...handlerEnvFor(table),
      EMAIL_TOPIC_PREFIX: "settlewatch-test",
      SNS_TOPIC_ARN_PREFIX: "arn:aws-cn:sns:cn-north-1:123456789012:",
      OPS_TOPIC_ARN: "arn:aws-cn:sns:cn-north-1:123456789012:ops",
      DUE_SHARDS: "16",
      SMS_PROVIDERS: JSON.stringify({
        aliyun: { signName: "结算提醒", templateCodes: { "zh-CN": ZH_CODES }, secretId: "sms/aliyun" },
      }),
      SMS_PACING: JSON.stringify({ aliyun: { concurrency: 2, perNumber: { perMinute: 1, perHour: 2 } } }),
      POWERTOOLS_METRICS_DISABLED: "false",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    vi.stubGlobal("fetch", async (url: string) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      calls.push({ query: Object.fromEntries(new URL(url).searchParams), at: Date.now() });
      try {
        await new Promise((resolve) => setImmediate(resolve));
        const { status, body } = await answer();
        return { status, text: async () => JSON.stringify(body) };
      } finally {
        inFlight -= 1;
      }
    });
    const capture = (chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.useFakeTimers({ toFake: ["Date"] });
    at("2026-10-08T12:00:10.000Z");
    ({ handler: notify } = await import("../../functions/handlers/notify.handler.js"));
  });
  afterAll(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    secrets.reset();
  });

  const deps = () =>
    checkDeps(table, clock, {
      dueShards: 16, // the handler's DUE_SHARDS above: both file and release notices by it
      escalationHours: [0],
      noticeText: {
        smsDelivery: { routing: { default: "aliyun" }, providers: { aliyun: { signName: "结算提醒" } } },
      },
    });

  /** Merchants with overdue payments (due 8 Oct 18:00 Shanghai + 60 min grace). */
  async function overdueMerchants(merchants: Array<{ id: string; phone: string }>) {
    // Each scenario's clock starts over in the shared table.
    await forgetDueWatermarks(table);
    const { deps: ingest } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    for (const { id, phone } of merchants) {
      await ingest.merchants.put(
        merchantProfileSchema.parse({
          ...SHANGHAI_MERCHANT,
          merchantId: id,
          contact: { ...SHANGHAI_MERCHANT.contact, phone },
        }),
      );
      const rawBody = JSON.stringify(confirmation({ paymentId: `p-${id}`, merchantId: id }));
      await ingestConfirmations(
        { rawBody, signatureHeader: signed(rawBody, new Date("2026-09-30T08:00:00Z")) },
        ingest,
      );
    }
  }

  /** One check run (at the test clock), its queued messages for `merchantIds` handed to the notify handler as one SQS batch. */
  async function checkThenNotify(merchantIds: readonly string[]) {
    const wired = deps();
    await runOverdueCheck(wired.check);
    const messages = [];
    for (const message of wired.queue.drain()) {
      const notice = await wired.check.notices.get(message.noticeId, message.channel);
      if (notice && merchantIds.includes(notice.recipientId)) messages.push(message);
    }
    const result = await notify(sqsEventOf(messages), context);
    return { messages, result, notices: wired.check.notices };
  }

  const quotaCount = async (phone: string, window: string) => {
    const { Item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `SMSQUOTA#aliyun#${numberHash(phone)}` }, sk: { S: window } },
        ConsistentRead: true,
      }),
    );
    return Item ? unmarshall(Item) : undefined;
  };

  it("three notices to one number (1/min, 2/hour): one now, one the next minute, one the next hour; none dropped, none marked sent early", async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ accessKeyId: "LTAIexample", accessKeySecret: "s3cr3t" }),
    });
    calls.length = 0;
    const ids = ["m-cap-a", "m-cap-b", "m-cap-c"];
    await overdueMerchants(ids.map((id) => ({ id, phone: SHARED_PHONE })));

    at("2026-10-08T12:00:10.000Z");
    const first = await checkThenNotify(ids);
    expect(first.messages).toHaveLength(3);
    expect(first.result.batchItemFailures).toEqual([]); // deferred is handled, not failed
    expect(calls).toHaveLength(1);
    const records = await Promise.all(first.messages.map((m) => first.notices.get(m.noticeId, "sms")));
    const sent = records.filter((r) => r?.status === "SENT");
    const waiting = records.filter((r) => r?.status === "SCHEDULED");
    expect(sent).toHaveLength(1);
    expect(waiting.map((r) => r?.sendAfter)).toEqual([
      "2026-10-08T12:01:00.000Z",
      "2026-10-08T12:01:00.000Z",
    ]);
    for (const record of waiting) expect(record?.sentAt).toBeUndefined();
    expect(calls[0]?.query).toEqual({
      PhoneNumbers: "8613800138000",
      SignName: "结算提醒",
      TemplateCode: "SMS_101",
      TemplateParam: JSON.stringify(sent[0]?.sms?.variables),
      OutId: sent[0]?.noticeId,
    });
    // The counters: per window, the number hashed, TTL a day after the window ends.
    expect(await quotaCount(SHARED_PHONE, "minute#2026-10-08T12:00:00.000Z")).toMatchObject({
      count: 1,
      expiresAt: Date.parse("2026-10-09T12:01:00Z") / 1000,
      entity: "smsQuota",
    });
    expect(await quotaCount(SHARED_PHONE, "hour#2026-10-08T12:00:00.000Z")).toMatchObject({ count: 1 });
    // A deferred notice waits in the check's outbox partition of the due index, keyed by its time.
    const outbox = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: "due",
        KeyConditionExpression: "gsi1pk = :p",
        ExpressionAttributeValues: {
          ":p": {
            S: `OUTBOX#${String(Number.parseInt(waiting[0]?.noticeId.slice(0, 8) ?? "0", 16) % 16).padStart(2, "0")}`,
          },
        },
      }),
    );
    expect(outbox.Items?.map((item) => item.gsi1sk?.S)).toContain(
      `2026-10-08T12:01:00.000Z#${waiting[0]?.noticeId}#sms`,
    );

    at("2026-10-08T12:00:50.000Z"); // not yet: the check queues nothing of these
    expect((await checkThenNotify(ids)).messages).toHaveLength(0);

    at("2026-10-08T12:01:05.000Z");
    const second = await checkThenNotify(ids);
    expect(second.messages).toHaveLength(2);
    expect(calls).toHaveLength(2);
    const afterSecond = await Promise.all(second.messages.map((m) => second.notices.get(m.noticeId, "sms")));
    expect(afterSecond.map((r) => r?.status).sort()).toEqual(["SCHEDULED", "SENT"]);
    // The hour's 2 are used: the last waits for the next hour.
    expect(afterSecond.find((r) => r?.status === "SCHEDULED")?.sendAfter).toBe("2026-10-08T13:00:00.000Z");

    at("2026-10-08T12:30:00.000Z");
    expect((await checkThenNotify(ids)).messages).toHaveLength(0);
    at("2026-10-08T13:00:05.000Z");
    const third = await checkThenNotify(ids);
    expect(third.messages).toHaveLength(1);
    expect(calls).toHaveLength(3);
    // Each of the three went out exactly once, with its own notice id as OutId.
    const outIds = calls.map((call) => call.query.OutId);
    expect(new Set(outIds).size).toBe(3);
    for (const id of outIds) expect((await third.notices.get(id ?? "", "sms"))?.status).toBe("SENT");
    const deferred = printed.filter((line) => line.includes('"SmsDeferred"'));
    expect(deferred.length).toBeGreaterThan(0);
  });

  it("one batch to five numbers keeps at most 2 SendSms in flight (concurrency 2); all sent", async () => {
    calls.length = 0;
    mostInFlight = 0;
    const merchants = Array.from({ length: 5 }, (_, i) => ({ id: `m-par-${i}`, phone: `+861390000000${i}` }));
    await overdueMerchants(merchants);
    at("2026-10-08T14:00:10.000Z");
    answer = async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { status: 200, body: { Code: "OK" } };
    };
    const run = await checkThenNotify(merchants.map((m) => m.id));
    answer = async () => ({ status: 200, body: { Code: "OK" } });
    expect(run.messages).toHaveLength(5);
    expect(run.result.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(5);
    expect(mostInFlight).toBe(2);
    expect(new Set(calls.map((c) => c.query.PhoneNumbers))).toEqual(
      new Set(merchants.map((m) => m.phone.slice(1))),
    );
  });

  it("provider throttling: retried with backoff, then back to the queue (batch item failure), not sent, the slot given back", async () => {
    calls.length = 0;
    const phone = "+8613911112222";
    await overdueMerchants([{ id: "m-throttle", phone }]);
    at("2026-10-08T15:00:10.000Z");
    answer = async () => ({
      status: 200,
      body: { Code: "isv.BUSINESS_LIMIT_CONTROL", Message: "触发小时级流控Permits:5" },
    });
    const run = await checkThenNotify(["m-throttle"]);
    answer = async () => ({ status: 200, body: { Code: "OK" } });
    expect(run.result.batchItemFailures).toEqual([{ itemIdentifier: "m0" }]);
    expect(calls).toHaveLength(3); // 3 tries within the invocation
    const record = await run.notices.get(run.messages[0]?.noticeId ?? "", "sms");
    expect(record?.status).toBe("QUEUED");
    expect(record?.sentAt).toBeUndefined();
    expect(await quotaCount(phone, "minute#2026-10-08T15:00:00.000Z")).toMatchObject({ count: 0 });
    expect(printed.some((line) => line.includes('"SmsThrottled"'))).toBe(true);
  });

  it("credentials wrong, then missing: the notice stays queued, nothing marked sent, SmsCredentialsFailed for the alarm each time", async () => {
    calls.length = 0;
    printed.length = 0;
    const phone = "+8613922223333";
    await overdueMerchants([{ id: "m-creds", phone }]);
    at("2026-10-08T16:00:10.000Z");
    // The container holds the secret read earlier; Alibaba Cloud refuses it (key deleted).
    answer = async () => ({
      status: 404,
      body: { Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found." },
    });
    const run = await checkThenNotify(["m-creds"]);
    answer = async () => ({ status: 200, body: { Code: "OK" } });
    expect(run.result.batchItemFailures).toEqual([{ itemIdentifier: "m0" }]);
    expect(calls).toHaveLength(1); // a refusal is not retried in the invocation
    const noticeId = run.messages[0]?.noticeId ?? "";
    expect((await run.notices.get(noticeId, "sms"))?.status).toBe("QUEUED");

    // SQS delivers it again; the refused secret was dropped and is now missing: no request at all.
    secrets.reset();
    secrets.on(GetSecretValueCommand).rejects(
      Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: "ResourceNotFoundException",
      }),
    );
    const again = await notify(sqsEventOf([{ noticeId, channel: "sms" }]), context);
    expect(again.batchItemFailures).toEqual([{ itemIdentifier: "m0" }]);
    expect(calls).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: "sms/aliyun" },
    ]);
    const record = await run.notices.get(noticeId, "sms");
    expect(record?.status).toBe("QUEUED");
    expect(record?.sentAt).toBeUndefined();
    expect(await quotaCount(phone, "minute#2026-10-08T16:00:00.000Z")).toMatchObject({ count: 0 });
    // What the SmsCredentialsAlarm watches: SmsCredentialsFailed, dimensions service/deployment/acquirer=none.
    const emf = printed
      .flatMap((line) => line.split("\n"))
      .filter((line) => line.includes('"SmsCredentialsFailed"'))
      .map((line) => JSON.parse(line));
    expect(emf).toHaveLength(2);
    for (const document of emf) {
      expect(document).toMatchObject({
        SmsCredentialsFailed: 1,
        service: "settlewatch",
        deployment: "test",
        acquirer: "none",
      });
    }
  });
});
