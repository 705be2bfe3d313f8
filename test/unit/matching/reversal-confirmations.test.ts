import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyHeldReversals,
  decideReversal,
  type ReversalClaim,
} from "../../../functions/domain/matching/reversal-confirmations.js";
import { ACQUIRER, payment } from "./fixtures.js";

const claim = (overrides: Partial<ReversalClaim> = {}): ReversalClaim => ({
  acquirer: ACQUIRER,
  paymentId: "rev-1",
  merchantId: "m-1",
  amountMinor: 10000,
  currency: "CNY",
  originalPaymentId: "p-1",
  ...overrides,
});

describe("reversal confirmations close their original", () => {
  it("full: PENDING → REVERSED, off the due index, the reversal recorded", () => {
    const decision = decideReversal(claim(), payment({ paymentId: "p-1" }));
    expect(decision).toMatchObject({
      outcome: "applied",
      reasonCode: "reversed",
      transition: { from: "PENDING", to: "REVERSED" },
      update: {
        payment: { acquirer: ACQUIRER, paymentId: "p-1", merchantId: "m-1" },
        reversalId: "rev-1",
        condition: { status: "PENDING", amountMinor: 10000 },
        status: "REVERSED",
        amountMinor: 10000,
        reversedMinor: 0,
        leaveDueIndex: true,
      },
    });
    expect(decideReversal(claim(), payment({ paymentId: "p-1", status: "OVERDUE" })).transition).toEqual({
      from: "OVERDUE",
      to: "REVERSED",
    });
  });

  it("partial: the amount still expected is lowered, the status stays, the due index is kept", () => {
    const decision = decideReversal(claim({ amountMinor: 2500 }), payment({ paymentId: "p-1" }));
    expect(decision).toMatchObject({ outcome: "applied", reasonCode: "reversed-partial" });
    expect(decision.transition).toBeUndefined();
    expect(decision.update).toMatchObject({ amountMinor: 7500, reversedMinor: 2500, leaveDueIndex: false });
    expect(decision.update?.status).toBeUndefined();
  });

  it("a reversal already applied is a replay; a REVERSED payment is left as it is", () => {
    expect(
      decideReversal(claim(), payment({ paymentId: "p-1", status: "REVERSED", reversalIds: ["rev-1"] })),
    ).toMatchObject({ outcome: "none", reasonCode: "replay" });
    expect(
      decideReversal(
        claim({ amountMinor: 2500 }),
        payment({ paymentId: "p-1", amountMinor: 7500, reversedMinor: 2500, reversalIds: ["rev-1"] }),
      ),
    ).toMatchObject({ outcome: "none", reasonCode: "replay" });
    expect(
      decideReversal(claim({ paymentId: "rev-2" }), payment({ paymentId: "p-1", status: "REVERSED" })),
    ).toMatchObject({ outcome: "none", reasonCode: "already-reversed" });
  });

  it("after settlement it is a refund: nothing written, the reason says a debit is expected", () => {
    for (const status of ["SETTLED", "SETTLED_LATE"] as const) {
      const decision = decideReversal(claim(), payment({ paymentId: "p-1", status }));
      expect(decision).toMatchObject({ outcome: "none", reasonCode: "reversed-after-settlement" });
      expect(decision.update).toBeUndefined();
      expect(decision.reason).toContain("expected as a debit");
    }
  });

  it("refuses what cannot be a void of this payment, writing nothing", () => {
    const cases: Array<[ReversalClaim, Parameters<typeof payment>[0], string]> = [
      [claim({ amountMinor: 10001 }), { paymentId: "p-1" }, "amount"],
      [claim({ currency: "HKD" }), { paymentId: "p-1" }, "currency"],
      [claim({ merchantId: "m-2" }), { paymentId: "p-1" }, "merchant"],
      [claim(), { paymentId: "p-1", kind: "refund" }, "confirmation-kind"],
      [claim(), { paymentId: "p-1", status: "REFUNDED" }, "already-closed"],
      [claim(), { paymentId: "p-1", status: "MISMATCH" }, "already-closed"],
    ];
    for (const [reversal, original, reasonCode] of cases) {
      const decision = decideReversal(reversal, payment(original));
      expect(decision, reasonCode).toMatchObject({ outcome: "refused", reasonCode });
      expect(decision.update).toBeUndefined();
    }
  });

  it("an unknown original waits", () => {
    expect(decideReversal(claim(), undefined)).toMatchObject({
      outcome: "waiting",
      reasonCode: "awaiting-original",
    });
  });

  it("held reversals applied on arrival: the confirmed amount is always expected + reversed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 6 }),
        (confirmed, amounts) => {
          const held = amounts.map((amountMinor, index) => claim({ paymentId: `rev-${index}`, amountMinor }));
          const { payment: stored, decisions } = applyHeldReversals(
            payment({ paymentId: "p-1", amountMinor: confirmed }),
            held,
          );
          expect(stored.amountMinor + (stored.reversedMinor ?? 0)).toBe(confirmed);
          const applied = decisions.filter((d) => d.outcome === "applied").map((d) => d.reversalId);
          expect(stored.reversalIds ?? []).toEqual(applied);
          const reversed = decisions.some((d) => d.reasonCode === "reversed");
          expect(stored.status).toBe(reversed ? "REVERSED" : "PENDING");
        },
      ),
    );
  });
});
