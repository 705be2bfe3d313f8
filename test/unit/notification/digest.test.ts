import { describe, expect, it } from "vitest";
import {
  buildArrivedNotice,
  buildOverdueDigest,
  buildOverdueDigests,
  currencyTotals,
} from "../../../functions/domain/notification/digest.js";
import { formatMoney } from "../../../functions/domain/notification/money-text.js";
import { merchant, payment } from "./fixtures.js";

describe("formatMoney", () => {
  it.each([
    [128450, "CNY", "¥1,284.50"],
    [5, "CNY", "¥0.05"],
    [0, "CNY", "¥0.00"],
    [123456789, "CNY", "¥1,234,567.89"],
    [20000, "HKD", "HK$200.00"],
    [1299, "USD", "US$12.99"],
    [1200, "JPY", "JP¥1,200"],
    [999, "EUR", "€9.99"],
    [1234, "KWD", "KWD 1.234"],
    [100000, "THB", "THB 1,000.00"],
    [-500, "HKD", "-HK$5.00"],
  ])("%i %s → %s", (amountMinor, currency, text) => {
    expect(formatMoney(amountMinor, currency)).toBe(text);
  });

  it("rejects unknown currencies and non-integer amounts", () => {
    expect(() => formatMoney(100, "RMB")).toThrow(RangeError);
    expect(() => formatMoney(1.5, "CNY")).toThrow(RangeError);
  });
});

describe("currencyTotals", () => {
  it("sums minor units per currency, sorted by code", () => {
    expect(
      currencyTotals([
        { amountMinor: 20000, currency: "HKD" },
        { amountMinor: 12850, currency: "CNY" },
        { amountMinor: 100000, currency: "CNY" },
        { amountMinor: 15600, currency: "CNY" },
      ]),
    ).toEqual([
      { currency: "CNY", amountMinor: 128450 },
      { currency: "HKD", amountMinor: 20000 },
    ]);
  });

  it("refuses to lose precision", () => {
    expect(() =>
      currencyTotals([
        { amountMinor: Number.MAX_SAFE_INTEGER, currency: "CNY" },
        { amountMinor: 1, currency: "CNY" },
      ]),
    ).toThrow(RangeError);
  });
});

describe("buildOverdueDigests", () => {
  const m1 = merchant();
  const m2 = merchant({ merchantId: "m-002", name: "Beijing Noodles" });
  const profiles = new Map([
    [m1.merchantId, m1],
    [m2.merchantId, m2],
  ]);

  it("one digest per merchant, currency totals, oldest first, unnotifiable apart", () => {
    const candidates = [
      {
        payment: payment({
          paymentId: "a-3",
          amountMinor: 15600,
          arrival: { expectedBy: "2026-10-09T10:00:00.000Z" },
        }),
        level: 0,
      },
      { payment: payment({ paymentId: "a-1", amountMinor: 12850 }), level: 0 },
      { payment: payment({ paymentId: "b-1", merchantId: "m-002", amountMinor: 999 }), level: 1 },
      {
        payment: payment({ paymentId: "a-2", amountMinor: 100000, confirmedAt: "2026-09-30T09:00:00+08:00" }),
        level: 1,
      },
      { payment: payment({ paymentId: "a-4", amountMinor: 20000, currency: "HKD" }), level: 0 },
      { payment: payment({ paymentId: "x-1", merchantId: "m-404" }), level: 0 },
      { payment: payment({ paymentId: "x-2", merchantId: "m-001", merchantRegistered: false }), level: 0 },
    ];
    const { digests, unnotifiable } = buildOverdueDigests(candidates, profiles);

    expect(digests.map((d) => [d.merchantId, d.kind, d.level, d.count])).toEqual([
      ["m-001", "overdue", 1, 4],
      ["m-002", "escalation", 1, 1],
    ]);
    const [first] = digests;
    expect(first?.totals).toEqual([
      { currency: "CNY", amountMinor: 128450 },
      { currency: "HKD", amountMinor: 20000 },
    ]);
    // Earliest due first; same due: earliest confirmed (a-2 at 09:00 before a-1 and a-4 at 15:00), then id.
    expect(first?.lines.map((line) => line.paymentId)).toEqual(["a-2", "a-1", "a-4", "a-3"]);
    expect(first?.lines[0]).toMatchObject({
      reference: "a-2",
      orderId: "ORD-1001",
      confirmedOn: { year: 2026, month: 9, day: 30 },
      dueAt: { year: 2026, month: 10, day: 8, hour: 18, minute: 0 },
      level: 1,
    });
    expect(first?.acquirers).toEqual(["wechatpay"]);
    expect(unnotifiable.map((u) => [u.payment.paymentId, u.reason])).toEqual([
      ["x-1", "no-profile"],
      ["x-2", "merchant-unregistered"],
    ]);
  });

  it("dates are in the merchant's zone", () => {
    const newYork = merchant({ merchantId: "m-ny", timeZone: "America/New_York" }, { language: "en" });
    const digest = buildOverdueDigest(newYork, [
      { payment: payment({ merchantId: "m-ny", confirmedAt: "2026-10-01T01:00:00+08:00" }), level: 0 },
    ]);
    // 1 Oct 01:00 Shanghai = 30 Sep 13:00 New York; due 10:00Z = 06:00 EDT.
    expect(digest.lines[0]?.confirmedOn).toEqual({ year: 2026, month: 9, day: 30 });
    expect(digest.lines[0]?.dueAt).toEqual({ year: 2026, month: 10, day: 8, hour: 6, minute: 0 });
    expect(digest.language).toBe("en");
  });

  it("refuses another merchant's payment, a payment without arrival, and an empty list", () => {
    expect(() =>
      buildOverdueDigest(merchant(), [{ payment: payment({ merchantId: "m-002" }), level: 0 }]),
    ).toThrow(RangeError);
    const { arrival: _arrival, ...refund } = payment();
    expect(() => buildOverdueDigest(merchant(), [{ payment: refund, level: 0 }])).toThrow(RangeError);
    expect(() => buildOverdueDigest(merchant(), [])).toThrow(RangeError);
  });
});

describe("buildArrivedNotice", () => {
  it("groups the merchant's late payments that arrived", () => {
    const digest = buildArrivedNotice(merchant(), [
      payment({ paymentId: "a-1", status: "SETTLED_LATE" }),
      payment({ paymentId: "a-2", status: "SETTLED_LATE", amountMinor: 100 }),
    ]);
    expect(digest).toMatchObject({
      kind: "arrived",
      level: 0,
      count: 2,
      totals: [{ currency: "CNY", amountMinor: 12950 }],
    });
  });
});
