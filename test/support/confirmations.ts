import { signatureHeader } from "../../functions/domain/confirmation/webhook-signature.js";
import type { MerchantProfileInput } from "../../functions/domain/merchant/merchant-profile.js";

export const TEST_ACQUIRER = "acme-pay";
export const TEST_SECRET = "whsec_test_secret_0123456789";
export const ROTATED_SECRET = "whsec_test_secret_rotated_987";

/** A valid confirmation; override any field. */
export function confirmation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    acquirer: TEST_ACQUIRER,
    paymentId: "4200001234202609300001",
    merchantId: "m-shanghai-001",
    amountMinor: 12850,
    currency: "CNY",
    confirmedAt: "2026-09-30T15:00:00+08:00",
    orderId: "ORD-1001",
    ...overrides,
  };
}

export function signed(body: string, now: Date, secret = TEST_SECRET): string {
  return signatureHeader(secret, Math.floor(now.getTime() / 1000), body);
}

/** The merchant the test confirmations are for (m-shanghai-001): T+1, SMS in Chinese. */
export const SHANGHAI_MERCHANT: MerchantProfileInput = {
  merchantId: "m-shanghai-001",
  name: "上海小笼包店",
  timeZone: "Asia/Shanghai",
  calendar: "CN",
  settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
  contact: { phone: "+8613800138000", language: "zh-CN", channels: ["sms"] },
};
