import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SnsNoticeSender } from "../../functions/adapters/sns/sns-notice-sender.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { deliverNotice } from "../../functions/use-cases/deliver-notice.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

// SNS cannot deliver an SMS here: it is mocked at the SDK boundary only, and the exact requests asserted.
const sns = mockClient(SNSClient);

describe("notifier through SNS (mocked at the SDK boundary)", () => {
  let table: TestTable;
  const clock = new TestClock(new Date("2026-10-08T12:00:00.000Z"));
  const sender = new SnsNoticeSender(new SNSClient({ region: "ap-east-1" }), {
    smsSenderId: "SETTLEWTCH",
    topicArnPrefix: "arn:aws:sns:ap-east-1:123456789012:",
    topicNamePrefix: "settlewatch-hk",
    opsTopicArn: "arn:aws:sns:ap-east-1:123456789012:settlewatch-ops",
  });

  beforeEach(async () => {
    sns.reset();
    table = await createTestTable();
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(
      merchantProfileSchema.parse({
        ...SHANGHAI_MERCHANT,
        contact: { ...SHANGHAI_MERCHANT.contact, email: "owner@example.com", channels: ["sms", "email"] },
      }),
    );
    const rawBody = JSON.stringify(confirmation({ paymentId: "p1" }));
    await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, new Date("2026-09-30T08:00:00Z")) },
      deps,
    );
  });
  afterEach(() => sns.reset());

  it("publishes the SMS as Transactional with the sender ID, and the email to the merchant's topic", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    const { check, queue, deliver } = checkDeps(table, clock, {}, sender);
    await runOverdueCheck(check);
    const messages = queue.drain();
    expect(messages.map((message) => message.channel).sort()).toEqual(["email", "sms"]);
    for (const message of messages) expect(await deliverNotice(message, deliver)).toBe("sent");

    const calls = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    const sms = calls.find((input) => input.PhoneNumber);
    expect(sms).toEqual({
      PhoneNumber: "+8613800138000",
      Message: expect.stringContaining("¥128.50"),
      MessageAttributes: {
        "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
        "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: "SETTLEWTCH" },
      },
    });
    const email = calls.find((input) => input.TopicArn);
    expect(email).toEqual({
      TopicArn: "arn:aws:sns:ap-east-1:123456789012:settlewatch-hk-merchant-m-shanghai-001",
      Subject: expect.any(String),
      Message: expect.stringContaining("p1"),
    });
    expect(calls).toHaveLength(2);
  });

  it("on SNS throttling releases the claim and throws (the queue retries); the retry sends exactly once", async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottledException" }))
      .resolves({});
    const { check, queue, deliver } = checkDeps(table, clock, {}, sender);
    await runOverdueCheck(check);
    const sms = queue.drain().find((message) => message.channel === "sms");
    if (!sms) throw new Error("expected an SMS notice");
    await expect(deliverNotice(sms, deliver)).rejects.toThrow("Rate exceeded");
    expect((await check.notices.get(sms.noticeId, "sms"))?.status).toBe("QUEUED");
    expect(await deliverNotice(sms, deliver)).toBe("sent");
    expect(await deliverNotice(sms, deliver)).toBe("already-sent");
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2); // the failed try and the one that went out
    const payment = await check.overdue.getPayments([{ acquirer: "acme-pay", paymentId: "p1" }]);
    expect(payment[0]?.status).toBe("OVERDUE"); // never rolled back
  });
});
