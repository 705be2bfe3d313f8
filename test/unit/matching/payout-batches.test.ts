import { describe, expect, it } from "vitest";
import { matchSettlementLine } from "../../../functions/domain/matching/match-ladder.js";
import {
  collectPayoutBatches,
  matchBankCredit,
  type PayoutBatch,
  settleBatchPayments,
} from "../../../functions/domain/matching/payout-batches.js";
import type { SettlementLine } from "../../../functions/domain/settlement-files/settlement-record.js";
import { ACQUIRER, InMemoryPayments, line, payment, TERMS } from "./fixtures.js";

const ACCOUNT = "CN12BANK0000111122223333";

function batch(overrides: Partial<PayoutBatch> & { batchKey: string }): PayoutBatch {
  return {
    acquirer: ACQUIRER,
    batchReference: null,
    merchantId: "m-1",
    account: ACCOUNT,
    currency: "CNY",
    netTotalMinor: 19880,
    valueDate: "2026-10-02",
    declaredNetMinor: null,
    computedNetMinor: 19880,
    lineCount: 2,
    ...overrides,
  };
}

/** A bank statement credit as the camt/MT940 parsers give it: merchantId = the account. */
function credit(overrides: Partial<SettlementLine> = {}): SettlementLine {
  return {
    type: "line",
    source: 1,
    reference: "BANKREF-1",
    merchantReference: null,
    batchReference: null,
    merchantId: ACCOUNT,
    direction: "credit",
    currency: "CNY",
    netMinor: 19880,
    grossMinor: null,
    feeMinor: null,
    valueDate: "2026-10-03",
    kind: "payment",
    ...overrides,
  };
}

describe("collectPayoutBatches", () => {
  it("groups lines by batch reference; a payout line gives the declared total", () => {
    const batches = collectPayoutBatches(
      [
        line({ batchReference: "po_1A2B3C" }),
        line({ batchReference: "po_1A2B3C", reference: "4200000002" }),
        line({
          batchReference: "po_1A2B3C",
          kind: "fee",
          direction: "debit",
          grossMinor: null,
          feeMinor: null,
          netMinor: 10,
        }),
        line({
          batchReference: "po_1A2B3C",
          kind: "payout",
          direction: "debit",
          netMinor: 19870,
          grossMinor: null,
          feeMinor: null,
          valueDate: "2026-10-03",
        }),
      ],
      ACQUIRER,
      { accountFor: () => ACCOUNT },
    );
    expect(batches).toEqual([
      {
        batchKey: "ref:wechat:po_1A2B3C",
        acquirer: ACQUIRER,
        batchReference: "po_1A2B3C",
        merchantId: "m-1",
        account: ACCOUNT,
        currency: "CNY",
        netTotalMinor: 19870,
        valueDate: "2026-10-03",
        declaredNetMinor: 19870,
        computedNetMinor: 19870,
        lineCount: 3,
      },
    ]);
  });

  it("without batch references: one day batch per merchant, currency and value date, total computed", () => {
    const batches = collectPayoutBatches(
      [line(), line({ reference: "4200000002" }), line({ valueDate: "2026-10-03" })],
      ACQUIRER,
    );
    expect(batches.map((b) => [b.batchKey, b.netTotalMinor, b.declaredNetMinor, b.account])).toEqual([
      ["day:wechat:m-1:CNY:2026-10-02", 19880, null, null],
      ["day:wechat:m-1:CNY:2026-10-03", 9940, null, null],
    ]);
  });
});

describe("matchBankCredit", () => {
  it("by batch reference found as a token in the remittance information", () => {
    const decision = matchBankCredit(credit({ batchReference: "STRIPE PAYOUT po_1A2B3C /ROC/" }), [
      batch({ batchKey: "ref:stripe:po_1A2B3C", batchReference: "po_1A2B3C" }),
      batch({ batchKey: "ref:stripe:po_1A2B3CD", batchReference: "po_1A2B3CD" }),
    ]);
    expect(decision).toMatchObject({
      outcome: "matched",
      rung: "batch-reference",
      reasonCode: "credited",
      batch: { batchKey: "ref:stripe:po_1A2B3C" },
      figures: { batchNetMinor: 19880, creditMinor: 19880, differenceMinor: 0 },
      batchUpdate: {
        batchKey: "ref:stripe:po_1A2B3C",
        condition: { creditedBy: null },
        set: { creditedBy: decision.creditKey, creditedOn: "2026-10-03" },
      },
    });
  });

  it("by batch reference with a different amount: mismatched with both figures", () => {
    const decision = matchBankCredit(credit({ merchantReference: "B-778899", netMinor: 19000 }), [
      batch({ batchKey: "ref:acq:B-778899", batchReference: "B-778899" }),
    ]);
    expect(decision).toMatchObject({
      outcome: "mismatched",
      reasonCode: "amount",
      figures: { batchNetMinor: 19880, creditMinor: 19000, differenceMinor: -880 },
    });
    expect(decision.batchUpdate).toBeUndefined();
  });

  it("by merchant account + net total + date window when no reference is given", () => {
    const decision = matchBankCredit(credit(), [
      batch({ batchKey: "day:a:m-1:CNY:2026-10-02" }),
      batch({ batchKey: "day:a:m-1:CNY:2026-09-20", valueDate: "2026-09-20" }),
      batch({ batchKey: "other-account", account: "CN99OTHER" }),
      batch({ batchKey: "other-amount", netTotalMinor: 19881 }),
    ]);
    expect(decision).toMatchObject({
      outcome: "matched",
      rung: "window",
      batch: { batchKey: "day:a:m-1:CNY:2026-10-02" },
    });
  });

  it("an ambiguous window is never guessed", () => {
    const decision = matchBankCredit(credit(), [
      batch({ batchKey: "day:a:m-1:CNY:2026-10-02" }),
      batch({ batchKey: "day:a:m-1:CNY:2026-10-04", valueDate: "2026-10-04" }),
    ]);
    expect(decision).toMatchObject({
      outcome: "unmatched",
      rung: "window",
      reasonCode: "ambiguous",
      candidates: ["day:a:m-1:CNY:2026-10-02", "day:a:m-1:CNY:2026-10-04"],
    });
    expect(decision.reason).toBe(
      "ambiguous: 2 candidates by window (day:a:m-1:CNY:2026-10-02, day:a:m-1:CNY:2026-10-04) for bank credit of 198.80 CNY on 2026-10-03; not guessed",
    );
  });

  it("outside ±2 days, or for a debit, nothing matches", () => {
    expect(matchBankCredit(credit(), [batch({ batchKey: "b", valueDate: "2026-09-30" })]).reasonCode).toBe(
      "no-batch",
    );
    expect(
      matchBankCredit(credit(), [batch({ batchKey: "b", valueDate: "2026-09-30" })], { windowDays: 3 })
        .outcome,
    ).toBe("matched");
    expect(matchBankCredit(credit({ direction: "debit" }), [batch({ batchKey: "b" })]).reasonCode).toBe(
      "not-a-credit",
    );
  });

  it("a replayed credit is a replay; a second credit for a credited batch is mismatched", () => {
    const c = credit();
    const first = matchBankCredit(c, [batch({ batchKey: "b" })]);
    const credited = batch({ batchKey: "b", creditedBy: first.creditKey });
    expect(matchBankCredit(c, [credited])).toMatchObject({ outcome: "matched", reasonCode: "replay" });
    const second = matchBankCredit(credit({ reference: "BANKREF-2", batchReference: "b-ref-000" }), [
      { ...credited, batchReference: "b-ref-000" },
    ]);
    expect(second).toMatchObject({ outcome: "mismatched", reasonCode: "credited-twice" });
  });

  it("short batch references are not searched inside remittance text", () => {
    const decision = matchBankCredit(credit({ batchReference: "INVOICE 42 OCT", netMinor: 5 }), [
      batch({ batchKey: "ref:a:42", batchReference: "42" }),
    ]);
    expect(decision.reasonCode).toBe("no-batch");
  });
});

describe("bank-credit arrival mode end to end", () => {
  it("leg-1 lines tie payments to the batch; the bank credit settles them (PENDING → SETTLED, OVERDUE → SETTLED_LATE)", async () => {
    const store = new InMemoryPayments([
      payment({ paymentId: "p-1" }),
      payment({ paymentId: "p-2", status: "OVERDUE" }),
      payment({ paymentId: "p-3" }),
    ]);
    const options = { terms: { ...TERMS, arrivalMode: "bank-credit" as const } };
    const lines = ["p-1", "p-2", "p-3"].map((reference) => line({ reference, batchReference: "B-202610" }));
    for (const l of lines) {
      const decision = await matchSettlementLine(l, ACQUIRER, store, options);
      expect(decision.reasonCode).toBe("awaiting-bank-credit");
      store.apply(decision.update);
    }
    // p-3 is refunded in full before the money reaches the bank.
    store.put({ ...store.get(ACQUIRER, "p-3"), status: "REFUNDED" });

    const [payoutBatch] = collectPayoutBatches(lines, ACQUIRER, { accountFor: () => ACCOUNT });
    expect(payoutBatch?.netTotalMinor).toBe(29820);
    const bank = matchBankCredit(
      credit({ netMinor: 29820, batchReference: "B-202610" }),
      payoutBatch ? [payoutBatch] : [],
    );
    expect(bank.reasonCode).toBe("credited");

    const settlement = settleBatchPayments({ batchKey: "ref:wechat:B-202610" }, [...store.payments.values()]);
    expect(settlement.settled.map((s) => [s.payment.paymentId, s.transition])).toEqual([
      ["p-1", { from: "PENDING", to: "SETTLED" }],
      ["p-2", { from: "OVERDUE", to: "SETTLED_LATE" }],
    ]);
    expect(settlement.skipped).toEqual([
      { payment: { acquirer: ACQUIRER, paymentId: "p-3", merchantId: "m-1" }, reason: "already REFUNDED" },
    ]);
    expect(settlement.settledNetMinor).toBe(19880);
    expect(settlement.settled[0]?.update).toEqual({
      payment: { acquirer: ACQUIRER, paymentId: "p-1", merchantId: "m-1" },
      condition: { status: "PENDING", batchKey: "ref:wechat:B-202610" },
      status: "SETTLED",
      set: {},
      leaveDueIndex: false,
    });
    // Leaving OVERDUE removes the escalation entry in the same write.
    expect(settlement.settled[1]?.update.leaveDueIndex).toBe(true);
    for (const s of settlement.settled) store.apply(s.update);
    expect(store.get(ACQUIRER, "p-2").status).toBe("SETTLED_LATE");
    // Retrying the batch settlement changes nothing.
    expect(
      settleBatchPayments({ batchKey: "ref:wechat:B-202610" }, [...store.payments.values()]).settled,
    ).toEqual([]);
  });
});
