import { describe, expect, it } from "vitest";
import { validateConfirmation } from "../../../functions/domain/confirmation/confirmation.js";
import { confirmationFingerprint } from "../../../functions/domain/payment/payment.js";
import { confirmation } from "../../support/confirmations.js";

const now = new Date("2026-09-30T08:00:00Z");

function errorsOf(input: unknown) {
  const result = validateConfirmation(input, now);
  if (result.ok) throw new Error("expected a validation failure");
  return result.errors;
}

describe("confirmation validation", () => {
  it("accepts a valid confirmation and defaults kind to payment", () => {
    const result = validateConfirmation(confirmation(), now);
    expect(result).toMatchObject({ ok: true, value: { kind: "payment", amountMinor: 12850 } });
  });

  it.each([
    ["amountMinor", -5, "must be greater than 0"],
    ["amountMinor", 0, "must be greater than 0"],
    ["amountMinor", 128.5, "must be an integer number of minor units"],
    ["amountMinor", "12850", "expected an integer number of minor units"],
    ["currency", "RMB", "expected an ISO 4217 currency code"],
    ["currency", "XXX", "expected an ISO 4217 currency code"],
    ["currency", "cny", "expected an ISO 4217 currency code"],
    ["acquirer", "Acme Pay", "lower-case letters"],
    ["acquirer", "a".repeat(33), "1-32 characters"],
    ["paymentId", "", "must not be empty"],
    ["paymentId", "x".repeat(65), "at most 64"],
    ["confirmedAt", "2026-09-30 15:00:00", "RFC 3339"],
    ["confirmedAt", "2026-09-30T15:00:00", "RFC 3339"],
    ["confirmedAt", "2026-13-45T15:00:00Z", "RFC 3339"],
    ["merchantId", 42, "expected string"],
    ["kind", "chargeback", "payment"],
    ["payerHint", "6222021234567890123", "must be masked"],
  ])("names %s = %j", (field, value, message) => {
    const errors = errorsOf(confirmation({ [field]: value }));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field).toBe(field);
    expect(errors[0]?.message).toContain(message);
  });

  it("says which required fields are missing", () => {
    const errors = errorsOf({ acquirer: "acme-pay" });
    expect(errors.map((error) => error.field).sort()).toEqual(
      ["amountMinor", "confirmedAt", "currency", "merchantId", "paymentId"].sort(),
    );
    expect(errors.every((error) => error.message === "is required")).toBe(true);
  });

  it("refuses unknown fields, so a typo is not silently dropped", () => {
    const errors = errorsOf(confirmation({ amount: 1 }));
    expect(errors).toEqual([{ field: "(body)", message: "unknown field(s): amount" }]);
  });

  it("refuses a confirmation more than 5 minutes in the future, allows a little skew", () => {
    const future = new Date(now.getTime() + 5 * 60_000 + 1000).toISOString();
    expect(errorsOf(confirmation({ confirmedAt: future }))[0]).toMatchObject({ field: "confirmedAt" });
    const skew = new Date(now.getTime() + 4 * 60_000).toISOString();
    expect(validateConfirmation(confirmation({ confirmedAt: skew }), now).ok).toBe(true);
  });

  it("requires originalPaymentId for refunds and reversals, and only for them", () => {
    expect(errorsOf(confirmation({ kind: "refund" }))).toEqual([
      { field: "originalPaymentId", message: 'is required when kind is "refund"' },
    ]);
    expect(errorsOf(confirmation({ originalPaymentId: "p0" }))[0]?.field).toBe("originalPaymentId");
    expect(validateConfirmation(confirmation({ kind: "reversal", originalPaymentId: "p0" }), now).ok).toBe(
      true,
    );
  });

  it("fingerprints content, treating the same instant in another offset as the same", () => {
    const a = validateConfirmation(confirmation(), now);
    const b = validateConfirmation(confirmation({ confirmedAt: "2026-09-30T07:00:00Z" }), now);
    const c = validateConfirmation(confirmation({ amountMinor: 12851 }), now);
    if (!a.ok || !b.ok || !c.ok) throw new Error("fixtures must be valid");
    expect(confirmationFingerprint(a.value)).toBe(confirmationFingerprint(b.value));
    expect(confirmationFingerprint(a.value)).not.toBe(confirmationFingerprint(c.value));
  });
});
