import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProviderNoticeSender } from "../../functions/adapters/sms/provider-notice-sender.js";
import { SmsProviders } from "../../functions/adapters/sms/registry.js";
import { SnsNoticeSender } from "../../functions/adapters/sns/sns-notice-sender.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { deliverNotice } from "../../functions/use-cases/deliver-notice.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

// The SNS SMS provider (the registry's "sns" entry) mocked at the SDK boundary: its throttling is
// retried with backoff like the mainland providers', then handed back to the queue.
const sns = mockClient(SNSClient);

describe("SNS as an SMS provider: throttling retried with backoff", () => {
  let table: TestTable;
  const clock = new TestClock(new Date("2026-10-08T12:00:00.000Z"));

  beforeEach(async () => {
    sns.reset();
    table = await createTestTable();
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const rawBody = JSON.stringify(confirmation({ paymentId: "p1" }));
    await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, new Date("2026-09-30T08:00:00Z")) },
      deps,
    );
  });
  afterEach(() => sns.reset());

  function wire(sleeps: number[]) {
    const client = new SNSClient({ region: "ap-east-1" });
    const providers = new SmsProviders(
      { sns: { senderId: "SETTLEWTCH" } },
      {
        sns: client,
        secrets: new SecretsManagerClient({ region: "ap-east-1" }),
        retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
      },
    );
    const topics = new SnsNoticeSender(client, {
      topicArnPrefix: "arn:aws:sns:ap-east-1:123456789012:",
      topicNamePrefix: "settlewatch-hk",
      opsTopicArn: "arn:aws:sns:ap-east-1:123456789012:ops",
    });
    return checkDeps(table, clock, {}, new ProviderNoticeSender(topics, providers));
  }

  const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottledException" });

  it("two throttled Publish calls, then sent: the same request three times, waits 100 then 200 ms", async () => {
    sns.on(PublishCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MessageId: "m-1" });
    const sleeps: number[] = [];
    const deps = wire(sleeps);
    await runOverdueCheck(deps.check);
    const sms = deps.queue.drain().find((message) => message.channel === "sms");
    if (!sms) throw new Error("expected an SMS notice");
    expect(await deliverNotice(sms, deps.deliver)).toBe("sent");
    const calls = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(3);
    for (const input of calls) {
      expect(input).toEqual({
        PhoneNumber: "+8613800138000",
        Message: expect.stringContaining("¥128.50"),
        MessageAttributes: {
          "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
          "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: "SETTLEWTCH" },
        },
      });
    }
    expect(sleeps).toEqual([100, 200]); // full jitter at 0.5 of 200 ms, doubled
    expect((await deps.check.notices.get(sms.noticeId, "sms"))?.status).toBe("SENT");
  });

  it("still throttled after 3 tries: back to the queue (QUEUED, not sent), SmsThrottled counted", async () => {
    sns.on(PublishCommand).rejects(throttled());
    const deps = wire([]);
    await runOverdueCheck(deps.check);
    const sms = deps.queue.drain().find((message) => message.channel === "sms");
    if (!sms) throw new Error("expected an SMS notice");
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      kind: "throttled",
      provider: "sns",
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    const record = await deps.check.notices.get(sms.noticeId, "sms");
    expect(record?.status).toBe("QUEUED");
    expect(record?.sentAt).toBeUndefined();
    expect(deps.metrics.get("SmsThrottled", "none")).toBe(1);
  });

  it("a hard failure (invalid number) and a timeout: each one Publish, released, not marked sent", async () => {
    const invalid = Object.assign(new Error("Invalid parameter: PhoneNumber"), {
      name: "InvalidParameterException",
    });
    const timeout = Object.assign(new Error("socket timed out"), { name: "TimeoutError" });
    sns.on(PublishCommand).rejectsOnce(invalid).rejectsOnce(timeout);
    const deps = wire([]);
    await runOverdueCheck(deps.check);
    const sms = deps.queue.drain().find((message) => message.channel === "sms");
    if (!sms) throw new Error("expected an SMS notice");
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({ name: "TimeoutError" });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2); // neither is retried in the invocation
    const record = await deps.check.notices.get(sms.noticeId, "sms");
    expect(record?.status).toBe("QUEUED");
    expect(record?.sentAt).toBeUndefined();
    expect(deps.metrics.get("NoticesFailed")).toBe(2);
  });
});
