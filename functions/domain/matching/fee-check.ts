/**
 * Amount checks for a settlement line: its own arithmetic (gross − fee = net), its gross against
 * the confirmed payment, and its net against the merchant's fee rate. Pure integer arithmetic.
 *
 * Tolerance: a line passes a check when |actual − expected| ≤ `toleranceMinor` (default 1 minor
 * unit per line), which absorbs an acquirer that rounds its fee the other way or per batch. It is
 * per line, never accumulated: ten lines each 1 off are ten passes, not one 10-unit gap.
 */
import { formatMinor } from "../money/currency.js";
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import { expectedNetForGross, type FeeRounding, feeForGross, toFeeRate } from "./fee-rate.js";

/** One minor unit per line: absorbs a fee rounded the other way, nothing more. */
export const DEFAULT_TOLERANCE_MINOR = 1;

/** Net compared with what it should be (from a fee rate, or from the line's own gross and fee). */
export interface FeeComparison {
  expectedNetMinor: number;
  actualNetMinor: number;
  /** actual − expected: negative when the merchant received less than expected. */
  differenceMinor: number;
  withinTolerance: boolean;
  /** One sentence with both figures, for logs, the report and the notice. */
  detail: string;
}

/** A line's gross (or net + fee) compared with the confirmed payment amount. */
export interface AmountComparison {
  /** The payment's amountMinor. */
  expectedMinor: number;
  /** The line's gross, or net + fee when the file gives no gross. */
  actualMinor: number;
  differenceMinor: number;
  withinTolerance: boolean;
  detail: string;
}

/** What the fee checks need to know about the merchant. */
export interface FeeCheckTerms {
  /**
   * The merchant's fee rate ("0.006"), or null when it is not known: the fee-rate check is then
   * skipped (said so in the detail) rather than run against a guessed 0.
   */
  feeRate: string | null;
  /** Default {@link DEFAULT_TOLERANCE_MINOR}. */
  toleranceMinor?: number;
  /** Default "half-up" (WeChat Pay's rule). */
  rounding?: FeeRounding;
}

/** Renders minor units for a message; falls back to raw minor units for an unknown currency. */
export function describeMinor(amountMinor: number, currency: string): string {
  try {
    return formatMinor(amountMinor, currency);
  } catch {
    return `${amountMinor} minor units of ${currency}`;
  }
}

function signed(amountMinor: number, currency: string): string {
  return amountMinor > 0 ? `+${describeMinor(amountMinor, currency)}` : describeMinor(amountMinor, currency);
}

function toleranceOf(terms: Pick<FeeCheckTerms, "toleranceMinor">): number {
  const tolerance = terms.toleranceMinor ?? DEFAULT_TOLERANCE_MINOR;
  if (!Number.isSafeInteger(tolerance) || tolerance < 0) {
    throw new RangeError(`tolerance must be a non-negative integer of minor units, got ${tolerance}`);
  }
  return tolerance;
}

/**
 * Compares a net amount with gross − round(gross × feeRate).
 *
 * @example gross 10000 at "0.006" → fee 60 → expected net 9940: actual 9939 is within the default
 * tolerance (difference −1); actual 9900 is not (difference −40).
 */
export function compareNetWithFeeRate(
  amounts: { grossMinor: number; netMinor: number; currency: string },
  feeRate: string,
  options: Omit<FeeCheckTerms, "feeRate"> = {},
): FeeComparison {
  const rate = toFeeRate(feeRate);
  const rounding = options.rounding ?? "half-up";
  const tolerance = toleranceOf(options);
  const { grossMinor, netMinor, currency } = amounts;
  const fee = feeForGross(grossMinor, rate, rounding);
  const expected = grossMinor - fee;
  const difference = netMinor - expected;
  const withinTolerance = Math.abs(difference) <= tolerance;
  const money = (minor: number) => describeMinor(minor, currency);
  return {
    expectedNetMinor: expected,
    actualNetMinor: netMinor,
    differenceMinor: difference,
    withinTolerance,
    detail:
      `net ${money(netMinor)}, expected ${money(expected)} = gross ${money(grossMinor)} − fee ` +
      `${money(fee)} (rate ${rate.text}, ${rounding}); difference ${signed(difference, currency)}, ` +
      `tolerance ${money(tolerance)}`,
  };
}

/**
 * The line's own arithmetic, when the file gives gross, fee and net: credit lines must have
 * net = gross − fee, debit lines net = gross + fee (the contract's signed rule: signed net =
 * signed gross − fee, so a returned fee, negative, shrinks a refund's debit). Null when the file
 * does not give both gross and fee.
 */
export function checkLineArithmetic(
  line: Pick<SettlementLine, "direction" | "grossMinor" | "feeMinor" | "netMinor" | "currency">,
  options: Pick<FeeCheckTerms, "toleranceMinor"> = {},
): FeeComparison | null {
  if (line.grossMinor === null || line.feeMinor === null) return null;
  const tolerance = toleranceOf(options);
  const expected =
    line.direction === "credit" ? line.grossMinor - line.feeMinor : line.grossMinor + line.feeMinor;
  const difference = line.netMinor - expected;
  const money = (minor: number) => describeMinor(minor, line.currency);
  const operator = line.direction === "credit" ? "−" : "+";
  return {
    expectedNetMinor: expected,
    actualNetMinor: line.netMinor,
    differenceMinor: difference,
    withinTolerance: Math.abs(difference) <= tolerance,
    detail:
      `line net ${money(line.netMinor)}, but its gross ${money(line.grossMinor)} ${operator} fee ` +
      `${money(line.feeMinor)} = ${money(expected)}; difference ${signed(difference, line.currency)}`,
  };
}

/**
 * The amount the line settles before fees: its gross, else net + fee (credit) / net − fee (debit)
 * when it gives a fee, else null (a net-only line).
 */
export function grossOfLine(
  line: Pick<SettlementLine, "direction" | "grossMinor" | "feeMinor" | "netMinor">,
) {
  if (line.grossMinor !== null) return line.grossMinor;
  if (line.feeMinor === null) return null;
  return line.direction === "credit" ? line.netMinor + line.feeMinor : line.netMinor - line.feeMinor;
}

/** The figures kept with every line-vs-payment decision (both sides, so a mismatch can be explained). */
export interface AmountFigures {
  lineCurrency: string;
  paymentCurrency: string;
  paymentAmountMinor: number;
  lineGrossMinor: number | null;
  lineFeeMinor: number | null;
  lineNetMinor: number;
  /** Gross (the line's, else the payment's) minus the fee the rate implies; null without a rate. */
  expectedNetMinor: number | null;
  feeRate: string | null;
}

/** Which check failed first, in this order: currency, line arithmetic, gross vs payment, fee rate. */
export type AmountProblem = "currency" | "line-arithmetic" | "amount" | "fee";

export interface LineAmountCheck {
  ok: boolean;
  problem: AmountProblem | null;
  /** The first failing check's detail, or what was checked when all passed. */
  reason: string;
  figures: AmountFigures;
  arithmetic: FeeComparison | null;
  gross: AmountComparison | null;
  feeRate: FeeComparison | null;
}

/**
 * Checks a payment line against the confirmed payment:
 * 1. currency: a line in another currency is a mismatch, whatever the amounts;
 * 2. the line's own arithmetic (gross − fee = net) when it gives all three;
 * 3. its gross (or net + fee) against `payment.amountMinor`;
 * 4. its net against gross − round(gross × feeRate), gross being the line's when it has one, else
 *    the payment's amount (so a net-only line is still checked). Skipped when feeRate is null.
 * Every comparison uses the same per-line tolerance. All figures are returned even when one fails.
 */
export function checkLineAgainstPayment(
  line: Pick<SettlementLine, "direction" | "grossMinor" | "feeMinor" | "netMinor" | "currency">,
  payment: { amountMinor: number; currency: string },
  terms: FeeCheckTerms,
): LineAmountCheck {
  const tolerance = toleranceOf(terms);
  const rounding = terms.rounding ?? "half-up";
  const lineGross = grossOfLine(line);
  const sameCurrency = line.currency === payment.currency;
  const figures: AmountFigures = {
    lineCurrency: line.currency,
    paymentCurrency: payment.currency,
    paymentAmountMinor: payment.amountMinor,
    lineGrossMinor: line.grossMinor,
    lineFeeMinor: line.feeMinor,
    lineNetMinor: line.netMinor,
    expectedNetMinor: null,
    feeRate: terms.feeRate,
  };
  if (!sameCurrency) {
    return {
      ok: false,
      problem: "currency",
      reason:
        `currency differs: line ${describeMinor(line.netMinor, line.currency)} net, payment ` +
        `${describeMinor(payment.amountMinor, payment.currency)}`,
      figures,
      arithmetic: null,
      gross: null,
      feeRate: null,
    };
  }
  const currency = line.currency;
  const arithmetic = checkLineArithmetic(line, { toleranceMinor: tolerance });
  let gross: AmountComparison | null = null;
  if (lineGross !== null) {
    const difference = lineGross - payment.amountMinor;
    gross = {
      expectedMinor: payment.amountMinor,
      actualMinor: lineGross,
      differenceMinor: difference,
      withinTolerance: Math.abs(difference) <= tolerance,
      detail:
        `line gross ${describeMinor(lineGross, currency)}, payment ${describeMinor(payment.amountMinor, currency)}; ` +
        `difference ${signed(difference, currency)}`,
    };
  }
  let feeRate: FeeComparison | null = null;
  if (terms.feeRate !== null) {
    const basis = lineGross ?? payment.amountMinor;
    feeRate = compareNetWithFeeRate({ grossMinor: basis, netMinor: line.netMinor, currency }, terms.feeRate, {
      toleranceMinor: tolerance,
      rounding,
    });
    figures.expectedNetMinor = expectedNetForGross(basis, terms.feeRate, rounding);
  }
  const failures: [AmountProblem, { withinTolerance: boolean; detail: string } | null][] = [
    ["line-arithmetic", arithmetic],
    ["amount", gross],
    ["fee", feeRate],
  ];
  for (const [problem, comparison] of failures) {
    if (comparison && !comparison.withinTolerance) {
      return { ok: false, problem, reason: comparison.detail, figures, arithmetic, gross, feeRate };
    }
  }
  const checked = [
    arithmetic ? "line arithmetic ok" : null,
    gross ? "gross agrees with the payment amount" : "no gross on the line",
    feeRate ? `net agrees with fee rate ${terms.feeRate}` : "no fee rate configured: net not checked",
  ].filter((part): part is string => part !== null);
  return { ok: true, problem: null, reason: checked.join("; "), figures, arithmetic, gross, feeRate };
}
