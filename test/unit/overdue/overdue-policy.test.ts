import { describe, expect, it } from "vitest";
import { decideOverdue, statusAfterSettlement } from "../../../functions/domain/overdue/overdue-policy.js";
import type { Payment } from "../../../functions/domain/payment/payment.js";
import { payment } from "../notification/fixtures.js";

// The fixture payment is overdue from 2026-10-08T11:00:00.000Z (due 18:00 Shanghai + 60 min grace).
const at = (iso: string) => new Date(iso);

describe("decideOverdue", () => {
  it.each([
    ["one millisecond before overdueAt", "2026-10-08T10:59:59.999Z", "not-due"],
    ["exactly at overdueAt", "2026-10-08T11:00:00.000Z", "overdue"],
    ["after overdueAt", "2026-10-09T02:00:00.000Z", "overdue"],
    ["at the due instant, within grace", "2026-10-08T10:00:00.000Z", "not-due"],
  ])("%s → %s", (_label, now, expected) => {
    expect(decideOverdue(payment(), at(now), { awaitingFile: false })).toBe(expected);
  });

  it("holds an overdue payment as awaiting-file while its acquirer's file is missing", () => {
    expect(decideOverdue(payment(), at("2026-10-09T02:00:00Z"), { awaitingFile: true })).toBe(
      "awaiting-file",
    );
  });

  it("a missing file does not make a payment that is not yet due anything but not-due", () => {
    expect(decideOverdue(payment(), at("2026-10-08T10:30:00Z"), { awaitingFile: true })).toBe("not-due");
  });

  it.each(["SETTLED", "OVERDUE", "SETTLED_LATE", "REFUNDED", "REVERSED", "MISMATCH", "RECORDED"] as const)(
    "a %s payment is not-due (only PENDING payments become overdue)",
    (status) => {
      expect(decideOverdue(payment({ status }), at("2026-10-20T00:00:00Z"), { awaitingFile: false })).toBe(
        "not-due",
      );
    },
  );

  it("a payment without an expected arrival (a refund) is never overdue", () => {
    const { arrival: _arrival, ...refund } = payment({ kind: "refund" });
    const noArrival: Pick<Payment, "status" | "arrival"> = refund;
    expect(decideOverdue(noArrival, at("2026-12-01T00:00:00Z"), { awaitingFile: false })).toBe("not-due");
  });

  it("rejects an unreadable overdueAt", () => {
    expect(() =>
      decideOverdue(payment({ arrival: { overdueAt: "soon" } }), at("2026-10-09T00:00:00Z"), {
        awaitingFile: false,
      }),
    ).toThrow(RangeError);
  });
});

describe("statusAfterSettlement", () => {
  it("moves PENDING to SETTLED and OVERDUE to SETTLED_LATE, and nothing else", () => {
    expect(statusAfterSettlement("PENDING")).toBe("SETTLED");
    expect(statusAfterSettlement("OVERDUE")).toBe("SETTLED_LATE");
    expect(statusAfterSettlement("SETTLED")).toBeUndefined();
    expect(statusAfterSettlement("SETTLED_LATE")).toBeUndefined();
    expect(statusAfterSettlement("REFUNDED")).toBeUndefined();
  });
});
