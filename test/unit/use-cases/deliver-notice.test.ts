import { beforeEach, describe, expect, it } from "vitest";
import { deliverNotice } from "../../../functions/use-cases/deliver-notice.js";
import type { NoticeRecord } from "../../../functions/use-cases/ports.js";
import { SmsProviderError } from "../../../functions/use-cases/sms-errors.js";
import { fakeDeliverDeps } from "../../support/fakes/fake-deps.js";
import { merchant } from "../notification/fixtures.js";

// Exactly-once delivery decided on in-memory ports (the notice store's conditions are held to
// DynamoDB by the port contract suite); through SNS and DynamoDB Local: test/integration/sns-notifier.test.ts.
function notice(overrides: Partial<NoticeRecord> = {}): NoticeRecord {
  return {
    noticeId: "n-1",
    channel: "sms",
    recipientId: "m-001",
    kind: "overdue",
    level: 1,
    language: "zh-CN",
    text: "【settlewatch】1 笔款项逾期未到账",
    payments: [{ acquirer: "wechatpay", paymentId: "p-1" }],
    sendAfter: "2026-10-08T11:00:00.000Z",
    status: "QUEUED",
    createdAt: "2026-10-08T11:00:00.000Z",
    attempts: 0,
    ...overrides,
  };
}

describe("deliver a notice at most once (in-memory ports)", () => {
  let wiring: ReturnType<typeof fakeDeliverDeps>;
  const message = { noticeId: "n-1", channel: "sms" };

  beforeEach(async () => {
    wiring = fakeDeliverDeps();
    await wiring.deps.merchants.put(merchant());
  });

  it("sends a queued notice to the merchant's current address and marks it SENT", async () => {
    await wiring.deps.notices.create(notice(), 0);
    expect(await deliverNotice(message, wiring.deps)).toBe("sent");
    expect(wiring.sender.sent).toEqual([
      { channel: "sms", noticeId: "n-1", to: "+8613800138000", text: notice().text },
    ]);
    expect(await wiring.deps.notices.get("n-1", "sms")).toMatchObject({
      status: "SENT",
      sentAt: "2026-10-08T12:00:00.000Z",
      attempts: 1,
    });
    expect(wiring.metrics.get("NoticesSent", "wechatpay")).toBe(1);
  });

  it("sends nothing the second time the same message is delivered", async () => {
    await wiring.deps.notices.create(notice(), 0);
    await deliverNotice(message, wiring.deps);
    expect(await deliverNotice(message, wiring.deps)).toBe("already-sent");
    expect(wiring.sender.sent).toHaveLength(1);
    expect(wiring.metrics.get("NoticesSent", "wechatpay")).toBe(1);
  });

  it("lets only one of two concurrent deliveries send", async () => {
    await wiring.deps.notices.create(notice(), 0);
    const outcomes = await Promise.all([
      deliverNotice(message, wiring.deps),
      deliverNotice(message, wiring.deps),
    ]);
    expect(outcomes.sort()).toEqual(["already-sent", "sent"]);
    expect(wiring.sender.sent).toHaveLength(1);
  });

  it("gives the notice back when the provider fails, so the queue's retry sends it once", async () => {
    await wiring.deps.notices.create(notice(), 0);
    wiring.sender.failWith = new SmsProviderError({
      provider: "aliyun",
      kind: "throttled",
      code: "isv.BUSINESS_LIMIT_CONTROL",
      message: "slow down",
    });
    await expect(deliverNotice(message, wiring.deps)).rejects.toThrow(SmsProviderError);
    expect(await wiring.deps.notices.get("n-1", "sms")).toMatchObject({ status: "QUEUED", attempts: 1 });
    expect(wiring.metrics.get("NoticesFailed", "wechatpay")).toBe(1);
    expect(wiring.metrics.get("SmsThrottled", "none")).toBe(1);
    expect(wiring.metrics.get("SmsCredentialsFailed", "none")).toBe(0);

    wiring.sender.failWith = undefined;
    wiring.clock.set("2026-10-08T12:05:00Z");
    expect(await deliverNotice(message, wiring.deps)).toBe("sent");
    expect(await deliverNotice(message, wiring.deps)).toBe("already-sent");
    expect(wiring.sender.sent).toHaveLength(1);
    expect(await wiring.deps.notices.get("n-1", "sms")).toMatchObject({
      status: "SENT",
      sentAt: "2026-10-08T12:05:00.000Z",
      attempts: 2,
    });
  });

  it("counts a credentials failure apart, for the alarm that says the secret is wrong", async () => {
    await wiring.deps.notices.create(notice(), 0);
    wiring.sender.failWith = new SmsProviderError({
      provider: "tencent",
      kind: "credentials",
      code: "AuthFailure",
      message: "bad key",
    });
    await expect(deliverNotice(message, wiring.deps)).rejects.toThrow("credentials");
    expect(wiring.metrics.get("SmsCredentialsFailed", "none")).toBe(1);
    expect(wiring.metrics.get("SmsThrottled", "none")).toBe(0);
  });

  it("sends nothing, and keeps the notice unclaimed, when the merchant no longer has the address", async () => {
    await wiring.deps.merchants.put(merchant({}, { phone: undefined, channels: ["email"] }));
    await wiring.deps.notices.create(notice(), 0);
    expect(await deliverNotice(message, wiring.deps)).toBe("no-address");
    expect(wiring.sender.sent).toEqual([]);
    expect(await wiring.deps.notices.get("n-1", "sms")).toMatchObject({ status: "QUEUED", attempts: 0 });
    expect(wiring.metrics.get("MerchantsUnreachable", "none")).toBe(1);
  });

  it("answers unknown-notice for a message whose notice does not exist", async () => {
    expect(await deliverNotice({ noticeId: "gone", channel: "sms" }, wiring.deps)).toBe("unknown-notice");
    expect(wiring.sender.sent).toEqual([]);
  });

  it("sends an ops notice without looking up a merchant", async () => {
    await wiring.deps.notices.create(
      notice({ noticeId: "ops-1", channel: "ops", recipientId: "ops#wechatpay", subject: "File late" }),
      0,
    );
    expect(await deliverNotice({ noticeId: "ops-1", channel: "ops" }, wiring.deps)).toBe("sent");
    expect(wiring.sender.sent).toEqual([
      { channel: "ops", noticeId: "ops-1", to: "ops", text: notice().text },
    ]);
  });
});
