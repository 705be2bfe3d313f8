/**
 * A merchant's fee rate as an exact decimal, and the fee it implies on a gross amount.
 *
 * The rate is a decimal string ("0.006", "0.0038", "1"): it is parsed into an integer numerator
 * over a power-of-ten denominator, and every fee is computed with BigInt integer arithmetic, so
 * no binary float ever touches money (0.006 × 10000 is exactly 60, not 59.99999…).
 */

/** How a fee that falls between two minor units is rounded. */
export type FeeRounding =
  /** Ties go up (away from zero: fees are never negative here). WeChat Pay rounds this way. */
  | "half-up"
  /** Ties go to the even minor unit (banker's rounding), as some acquirers do. */
  | "half-even"
  /** Always truncate towards zero (the acquirer never charges a fraction). */
  | "down"
  /** Always round up (the acquirer charges every started minor unit). */
  | "up";

/** An exact fee rate: `numerator / denominator`, denominator a power of ten. */
export interface FeeRate {
  /** The rate as configured, e.g. "0.006". */
  readonly text: string;
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** The fee rate text is not a decimal between 0 and 1. */
export class InvalidFeeRateError extends Error {
  override name = "InvalidFeeRateError";
  constructor(readonly rate: string) {
    super(
      `invalid fee rate ${JSON.stringify(rate)}: expected a decimal string between 0 and 1, e.g. "0.006"`,
    );
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal fee rate exactly: "0.006" → 6/1000, "0.60" → 60/100, "1" → 1/1.
 * Throws {@link InvalidFeeRateError} for anything that is not a plain decimal in [0, 1]
 * (no sign, no exponent, no percent sign).
 */
export function parseFeeRate(text: string): FeeRate {
  const match = DECIMAL.exec(text);
  if (!match) throw new InvalidFeeRateError(text);
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  const denominator = 10n ** BigInt(fraction.length);
  const numerator = BigInt(whole) * denominator + BigInt(fraction === "" ? "0" : fraction);
  if (numerator > denominator) throw new InvalidFeeRateError(text);
  return { text, numerator, denominator };
}

/** Accepts an already parsed rate or its text. */
export function toFeeRate(rate: FeeRate | string): FeeRate {
  return typeof rate === "string" ? parseFeeRate(rate) : rate;
}

/**
 * The fee the rate implies on `grossMinor` (a non-negative integer of minor units), rounded to a
 * whole minor unit by `rounding` (default "half-up": 10000 × 0.006 = 60; 9999 × 0.006 = 59.994 → 60;
 * 75 × 0.006 = 0.45 → 0; 250 × 0.006 = 1.5 → 2).
 */
export function feeForGross(
  grossMinor: number,
  rate: FeeRate | string,
  rounding: FeeRounding = "half-up",
): number {
  if (!Number.isSafeInteger(grossMinor) || grossMinor < 0) {
    throw new RangeError(`gross must be a non-negative integer of minor units, got ${grossMinor}`);
  }
  const { numerator, denominator } = toFeeRate(rate);
  const product = BigInt(grossMinor) * numerator;
  const quotient = product / denominator;
  const remainder = product % denominator;
  let fee = quotient;
  if (remainder !== 0n) {
    switch (rounding) {
      case "down":
        break;
      case "up":
        fee = quotient + 1n;
        break;
      case "half-up":
        if (2n * remainder >= denominator) fee = quotient + 1n;
        break;
      case "half-even":
        if (2n * remainder > denominator || (2n * remainder === denominator && quotient % 2n === 1n)) {
          fee = quotient + 1n;
        }
        break;
    }
  }
  return Number(fee);
}

/** Gross minus the fee the rate implies: what the merchant should receive for `grossMinor`. */
export function expectedNetForGross(
  grossMinor: number,
  rate: FeeRate | string,
  rounding: FeeRounding = "half-up",
): number {
  return grossMinor - feeForGross(grossMinor, rate, rounding);
}
