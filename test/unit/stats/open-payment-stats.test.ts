import { describe, expect, it } from "vitest";
import {
  effectOf,
  hasEffect,
  type ItemImage,
  openShareOf,
  sumTotals,
} from "../../../functions/domain/stats/open-payment-stats.js";

const payment = (overrides: Record<string, unknown> = {}): ItemImage => ({
  pk: "PAY#acme#p1",
  sk: "PAYMENT",
  entity: "payment",
  kind: "payment",
  acquirer: "acme",
  currency: "CNY",
  amountMinor: 12850,
  status: "PENDING",
  ...overrides,
});

describe("open payment counters from table changes", () => {
  it("counts only payments (not refunds, placeholders or other items) in an open state", () => {
    expect(openShareOf(payment())).toEqual({
      acquirer: "acme",
      state: "PENDING",
      currency: "CNY",
      count: 1,
      amountMinor: 12850n,
    });
    expect(openShareOf(payment({ status: "OVERDUE" }))?.state).toBe("OVERDUE");
    for (const status of ["SETTLED", "SETTLED_LATE", "MISMATCH", "REVERSED", "REFUNDED", "RECORDED"])
      expect(openShareOf(payment({ status })), status).toBeUndefined();
    expect(openShareOf(payment({ kind: "refund", status: "RECORDED" }))).toBeUndefined();
    expect(openShareOf(payment({ entity: "pending-lines" }))).toBeUndefined();
    expect(openShareOf(payment({ amountMinor: "12x" }))).toBeUndefined();
    expect(openShareOf(undefined)).toBeUndefined();
  });

  it("a new payment adds one pending; PENDING → OVERDUE moves it; OVERDUE → SETTLED_LATE removes it and is a flow", () => {
    expect(effectOf({ changeId: "c1", newImage: payment() }).deltas).toEqual([
      { acquirer: "acme", state: "PENDING", currency: "CNY", count: 1, amountMinor: 12850n },
    ]);
    const overdue = effectOf({
      changeId: "c2",
      oldImage: payment(),
      newImage: payment({ status: "OVERDUE" }),
    });
    expect(overdue.deltas).toEqual([
      { acquirer: "acme", state: "PENDING", currency: "CNY", count: -1, amountMinor: -12850n },
      { acquirer: "acme", state: "OVERDUE", currency: "CNY", count: 1, amountMinor: 12850n },
    ]);
    expect(overdue.settledLate).toBeUndefined();
    const late = effectOf({
      changeId: "c3",
      oldImage: payment({ status: "OVERDUE" }),
      newImage: payment({ status: "SETTLED_LATE" }),
    });
    expect(late.deltas).toEqual([
      { acquirer: "acme", state: "OVERDUE", currency: "CNY", count: -1, amountMinor: -12850n },
    ]);
    expect(late.settledLate).toBe("acme");
  });

  it("a confirmation landing on a placeholder of early settlement lines counts as a new payment", () => {
    const effect = effectOf({
      changeId: "c4",
      oldImage: { pk: "PAY#acme#p1", sk: "PAYMENT", entity: "pending-lines" },
      newImage: payment(),
    });
    expect(effect.deltas.map((delta) => delta.count)).toEqual([1]);
  });

  it("an update that keeps the state (a notice recorded) and a re-put file day have no effect", () => {
    const notice = effectOf({
      changeId: "c5",
      oldImage: payment({ status: "OVERDUE" }),
      newImage: payment({ status: "OVERDUE", noticeHistory: [{ kind: "overdue" }] }),
    });
    expect(notice.deltas).toEqual([]);
    expect(hasEffect(notice)).toBe(false);
    const fileDay = { pk: "FILEDAY#acme", sk: "2026-10-08", entity: "file-day", acquirer: "acme" };
    expect(effectOf({ changeId: "c6", newImage: fileDay }).fileReceived).toBe("acme");
    expect(hasEffect(effectOf({ changeId: "c7", oldImage: fileDay, newImage: fileDay }))).toBe(false);
  });

  it("a deleted open payment leaves the counters", () => {
    expect(
      effectOf({ changeId: "c8", oldImage: payment({ status: "OVERDUE", amountMinor: 5 }) }).deltas,
    ).toEqual([{ acquirer: "acme", state: "OVERDUE", currency: "CNY", count: -1, amountMinor: -5n }]);
  });

  it("sums by acquirer, state and currency and drops totals that cancel out", () => {
    const base = { acquirer: "acme", state: "PENDING" as const, currency: "CNY" };
    expect(
      sumTotals([
        { ...base, count: 1, amountMinor: 100n },
        { ...base, count: -1, amountMinor: -100n },
        { ...base, currency: "USD", count: 1, amountMinor: 7n },
        { ...base, currency: "USD", count: 2, amountMinor: 3n },
      ]),
    ).toEqual([{ ...base, currency: "USD", count: 3, amountMinor: 10n }]);
  });
});
