import { describe, expect, it } from "vitest";
import type { MatchOptions } from "../../../functions/domain/matching/match-decision.js";
import { matchSettlementLine } from "../../../functions/domain/matching/match-ladder.js";
import { ACQUIRER, InMemoryPayments, line, payment, TERMS } from "./fixtures.js";

const options: MatchOptions = { terms: TERMS };

/** A WeChat-style refund row: the original's ids, debit, fee returned (negative). */
function refundLine(amountMinor: number, overrides: Parameters<typeof line>[0] = {}) {
  const returnedFee = -Math.round((amountMinor * 6) / 1000);
  return line({
    kind: "refund",
    direction: "debit",
    grossMinor: amountMinor,
    feeMinor: returnedFee,
    netMinor: amountMinor + returnedFee,
    valueDate: "2026-10-03",
    ...overrides,
  });
}

describe("refund lines close their original payment", () => {
  it("a full refund: SETTLED → REFUNDED, recorded in one conditional write", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "SETTLED" })]);
    const decision = await matchSettlementLine(refundLine(10000), ACQUIRER, store, options);
    expect(decision).toMatchObject({
      outcome: "matched",
      rung: "reference",
      reasonCode: "refund-full",
      transition: { from: "SETTLED", to: "REFUNDED" },
      refund: { amountMinor: 10000, refundedBeforeMinor: 0, refundedAfterMinor: 10000, full: true },
      reason: "payment wechat/4200000001 fully refunded (100.00 CNY of 100.00 CNY): SETTLED → REFUNDED",
    });
    expect(decision.update).toEqual({
      payment: { acquirer: ACQUIRER, paymentId: "4200000001", merchantId: "m-1" },
      condition: { status: "SETTLED", refundedMinor: 0, refundLineKeyAbsent: decision.lineKey },
      status: "REFUNDED",
      set: { refundedMinor: 10000 },
      addRefundLineKey: decision.lineKey,
      leaveDueIndex: false,
    });
  });

  it("a full refund of a still PENDING payment also leaves the due index", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const decision = await matchSettlementLine(refundLine(10000), ACQUIRER, store, options);
    expect(decision.transition).toEqual({ from: "PENDING", to: "REFUNDED" });
    expect(decision.update?.leaveDueIndex).toBe(true);
  });

  it("partial refunds keep the status and add up; the one that completes it closes the payment", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "SETTLED" })]);
    const first = await matchSettlementLine(refundLine(3000), ACQUIRER, store, options);
    expect(first).toMatchObject({
      outcome: "matched",
      reasonCode: "refund-partial",
      refund: { amountMinor: 3000, refundedBeforeMinor: 0, refundedAfterMinor: 3000, full: false },
      update: {
        condition: { status: "SETTLED", refundedMinor: 0 },
        set: { refundedMinor: 3000 },
        leaveDueIndex: false,
      },
    });
    expect(first.transition).toBeUndefined();
    expect(first.update?.status).toBeUndefined();
    store.apply(first.update);

    const second = await matchSettlementLine(refundLine(7000, { source: 5 }), ACQUIRER, store, options);
    expect(second).toMatchObject({
      reasonCode: "refund-full",
      transition: { from: "SETTLED", to: "REFUNDED" },
      refund: { refundedBeforeMinor: 3000, refundedAfterMinor: 10000, full: true },
      update: { condition: { refundedMinor: 3000 } },
    });
    store.apply(second.update);
    expect(store.get(ACQUIRER, "4200000001")).toMatchObject({
      status: "REFUNDED",
      settlement: { refundedMinor: 10000, refundLineKeys: [first.lineKey, second.lineKey] },
    });
  });

  it("a replayed refund line is not counted twice", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "SETTLED" })]);
    store.apply((await matchSettlementLine(refundLine(3000), ACQUIRER, store, options)).update);
    const again = await matchSettlementLine(refundLine(3000), ACQUIRER, store, options);
    expect(again).toMatchObject({ outcome: "matched", reasonCode: "replay" });
    expect(again.update).toBeUndefined();
    expect(store.get(ACQUIRER, "4200000001").settlement?.refundedMinor).toBe(3000);
  });

  it("refunds beyond the payment amount are mismatched, nothing written", async () => {
    const store = new InMemoryPayments([
      payment({
        paymentId: "4200000001",
        status: "SETTLED",
        settlement: { refundedMinor: 8000, refundLineKeys: ["k"] },
      }),
    ]);
    const decision = await matchSettlementLine(refundLine(3000), ACQUIRER, store, options);
    expect(decision).toMatchObject({ outcome: "mismatched", reasonCode: "refund-exceeds-payment" });
    expect(decision.reason).toBe(
      "refund of 30.00 CNY would bring refunds of payment wechat/4200000001 to 110.00 CNY, above its amount 100.00 CNY (already refunded 80.00 CNY)",
    );
    expect(decision.update).toBeUndefined();
  });

  it("the original is found by order number when the reference is not a known payment", async () => {
    const store = new InMemoryPayments([
      payment({ paymentId: "gw-1", orderId: "order-1", status: "SETTLED" }),
    ]);
    const decision = await matchSettlementLine(refundLine(10000), ACQUIRER, store, options);
    expect(decision).toMatchObject({
      rung: "order",
      payment: { paymentId: "gw-1" },
      reasonCode: "refund-full",
    });
  });

  it("a refund confirmation found by reference is followed to its original", async () => {
    const store = new InMemoryPayments([
      payment({ paymentId: "p-1", status: "SETTLED" }),
      payment({
        paymentId: "503-refund",
        kind: "refund",
        status: "RECORDED",
        originalPaymentId: "p-1",
        amountMinor: 2500,
      }),
    ]);
    const decision = await matchSettlementLine(
      refundLine(2500, { reference: "503-refund", merchantReference: null }),
      ACQUIRER,
      store,
      options,
    );
    expect(decision).toMatchObject({
      rung: "reference",
      payment: { paymentId: "p-1" },
      reasonCode: "refund-partial",
    });
  });

  it("never by amount window: an unknown original keeps the refund line unmatched", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "other", status: "SETTLED" })]);
    const decision = await matchSettlementLine(refundLine(10000), ACQUIRER, store, options);
    expect(decision).toMatchObject({ outcome: "unmatched", reasonCode: "awaiting-original" });
    expect(decision.reason).toBe(
      "refund of 100.00 CNY: no original payment found by reference 4200000001, order order-1; kept until it arrives",
    );
    expect(store.queries.some((q) => q.startsWith("window"))).toBe(false);
  });

  it("a refund of a reversed payment, or in another currency, is mismatched", async () => {
    const reversed = new InMemoryPayments([payment({ paymentId: "4200000001", status: "REVERSED" })]);
    expect((await matchSettlementLine(refundLine(10000), ACQUIRER, reversed, options)).reasonCode).toBe(
      "refund-of-reversed",
    );
    const settled = new InMemoryPayments([payment({ paymentId: "4200000001", status: "SETTLED" })]);
    expect(
      (await matchSettlementLine(refundLine(10000, { currency: "HKD" }), ACQUIRER, settled, options))
        .reasonCode,
    ).toBe("currency");
  });

  it("a full refund of a MISMATCH payment records the refund but keeps MISMATCH", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "MISMATCH" })]);
    const decision = await matchSettlementLine(refundLine(10000), ACQUIRER, store, options);
    expect(decision).toMatchObject({ reasonCode: "refund-full", update: { set: { refundedMinor: 10000 } } });
    expect(decision.transition).toBeUndefined();
    expect(decision.update?.status).toBeUndefined();
  });
});
