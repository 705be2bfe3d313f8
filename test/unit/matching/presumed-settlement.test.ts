import { describe, expect, it } from "vitest";
import { matchSettlementLine } from "../../../functions/domain/matching/match-ladder.js";
import {
  applyPaymentUpdate,
  PaymentConditionFailedError,
} from "../../../functions/domain/matching/payment-state.js";
import { presumeSettlement } from "../../../functions/domain/matching/presumed-settlement.js";
import { ACQUIRER, InMemoryPayments, line, payment, TERMS } from "./fixtures.js";

const options = { terms: TERMS };

describe("a settlement decided without reading the payment", () => {
  it("is the decision the ladder makes on the stored payment, with a condition naming what it presumed", async () => {
    const presumed = await presumeSettlement(line(), ACQUIRER, options);
    const stored = payment({ paymentId: "4200000001" });
    const read = await matchSettlementLine(line(), ACQUIRER, new InMemoryPayments([stored]), options);
    const { update, ...decision } = presumed?.decision ?? { update: undefined };
    const { update: readUpdate, ...readDecision } = read;
    expect(decision).toEqual(readDecision);
    expect(update).toEqual({
      ...readUpdate,
      condition: {
        ...readUpdate?.condition,
        presumed: { kind: "payment", merchantId: "m-1", amountMinor: 10000, currency: "CNY" },
      },
    });
    expect(update?.leaveDueIndex).toBe(false);
    expect(applyPaymentUpdate(stored, update ?? never()).status).toBe("SETTLED");
  });

  it("fails on a payment other than the one presumed (amount, currency, merchant, kind, status, claimed)", async () => {
    const update = (await presumeSettlement(line(), ACQUIRER, options))?.decision.update ?? never();
    for (const other of [
      payment({ paymentId: "4200000001", amountMinor: 10001 }),
      payment({ paymentId: "4200000001", currency: "USD" }),
      payment({ paymentId: "4200000001", merchantId: "m-2" }),
      payment({ paymentId: "4200000001", kind: "refund" }),
      payment({ paymentId: "4200000001", status: "OVERDUE" }),
      payment({ paymentId: "4200000001", settlement: { lineKey: "another line" } }),
    ]) {
      expect(() => applyPaymentUpdate(other, update)).toThrow(PaymentConditionFailedError);
    }
  });

  it("is not made when the line would not simply settle: no reference, merchant or gross, a debit, bank-credit mode, a fee off", async () => {
    const cases = [
      line({ reference: null }),
      line({ merchantId: null }),
      line({ grossMinor: null, feeMinor: null }),
      line({ direction: "debit" }),
      line({ kind: "refund" }),
      line({ netMinor: 9800 }),
    ];
    for (const unsure of cases) expect(await presumeSettlement(unsure, ACQUIRER, options)).toBeUndefined();
    const bank = { terms: { ...TERMS, arrivalMode: "bank-credit" as const } };
    expect(await presumeSettlement(line(), ACQUIRER, bank)).toBeUndefined();
  });
});

function never(): never {
  throw new Error("expected a presumed settlement");
}
