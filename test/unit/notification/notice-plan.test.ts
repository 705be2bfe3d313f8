import { describe, expect, it } from "vitest";
import { buildOverdueDigest } from "../../../functions/domain/notification/digest.js";
import { noticeId } from "../../../functions/domain/notification/notice-id.js";
import { planFileLateAlert, planMerchantNotice } from "../../../functions/domain/notification/notice-plan.js";
import { merchant, payment, WECHAT_CONTACT } from "./fixtures.js";

const candidates = [
  { payment: payment({ paymentId: "p-2" }), level: 0 },
  { payment: payment({ paymentId: "p-1" }), level: 0 },
];
const options = { acquirers: WECHAT_CONTACT };

describe("planMerchantNotice", () => {
  it("one message per chosen channel, SMS held to the end of quiet hours, addresses masked", () => {
    const profile = merchant(
      {},
      { channels: ["sms", "email"], quietHours: { start: "22:00", end: "08:00" } },
    );
    // 15:30Z = 23:30 in Shanghai: quiet until 08:00 local = 00:00Z.
    const now = new Date("2026-10-08T15:30:00Z");
    const plan = planMerchantNotice(buildOverdueDigest(profile, candidates), profile, now, options);

    expect(plan).toMatchObject({ recipientId: "m-001", kind: "overdue", level: 0 });
    expect(plan.noticeId).toBe(
      noticeId("m-001", "overdue", 0, {
        payments: [
          { acquirer: "wechatpay", paymentId: "p-1" },
          { acquirer: "wechatpay", paymentId: "p-2" },
        ],
      }),
    );
    expect(plan.messages.map((m) => [m.channel, m.to, m.toMasked, m.sendAt.toISOString()])).toEqual([
      ["sms", "+8613800138000", "+86138****8000", "2026-10-09T00:00:00.000Z"],
      ["email", "owner@example.com", "o***@example.com", "2026-10-08T15:30:00.000Z"],
    ]);
    const [sms, email] = plan.messages;
    expect(sms).toMatchObject({ encoding: "UCS-2", segments: 2, fits: true });
    expect(sms?.channel === "sms" && sms.text.startsWith("您有2笔收款共¥257.00")).toBe(true);
    expect(email?.channel === "email" && email.subject).toBe("2笔收款共¥257.00尚未到账");
  });

  it("the same decision in another run has the same notice id", () => {
    const profile = merchant();
    const reversed = [...candidates].reverse();
    const first = planMerchantNotice(
      buildOverdueDigest(profile, candidates),
      profile,
      new Date("2026-10-08T12:00:00Z"),
    );
    const again = planMerchantNotice(
      buildOverdueDigest(profile, reversed),
      profile,
      new Date("2026-10-08T12:05:00Z"),
    );
    expect(again.noticeId).toBe(first.noticeId);
  });

  it("no channel chosen: a notice with no messages", () => {
    const profile = merchant({}, { channels: [] });
    expect(planMerchantNotice(buildOverdueDigest(profile, candidates), profile, new Date()).messages).toEqual(
      [],
    );
  });

  it("refuses another merchant's digest", () => {
    const other = merchant({ merchantId: "m-002" });
    expect(() => planMerchantNotice(buildOverdueDigest(merchant(), candidates), other, new Date())).toThrow(
      RangeError,
    );
  });
});

describe("planFileLateAlert", () => {
  it("one alert per acquirer and day", () => {
    const file = {
      acquirer: "wechatpay",
      day: "2026-10-08",
      expectedAt: new Date("2026-10-09T02:00:00Z"),
      timeZone: "Asia/Shanghai",
      heldPayments: 42,
    };
    expect(planFileLateAlert(file)).toEqual({
      noticeId: noticeId("ops#wechatpay", "file-late", 0, { day: "2026-10-08" }),
      recipientId: "ops#wechatpay",
      subject: "Settlement file late: wechatpay for 2026-10-08",
      body: "The wechatpay settlement file for 2026-10-08 was expected by 2026-10-09T02:00:00.000Z (Asia/Shanghai) and has not arrived. 42 overdue payments are held as awaiting file; merchants are not told until it arrives.",
    });
    expect(planFileLateAlert({ ...file, heldPayments: 43 }).noticeId).toBe(planFileLateAlert(file).noticeId);
  });
});
