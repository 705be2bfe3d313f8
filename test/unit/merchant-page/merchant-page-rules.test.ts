import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLookupQuery, tradeDatesAround } from "../../../functions/domain/merchant-page/lookup.js";
import { maskReference } from "../../../functions/domain/merchant-page/payment-view.js";
import {
  checkSignInCode,
  formatSignInCode,
  normalizeMobileNumber,
  SIGN_IN_CODE,
} from "../../../functions/domain/merchant-page/sign-in-code.js";
import { localDateTime } from "../../../functions/domain/notification/wall-clock.js";
import { DEFAULT_INPUT_LIMITS } from "../../../functions/domain/validation/input-limits.js";

const NOW = 1_800_000_000;
const code = (overrides: Partial<Parameters<typeof checkSignInCode>[0] & object> = {}) => ({
  merchantId: "m-1",
  codeHash: "h",
  expiresAt: NOW + 60,
  attempts: 0,
  ...overrides,
});

describe("sign-in code rules", () => {
  it.each([
    ["no code", undefined, true, { outcome: "refused", reason: "no-code", countAttempt: false }],
    [
      "used",
      code({ usedAt: "2026-12-04T08:00:00Z" }),
      true,
      { outcome: "refused", reason: "used", countAttempt: false },
    ],
    [
      "expired",
      code({ expiresAt: NOW }),
      true,
      { outcome: "refused", reason: "expired", countAttempt: false },
    ],
    [
      "locked",
      code({ attempts: SIGN_IN_CODE.maxAttempts }),
      true,
      { outcome: "refused", reason: "locked", countAttempt: false },
    ],
    ["wrong", code({ attempts: 4 }), false, { outcome: "refused", reason: "wrong", countAttempt: true }],
    ["right", code({ attempts: 4 }), true, { outcome: "accepted" }],
  ])("%s", (_, stored, matches, expected) => {
    expect(checkSignInCode(stored, matches, NOW)).toEqual(expected);
  });

  it("formats every draw as exactly 6 digits and refuses draws outside [0, 10^6)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => /^\d{6}$/.test(formatSignInCode(n))));
    expect(() => formatSignInCode(1_000_000)).toThrow(RangeError);
    expect(() => formatSignInCode(-1)).toThrow(RangeError);
  });

  it.each([
    ["13800138000", "+8613800138000"],
    ["138 0013 8000", "+8613800138000"],
    ["+86 138-0013-8000", "+8613800138000"],
    ["008613800138000", "+8613800138000"],
    ["+852 9123 4567", "+85291234567"],
    ["12125550123", undefined],
    ["not a number", undefined],
    ["9".repeat(50), undefined],
  ])("reads %j as %j", (typed, expected) => {
    expect(normalizeMobileNumber(typed)).toBe(expected);
  });
});

describe("lookup window and masking", () => {
  it("lists every trade date a payment confirmed in the window can be filed under (any zone, cut-off either way)", () => {
    const instant = fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-01-01") });
    const zones = fc.constantFrom(
      "Pacific/Kiritimati",
      "Pacific/Pago_Pago",
      "Asia/Shanghai",
      "America/New_York",
      "UTC",
    );
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 1440 }),
        fc.integer({ min: 0, max: 1 }),
        zones,
        (from, minutes, shift, zone) => {
          const to = from + minutes * 60_000;
          const at = from + Math.floor((to - from) / 2);
          const local = localDateTime(at, zone);
          const localDate = Date.UTC(local.year, local.month - 1, local.day);
          const dates = tradeDatesAround(new Date(from).toISOString(), new Date(to).toISOString());
          for (const offset of [-shift, shift])
            expect(dates).toContain(new Date(localDate + offset * 86_400_000).toISOString().slice(0, 10));
        },
      ),
    );
  });

  it("defaults to the last 30 minutes and takes withinMinutes either side of around", () => {
    const now = new Date("2026-12-04T08:00:00.000Z");
    const last = parseLookupQuery("amountMinor=100&currency=CNY", now, DEFAULT_INPUT_LIMITS);
    expect(last).toEqual({
      ok: true,
      value: {
        amountMinor: 100,
        currency: "CNY",
        from: "2026-12-04T07:30:00.000Z",
        to: "2026-12-04T08:00:00.000Z",
      },
    });
    const around = parseLookupQuery(
      "amountMinor=100&currency=CNY&around=2026-12-04T15:00:00%2B08:00&withinMinutes=10",
      now,
      DEFAULT_INPUT_LIMITS,
    );
    expect(around.ok && around.value).toMatchObject({
      from: "2026-12-04T06:50:00.000Z",
      to: "2026-12-04T07:10:00.000Z",
    });
  });

  it("masks a reference: at most 8 characters show, at least half (or 4) stay hidden, a long one's length too", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/), (reference) => {
        const masked = maskReference(reference);
        const hidden = [...masked].filter((c) => c === "*").length;
        expect(masked.length - hidden).toBeLessThanOrEqual(8);
        expect(hidden).toBeGreaterThanOrEqual(Math.min(4, Math.ceil(reference.length / 2)));
        if (reference.length >= 12) expect(masked).toHaveLength(12);
      }),
    );
    expect(maskReference("4200001234202609300001")).toBe("4200****0001");
  });
});
