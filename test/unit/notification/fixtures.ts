import type { MerchantProfile } from "../../../functions/domain/merchant/merchant-profile.js";
import { merchantProfileSchema } from "../../../functions/domain/merchant/merchant-profile.js";
import type { Payment } from "../../../functions/domain/payment/payment.js";

/** A PENDING WeChat Pay payment of m-001 confirmed 30 Sep 2026 15:00 Shanghai, due 8 Oct 18:00, overdue 19:00. */
export function payment(
  overrides: Omit<Partial<Payment>, "arrival"> & { arrival?: Partial<NonNullable<Payment["arrival"]>> } = {},
): Payment {
  const { arrival, ...rest } = overrides;
  const confirmedAt = rest.confirmedAt ?? "2026-09-30T15:00:00+08:00";
  return {
    acquirer: "wechatpay",
    paymentId: "4200001234202609300001",
    merchantId: "m-001",
    kind: "payment",
    amountMinor: 12850,
    currency: "CNY",
    confirmedAt,
    confirmedAtUtc: new Date(confirmedAt).toISOString(),
    orderId: "ORD-1001",
    status: "PENDING",
    merchantRegistered: true,
    fingerprint: "0".repeat(64),
    receivedAt: "2026-09-30T07:00:01.000Z",
    ...rest,
    arrival: {
      tradeDate: "2026-09-30",
      dueDate: "2026-10-08",
      expectedBy: "2026-10-08T10:00:00.000Z",
      overdueAt: "2026-10-08T11:00:00.000Z",
      explanation: "T+1 business day; 1–7 Oct is National Day; due 8 Oct 2026 18:00 Asia/Shanghai",
      calendarCoverage: "covered",
      ...arrival,
    },
  };
}

/** A validated merchant profile (defaults filled in by the real schema). */
export function merchant(
  overrides: Record<string, unknown> = {},
  contact: Record<string, unknown> = {},
): MerchantProfile {
  return merchantProfileSchema.parse({
    merchantId: "m-001",
    name: "Shanghai Dumplings",
    timeZone: "Asia/Shanghai",
    calendar: "CN",
    settlement: { cycle: "T+1" },
    contact: {
      phone: "+8613800138000",
      email: "owner@example.com",
      language: "zh-CN",
      channels: ["sms"],
      ...contact,
    },
    ...overrides,
  });
}

export const WECHAT_CONTACT = {
  wechatpay: { names: { en: "WeChat Pay", "zh-CN": "微信支付" }, hotline: "95017" },
};
