import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateConfirmation } from "../../../functions/domain/confirmation/confirmation.js";
import { checkAmount, checkDate, checkInstant } from "../../../functions/domain/validation/input-limits.js";
import { confirmation } from "../../support/confirmations.js";

const NOW = new Date("2026-10-01T00:00:00Z");
const FIELDS = [
  "acquirer",
  "paymentId",
  "merchantId",
  "amountMinor",
  "currency",
  "confirmedAt",
  "orderId",
  "channel",
  "terminalId",
  "payerHint",
  "kind",
  "originalPaymentId",
  "(body)",
];

/** Accepted, or refused with every error naming a field; never a throw. */
function expectAnswer(input: unknown) {
  const result = validateConfirmation(input, NOW);
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(FIELDS).toContain(error.field.split(/[.[]/)[0]);
      expect(error.message.length).toBeGreaterThan(0);
    }
  }
  return result;
}

describe("confirmation validation, fuzzed", () => {
  it("any JSON value is accepted or refused with a field named, never a throw", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => void expectAnswer(value)),
      { numRuns: 2000 },
    );
  });

  it("a valid confirmation with one field replaced by anything is accepted or refused naming that field", () => {
    const field = fc.constantFrom("amountMinor", "confirmedAt", "currency", "paymentId", "kind");
    fc.assert(
      fc.property(field, fc.oneof(fc.jsonValue(), fc.string(), fc.double(), fc.integer()), (name, value) => {
        const result = expectAnswer(confirmation({ [name]: value }));
        if (!result.ok && name !== "kind") expect(result.errors.map((error) => error.field)).toContain(name);
      }),
      { numRuns: 2000 },
    );
  });

  it("amounts: every integer up to the bound passes, every one beyond it is refused", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (amount) => {
        const checked = checkAmount(amount, "CNY");
        expect(checked.ok).toBe(Math.abs(amount) <= 1e12);
      }),
    );
  });

  it("instants: accepted exactly when Date agrees on the calendar fields and the moment is in range", () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, "0");
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 0, max: 9999 }),
          month: fc.integer({ min: 0, max: 13 }),
          day: fc.integer({ min: 0, max: 32 }),
          hour: fc.integer({ min: 0, max: 25 }),
        }),
        ({ year, month, day, hour }) => {
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:00:00Z`;
          const checked = checkInstant(text, { now: NOW });
          const date = new Date(Date.UTC(year, month - 1, day, hour));
          const real =
            month >= 1 &&
            month <= 12 &&
            hour <= 23 &&
            date.getUTCDate() === day &&
            date.getUTCMonth() === month - 1;
          const inRange =
            date.getTime() >= Date.UTC(2000, 0, 1) && date.getTime() <= NOW.getTime() + 86_400_000;
          expect(checked.ok, text).toBe(real && inRange);
          const midnight = new Date(Date.UTC(year, month - 1, day));
          const realDay = month >= 1 && month <= 12 && midnight.getUTCDate() === day;
          const dayInRange =
            midnight.getTime() >= Date.UTC(2000, 0, 1) &&
            midnight.getTime() <= NOW.getTime() + 2 * 86_400_000;
          const dateOnly = checkDate(text.slice(0, 10), { now: NOW });
          expect(dateOnly.ok, text.slice(0, 10)).toBe(realDay && dayInRange);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
