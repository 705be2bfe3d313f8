import { describe, expect, it } from "vitest";
import { settlementLineKey } from "../../../functions/domain/matching/line-identity.js";
import type { MatchOptions } from "../../../functions/domain/matching/match-decision.js";
import { matchSettlementLine } from "../../../functions/domain/matching/match-ladder.js";
import { ACQUIRER, InMemoryPayments, line, payment, TERMS } from "./fixtures.js";

const options: MatchOptions = { terms: TERMS };

describe("the ladder's rungs", () => {
  it("rung 1: the acquirer's reference is the payment id; PENDING → SETTLED, its due entry left for the check to skip", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const l = line();
    const decision = await matchSettlementLine(l, ACQUIRER, store, options);
    const lineKey = settlementLineKey(l, ACQUIRER);
    expect(decision).toMatchObject({
      outcome: "matched",
      rung: "reference",
      reasonCode: "settled",
      lineKey,
      payment: { acquirer: ACQUIRER, paymentId: "4200000001", merchantId: "m-1" },
      transition: { from: "PENDING", to: "SETTLED" },
    });
    expect(decision.update).toEqual({
      payment: { acquirer: ACQUIRER, paymentId: "4200000001", merchantId: "m-1" },
      condition: { status: "PENDING", lineKey: null },
      status: "SETTLED",
      set: { lineKey, valueDate: "2026-10-02", figures: decision.figures, outcome: "matched" },
      // A PENDING payment keeps its due entry: the overdue check skips it once it is settled.
      leaveDueIndex: false,
    });
    expect(store.queries).toEqual(["reference wechat 4200000001"]);
  });

  it("rung 2: the merchant's order number when the reference is unknown", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "gw-77", orderId: "order-1" })]);
    const decision = await matchSettlementLine(line(), ACQUIRER, store, options);
    expect(decision).toMatchObject({ outcome: "matched", rung: "order", payment: { paymentId: "gw-77" } });
    expect(store.queries).toEqual(["reference wechat 4200000001", "order m-1 order-1"]);
  });

  it("rung 2 ignores another acquirer's payment with the same order number", async () => {
    const store = new InMemoryPayments([
      payment({ paymentId: "gw-77", orderId: "order-1", acquirer: "alipay" }),
    ]);
    const decision = await matchSettlementLine(line({ reference: null }), ACQUIRER, store, options);
    expect(decision.outcome).toBe("unmatched");
  });

  it("rung 3: merchant + amount + date window, exactly one candidate", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "pos-1" })]);
    const decision = await matchSettlementLine(line({ merchantReference: null }), ACQUIRER, store, options);
    expect(decision).toMatchObject({ outcome: "matched", rung: "window", payment: { paymentId: "pos-1" } });
    expect(store.queries.at(-1)).toBe("window m-1 CNY 10000 2026-09-25..2026-10-03");
  });

  it("rung 3 never guesses between two: unmatched 'ambiguous: 2 candidates' with their ids", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "pos-1" }), payment({ paymentId: "pos-2" })]);
    const decision = await matchSettlementLine(line({ merchantReference: null }), ACQUIRER, store, options);
    expect(decision.outcome).toBe("unmatched");
    expect(decision.rung).toBe("window");
    expect(decision.reasonCode).toBe("ambiguous");
    expect(decision.reason).toBe(
      "ambiguous: 2 candidates by window (wechat/pos-1, wechat/pos-2) for 100.00 CNY on 2026-10-02; not guessed",
    );
    expect(decision.candidates?.map((c) => c.paymentId)).toEqual(["pos-1", "pos-2"]);
    expect(decision.update).toBeUndefined();
    expect(decision.payment).toBeUndefined();
  });

  it("rung 3 skips payments already SETTLED / SETTLED_LATE / REVERSED / REFUNDED", async () => {
    const store = new InMemoryPayments([
      payment({ paymentId: "done-1", status: "SETTLED" }),
      payment({ paymentId: "done-2", status: "SETTLED_LATE" }),
      payment({ paymentId: "done-3", status: "REVERSED" }),
      payment({ paymentId: "done-4", status: "REFUNDED" }),
      payment({ paymentId: "open-1", status: "OVERDUE" }),
    ]);
    const decision = await matchSettlementLine(line({ merchantReference: null }), ACQUIRER, store, options);
    expect(decision).toMatchObject({
      outcome: "matched",
      rung: "window",
      payment: { paymentId: "open-1" },
      transition: { from: "OVERDUE", to: "SETTLED_LATE" },
    });
  });

  it("rung 3 drops a candidate whose own order id contradicts the line", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "pos-1", orderId: "order-9" })]);
    const decision = await matchSettlementLine(
      line({ merchantReference: "order-1" }),
      ACQUIRER,
      store,
      options,
    );
    expect(decision.reasonCode).toBe("awaiting-confirmation");
  });

  it("rung 3 ignores trade dates outside the window", async () => {
    // No expected arrival: filed under the UTC date of its confirmation, 2026-09-20 (window starts 09-25).
    const { arrival: _arrival, ...old } = payment({
      paymentId: "old",
      confirmedAtUtc: "2026-09-20T02:00:00.000Z",
    });
    const store = new InMemoryPayments([old]);
    const decision = await matchSettlementLine(line({ merchantReference: null }), ACQUIRER, store, options);
    expect(decision.reasonCode).toBe("awaiting-confirmation");
  });

  it("nothing found: unmatched, kept until the confirmation arrives, with what was tried", async () => {
    const decision = await matchSettlementLine(line(), ACQUIRER, new InMemoryPayments(), options);
    expect(decision).toMatchObject({ outcome: "unmatched", rung: null, reasonCode: "awaiting-confirmation" });
    expect(decision.reason).toBe(
      "no payment found by reference 4200000001, order order-1, window m-1 100.00 CNY trade dates 2026-09-25..2026-10-03: kept until its confirmation arrives",
    );
  });

  it("a line with nothing to match on is unidentifiable", async () => {
    const l = line({ reference: null, merchantReference: null, merchantId: null });
    const decision = await matchSettlementLine(l, ACQUIRER, new InMemoryPayments(), options);
    expect(decision.reasonCode).toBe("unidentifiable");
    expect(decision.reason).toBe(
      "nothing to match on: no reference, no order number; no merchant for a window search",
    );
  });

  it("the window rung can be disabled", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "pos-1" })]);
    const decision = await matchSettlementLine(line({ merchantReference: null }), ACQUIRER, store, {
      ...options,
      window: { enabled: false },
    });
    expect(decision.reasonCode).toBe("awaiting-confirmation");
    expect(store.queries).toEqual(["reference wechat 4200000001"]);
  });
});

describe("amount and fee checks", () => {
  it("net 9939 (1 under 9940) is within tolerance: settled", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const decision = await matchSettlementLine(
      line({ feeMinor: 61, netMinor: 9939 }),
      ACQUIRER,
      store,
      options,
    );
    expect(decision.outcome).toBe("matched");
    expect(decision.transition).toEqual({ from: "PENDING", to: "SETTLED" });
  });

  it("net 9900 is beyond tolerance: PENDING → MISMATCH with both figures kept", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const decision = await matchSettlementLine(
      line({ feeMinor: 100, netMinor: 9900 }),
      ACQUIRER,
      store,
      options,
    );
    expect(decision).toMatchObject({
      outcome: "mismatched",
      reasonCode: "fee",
      transition: { from: "PENDING", to: "MISMATCH" },
      figures: {
        paymentAmountMinor: 10000,
        lineGrossMinor: 10000,
        lineNetMinor: 9900,
        expectedNetMinor: 9940,
      },
    });
    expect(decision.reason).toBe(
      "payment wechat/4200000001: net 99.00 CNY, expected 99.40 CNY = gross 100.00 CNY − fee 0.60 CNY (rate 0.006, half-up); difference -0.40 CNY, tolerance 0.01 CNY",
    );
    expect(decision.update).toMatchObject({
      condition: { status: "PENDING", lineKey: null },
      status: "MISMATCH",
      set: { outcome: "mismatched", figures: { lineNetMinor: 9900, expectedNetMinor: 9940 } },
      leaveDueIndex: false,
    });
  });

  it("a line in another currency is a mismatch with the reason", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const decision = await matchSettlementLine(line({ currency: "HKD" }), ACQUIRER, store, options);
    expect(decision).toMatchObject({
      outcome: "mismatched",
      reasonCode: "currency",
      transition: { from: "PENDING", to: "MISMATCH" },
      reason: "payment wechat/4200000001: currency differs: line 99.40 HKD net, payment 100.00 CNY",
    });
  });

  it("the merchant's terms are looked up for the payment found", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", merchantId: "m-2" })]);
    const seen: string[] = [];
    const decision = await matchSettlementLine(line({ feeMinor: 38, netMinor: 9962 }), ACQUIRER, store, {
      terms: async (merchantId) => {
        seen.push(merchantId);
        return { feeRate: "0.0038", arrivalMode: "acquirer-file" };
      },
    });
    expect(seen).toEqual(["m-2"]);
    expect(decision.reasonCode).toBe("settled");
  });
});

describe("status rules", () => {
  it("OVERDUE → SETTLED_LATE", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "OVERDUE" })]);
    const decision = await matchSettlementLine(line(), ACQUIRER, store, options);
    expect(decision).toMatchObject({
      outcome: "matched",
      reasonCode: "settled-late",
      transition: { from: "OVERDUE", to: "SETTLED_LATE" },
      update: {
        condition: { status: "OVERDUE", lineKey: null },
        status: "SETTLED_LATE",
        leaveDueIndex: true,
      },
    });
  });

  it("OVERDUE → MISMATCH when the amounts differ", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "OVERDUE" })]);
    const decision = await matchSettlementLine(
      line({ grossMinor: 9000, feeMinor: 54, netMinor: 8946 }),
      ACQUIRER,
      store,
      options,
    );
    expect(decision).toMatchObject({ reasonCode: "amount", transition: { from: "OVERDUE", to: "MISMATCH" } });
  });

  it("replaying the same line is matched again with nothing to write (idempotent)", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const first = await matchSettlementLine(line(), ACQUIRER, store, options);
    store.apply(first.update);
    expect(store.get(ACQUIRER, "4200000001").status).toBe("SETTLED");

    const again = await matchSettlementLine(line(), ACQUIRER, store, options);
    expect(again).toMatchObject({ outcome: "matched", rung: "reference", reasonCode: "replay" });
    expect(again.transition).toBeUndefined();
    expect(again.update).toBeUndefined();
    expect(again.figures).toEqual(first.figures);
  });

  it("replaying a line that flagged a MISMATCH stays mismatched with nothing to write", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const bad = line({ feeMinor: 100, netMinor: 9900 });
    store.apply((await matchSettlementLine(bad, ACQUIRER, store, options)).update);
    const again = await matchSettlementLine(bad, ACQUIRER, store, options);
    expect(again).toMatchObject({ outcome: "mismatched", reasonCode: "replay" });
    expect(again.update).toBeUndefined();
  });

  it("replay through the window rung finds the payment it settled (not skipped as SETTLED)", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "pos-1" })]);
    const l = line({ reference: null, merchantReference: null });
    store.apply((await matchSettlementLine(l, ACQUIRER, store, options)).update);
    const again = await matchSettlementLine(l, ACQUIRER, store, options);
    expect(again).toMatchObject({ outcome: "matched", rung: "window", reasonCode: "replay" });
  });

  it("a second, different line for a settled payment is a duplicate settlement: 'settled twice'", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    store.apply((await matchSettlementLine(line(), ACQUIRER, store, options)).update);
    const duplicate = await matchSettlementLine(
      line({ source: 9, valueDate: "2026-10-03" }),
      ACQUIRER,
      store,
      options,
    );
    expect(duplicate).toMatchObject({
      outcome: "mismatched",
      rung: "reference",
      reasonCode: "settled-twice",
    });
    expect(duplicate.reason).toBe(
      "settled twice: payment wechat/4200000001 is already SETTLED by another line (value date 2026-10-02); this line (99.40 CNY net on 2026-10-03) is a duplicate settlement",
    );
    expect(duplicate.update).toBeUndefined();
    expect(duplicate.transition).toBeUndefined();
    expect(store.get(ACQUIRER, "4200000001").status).toBe("SETTLED");
  });

  it("a settlement line for a REVERSED payment is mismatched 'reversed', nothing written", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "REVERSED" })]);
    const decision = await matchSettlementLine(line(), ACQUIRER, store, options);
    expect(decision).toMatchObject({ outcome: "mismatched", reasonCode: "reversed" });
    expect(decision.update).toBeUndefined();
  });

  it("a payment refunded before its settlement line: the line is recorded, status stays REFUNDED", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001", status: "REFUNDED" })]);
    const decision = await matchSettlementLine(line(), ACQUIRER, store, options);
    expect(decision).toMatchObject({
      outcome: "matched",
      reasonCode: "settled-after-refund",
      update: { condition: { status: "REFUNDED", lineKey: null }, leaveDueIndex: false },
    });
    expect(decision.update?.status).toBeUndefined();
    expect(decision.transition).toBeUndefined();
  });

  it("a reference that is a refund confirmation cannot be settled by a payment line", async () => {
    const store = new InMemoryPayments([
      payment({ paymentId: "4200000001", kind: "refund", status: "RECORDED", originalPaymentId: "p-0" }),
    ]);
    const decision = await matchSettlementLine(line(), ACQUIRER, store, options);
    expect(decision).toMatchObject({ outcome: "mismatched", reasonCode: "confirmation-kind" });
  });

  it("a debit payment line is not a settlement", async () => {
    const decision = await matchSettlementLine(
      line({ direction: "debit" }),
      ACQUIRER,
      new InMemoryPayments(),
      options,
    );
    expect(decision).toMatchObject({ outcome: "unmatched", reasonCode: "unexpected-direction" });
  });
});

describe("non-payment lines", () => {
  it("a payout line defines a batch for leg 2 (unmatched, kept)", async () => {
    const decision = await matchSettlementLine(
      line({
        kind: "payout",
        direction: "debit",
        batchReference: "po_123456",
        netMinor: 500000,
        grossMinor: null,
        feeMinor: null,
      }),
      ACQUIRER,
      new InMemoryPayments(),
      options,
    );
    expect(decision).toMatchObject({
      outcome: "unmatched",
      reasonCode: "payout-batch",
      batchKey: "ref:wechat:po_123456",
      reason: "payout of 5000.00 CNY on 2026-10-02: batch ref:wechat:po_123456, confirmed by the bank credit",
    });
  });

  it("fee and other lines are informational (unmatched, kept)", async () => {
    for (const kind of ["fee", "other"] as const) {
      const decision = await matchSettlementLine(
        line({ kind, direction: "debit", netMinor: 60 }),
        ACQUIRER,
        new InMemoryPayments(),
        options,
      );
      expect(decision).toMatchObject({ outcome: "unmatched", reasonCode: "informational" });
    }
  });
});

describe("bank-credit arrival mode", () => {
  const bankCredit: MatchOptions = { terms: { ...TERMS, arrivalMode: "bank-credit" } };

  it("the matched line ties the payment to its batch; it stays PENDING and due", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const decision = await matchSettlementLine(
      line({ batchReference: "B-0001" }),
      ACQUIRER,
      store,
      bankCredit,
    );
    expect(decision).toMatchObject({
      outcome: "matched",
      reasonCode: "awaiting-bank-credit",
      batchKey: "ref:wechat:B-0001",
      update: {
        condition: { status: "PENDING", lineKey: null },
        set: { batchKey: "ref:wechat:B-0001" },
        leaveDueIndex: false,
      },
    });
    expect(decision.update?.status).toBeUndefined();
    expect(decision.transition).toBeUndefined();
  });

  it("without a batch reference the line belongs to the acquirer's day batch", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const decision = await matchSettlementLine(line(), ACQUIRER, store, bankCredit);
    expect(decision.batchKey).toBe("day:wechat:m-1:CNY:2026-10-02");
  });

  it("when the batch was already credited, the line settles the payment at once", async () => {
    const store = new InMemoryPayments([payment({ paymentId: "4200000001" })]);
    const decision = await matchSettlementLine(line({ batchReference: "B-0001" }), ACQUIRER, store, {
      ...bankCredit,
      isBatchCredited: (key) => key === "ref:wechat:B-0001",
    });
    expect(decision).toMatchObject({
      reasonCode: "settled",
      transition: { from: "PENDING", to: "SETTLED" },
      update: { status: "SETTLED", set: { batchKey: "ref:wechat:B-0001" }, leaveDueIndex: false },
    });
  });
});
