import { describe, expect, it } from "vitest";
import type { MatchOptions } from "../../../functions/domain/matching/match-decision.js";
import { matchSettlementLine } from "../../../functions/domain/matching/match-ladder.js";
import {
  matchPendingLinesForConfirmation,
  type StoredLine,
} from "../../../functions/domain/matching/pending-lines.js";
import { ACQUIRER, InMemoryPayments, line, payment, TERMS } from "./fixtures.js";

const options: MatchOptions = { terms: TERMS };

function stored(l: ReturnType<typeof line>): StoredLine {
  return { line: l, acquirer: ACQUIRER };
}

describe("out of order: the file before the confirmation", () => {
  it("a line kept as unmatched is matched when its confirmation arrives", async () => {
    const store = new InMemoryPayments();
    const early = line();
    const first = await matchSettlementLine(early, ACQUIRER, store, options);
    expect(first).toMatchObject({ outcome: "unmatched", reasonCode: "awaiting-confirmation" });

    const arrived = payment({ paymentId: "4200000001" });
    store.put(arrived);
    const results = await matchPendingLinesForConfirmation(arrived, [stored(early)], store, options);
    expect(results).toHaveLength(1);
    expect(results[0]?.decision).toMatchObject({
      outcome: "matched",
      rung: "reference",
      reasonCode: "settled",
      lineKey: first.lineKey,
      transition: { from: "PENDING", to: "SETTLED" },
      update: { leaveDueIndex: false },
    });
  });

  it("lines that do not concern the payment are not returned", async () => {
    const arrived = payment({ paymentId: "4200000001", orderId: "order-1" });
    const unrelated = line({
      reference: "4200000999",
      merchantReference: "order-9",
      grossMinor: 5000,
      feeMinor: 30,
      netMinor: 4970,
    });
    const otherAcquirer: StoredLine = { line: line(), acquirer: "alipay" };
    const results = await matchPendingLinesForConfirmation(
      arrived,
      [stored(unrelated), otherAcquirer],
      new InMemoryPayments([arrived]),
      options,
    );
    expect(results).toEqual([]);
  });

  it("the new payment is seen even when the lookup does not show it yet (eventually consistent index)", async () => {
    const arrived = payment({ paymentId: "pos-1", orderId: "order-1" });
    const early = line({ reference: "acq-ref-unknown" });
    const results = await matchPendingLinesForConfirmation(
      arrived,
      [stored(early)],
      new InMemoryPayments(),
      options,
    );
    expect(results[0]?.decision).toMatchObject({
      outcome: "matched",
      rung: "order",
      payment: { paymentId: "pos-1" },
    });
  });

  it("by window too - and the exactly-one rule still sees the other payments", async () => {
    const early = line({ reference: null, merchantReference: null });
    const arrived = payment({ paymentId: "pos-2" });

    const alone = await matchPendingLinesForConfirmation(
      arrived,
      [stored(early)],
      new InMemoryPayments([arrived]),
      options,
    );
    expect(alone[0]?.decision).toMatchObject({
      outcome: "matched",
      rung: "window",
      payment: { paymentId: "pos-2" },
    });

    const twin = payment({ paymentId: "pos-1" });
    const crowded = await matchPendingLinesForConfirmation(
      arrived,
      [stored(early)],
      new InMemoryPayments([twin, arrived]),
      options,
    );
    expect(crowded[0]?.decision).toMatchObject({ outcome: "unmatched", reasonCode: "ambiguous" });
  });

  it("two kept lines for one payment: the first settles it, the second is a duplicate", async () => {
    const arrived = payment({ paymentId: "4200000001" });
    const a = line({ source: 3 });
    const b = line({ source: 7, valueDate: "2026-10-03" });
    const results = await matchPendingLinesForConfirmation(
      arrived,
      [stored(b), stored(a)],
      new InMemoryPayments([arrived]),
      options,
    );
    expect(results.map((r) => [r.stored.line.source, r.decision.outcome, r.decision.reasonCode])).toEqual([
      [3, "matched", "settled"],
      [7, "mismatched", "settled-twice"],
    ]);
  });

  it("a kept refund waits for its original, and is applied after the original's settlement line", async () => {
    const store = new InMemoryPayments();
    const refund = line({
      source: 4,
      kind: "refund",
      direction: "debit",
      grossMinor: 10000,
      feeMinor: -60,
      netMinor: 9940,
      valueDate: "2026-10-02",
    });
    const settlement = line({ source: 9 });
    expect((await matchSettlementLine(refund, ACQUIRER, store, options)).reasonCode).toBe(
      "awaiting-original",
    );

    const arrived = payment({ paymentId: "4200000001" });
    store.put(arrived);
    const results = await matchPendingLinesForConfirmation(
      arrived,
      [stored(refund), stored(settlement)],
      store,
      options,
    );
    expect(results.map((r) => [r.stored.line.kind, r.decision.reasonCode, r.decision.transition])).toEqual([
      ["payment", "settled", { from: "PENDING", to: "SETTLED" }],
      ["refund", "refund-full", { from: "SETTLED", to: "REFUNDED" }],
    ]);
    // Applying the writes in the order returned leaves the payment where the decisions say.
    for (const r of results) store.apply(r.decision.update);
    expect(store.get(ACQUIRER, "4200000001")).toMatchObject({
      status: "REFUNDED",
      settlement: { lineKey: results[0]?.decision.lineKey, refundedMinor: 10000 },
    });
  });

  it("refund and reversal confirmations move no kept line", async () => {
    const refundConfirmation = payment({
      paymentId: "r-1",
      kind: "refund",
      status: "RECORDED",
      originalPaymentId: "p",
    });
    expect(
      await matchPendingLinesForConfirmation(
        refundConfirmation,
        [stored(line())],
        new InMemoryPayments(),
        options,
      ),
    ).toEqual([]);
  });
});
