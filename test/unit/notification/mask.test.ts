import { describe, expect, it } from "vitest";
import { maskAddress, maskEmail, maskPhone } from "../../../functions/domain/notification/mask.js";

describe("maskPhone", () => {
  it.each([
    ["+8613800138000", "+86138****8000"],
    ["+12125550123", "+121****0123"],
    ["+85291234567", "+852****4567"],
    ["+447911123456", "+4479****3456"],
  ])("%s → %s", (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it("hides at least 4 digits", () => {
    for (const phone of ["+8613800138000", "+12125550123", "+85291234567", "+447911123456"]) {
      expect(maskPhone(phone).split("*").length - 1).toBeGreaterThanOrEqual(4);
    }
  });

  it("keeps only the last 2 characters of something that is not a phone number", () => {
    expect(maskPhone("13800138000x")).toBe("**********0x");
    expect(maskPhone("")).toBe("");
  });
});

describe("maskEmail", () => {
  it.each([
    ["owner@example.com", "o***@example.com"],
    ["finance.team@shop.cn", "f***@shop.cn"],
    ["a@example.com", "***@example.com"],
    ["not-an-email", "***"],
    ["@example.com", "***"],
    ["owner@", "***"],
  ])("%s → %s", (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });
});

it("maskAddress masks per channel", () => {
  expect(maskAddress("sms", "+8613800138000")).toBe("+86138****8000");
  expect(maskAddress("email", "owner@example.com")).toBe("o***@example.com");
});
