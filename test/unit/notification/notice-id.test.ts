import { describe, expect, it } from "vitest";
import { noticeId, opsRecipient } from "../../../functions/domain/notification/notice-id.js";

const a = { acquirer: "wechatpay", paymentId: "p-1" };
const b = { acquirer: "wechatpay", paymentId: "p-2" };

describe("noticeId", () => {
  it("is a sha256 hex of the decision, stable across runs", () => {
    const id = noticeId("m-001", "overdue", 0, { payments: [a, b] });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(noticeId("m-001", "overdue", 0, { payments: [a, b] })).toBe(id);
  });

  it("ignores the order and duplicates of the payments", () => {
    expect(noticeId("m-001", "overdue", 0, { payments: [b, a, b] })).toBe(
      noticeId("m-001", "overdue", 0, { payments: [a, b] }),
    );
  });

  it("differs by recipient, kind, level, payments and day", () => {
    const base = noticeId("m-001", "escalation", 1, { payments: [a] });
    const others = [
      noticeId("m-002", "escalation", 1, { payments: [a] }),
      noticeId("m-001", "overdue", 1, { payments: [a] }),
      noticeId("m-001", "escalation", 2, { payments: [a] }),
      noticeId("m-001", "escalation", 1, { payments: [a, b] }),
      noticeId("m-001", "escalation", 1, { payments: [{ acquirer: "alipay", paymentId: "p-1" }] }),
      noticeId("m-001", "escalation", 1, { day: "2026-10-08" }),
    ];
    expect(new Set([base, ...others]).size).toBe(7);
  });

  it("keys ops alerts by acquirer and day", () => {
    expect(opsRecipient("wechatpay")).toBe("ops#wechatpay");
    expect(noticeId(opsRecipient("wechatpay"), "file-late", 0, { day: "2026-10-08" })).not.toBe(
      noticeId(opsRecipient("wechatpay"), "file-late", 0, { day: "2026-10-09" }),
    );
  });

  it("rejects a negative or fractional level and an empty payment list", () => {
    expect(() => noticeId("m-001", "overdue", -1, { payments: [a] })).toThrow(RangeError);
    expect(() => noticeId("m-001", "overdue", 0.5, { payments: [a] })).toThrow(RangeError);
    expect(() => noticeId("m-001", "overdue", 0, { payments: [] })).toThrow(RangeError);
  });
});
