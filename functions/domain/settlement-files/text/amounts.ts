/**
 * Decimal text → integer minor units by string arithmetic: no binary floating point touches money.
 */

/** A field of one record could not be read; the parser turns it into a `rejected` record. */
export class FieldError extends Error {
  override name = "FieldError";
}

export interface DecimalOptions {
  /** "." (default) or "," (MT940, some European CSVs). */
  decimalSeparator?: "." | ",";
  /**
   * What to do with more fractional digits than `digits`:
   * "reject" (default) - a FieldError; "half-up" - round half away from zero (1.005 → 1.01,
   * -1.005 → -1.01), which is how WeChat Pay rounds its 5-decimal fees to fen.
   */
  excessDigits?: "reject" | "half-up";
}

const DOT = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const COMMA = /^([+-]?)(\d*)(?:,(\d*))?$/;

/**
 * Parses a signed decimal string (`12.34`, `-0.02000`, `.8`, `12.`, `+3`, `0`) into an integer
 * number of 10^-digits units: `decimalToMinor("12.34", 2) === 1234`. Surrounding spaces are ignored.
 * Throws FieldError (mentioning `field`) when the text is not a decimal number, has too many
 * decimals for `digits` (unless rounding is asked for) or exceeds the safe integer range.
 */
export function decimalToMinor(
  raw: string,
  digits: number,
  field: string,
  options: DecimalOptions = {},
): number {
  const text = raw.trim();
  const m = (options.decimalSeparator === "," ? COMMA : DOT).exec(text);
  const sign = m?.[1] ?? "";
  const intPart = m?.[2] ?? "";
  const fracPart = m?.[3] ?? "";
  if (!m || (intPart === "" && fracPart === "")) {
    throw new FieldError(`${field}: not a decimal amount: ${JSON.stringify(raw)}`);
  }
  const kept = fracPart.slice(0, digits).padEnd(digits, "0");
  const excess = fracPart.slice(digits);
  let roundUp = false;
  if (excess !== "" && !/^0*$/.test(excess)) {
    if (options.excessDigits !== "half-up") {
      throw new FieldError(`${field}: ${JSON.stringify(raw)} has more than ${digits} decimals`);
    }
    roundUp = excess.charCodeAt(0) >= 53; /* '5' */
  }
  const digitsText = (intPart.replace(/^0+/, "") || "0") + kept;
  if (digitsText.length > 15) throw new FieldError(`${field}: ${JSON.stringify(raw)} is too large`);
  let value = Number.parseInt(digitsText, 10) + (roundUp ? 1 : 0);
  if (sign === "-") value = -value;
  return value === 0 ? 0 : value; // no -0
}

/** Like decimalToMinor, but an empty (or whitespace-only) field is `null`. */
export function optionalDecimalToMinor(
  raw: string | undefined,
  digits: number,
  field: string,
  options: DecimalOptions = {},
): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  return decimalToMinor(raw, digits, field, options);
}

/** An integer amount already in minor units (`000002500000`, `-150`). */
export function integerMinor(raw: string, field: string): number {
  const text = raw.trim();
  if (!/^[+-]?\d{1,15}$/.test(text))
    throw new FieldError(`${field}: not an integer amount: ${JSON.stringify(raw)}`);
  const value = Number.parseInt(text, 10);
  return value === 0 ? 0 : value;
}

/**
 * Rescales an integer from `fromDigits` to `toDigits` decimals, rounding half away from zero when
 * digits are dropped (fee 0.04500 CNY at 5 dp → 5 fen).
 */
export function rescaleHalfUp(value: number, fromDigits: number, toDigits: number): number {
  if (fromDigits <= toDigits) return value * 10 ** (toDigits - fromDigits);
  const factor = 10 ** (fromDigits - toDigits);
  const magnitude = Math.abs(value);
  const rounded = Math.floor(magnitude / factor) + (magnitude % factor >= factor / 2 ? 1 : 0);
  const result = value < 0 ? -rounded : rounded;
  return result === 0 ? 0 : result;
}

/** Renders an integer of 10^-digits units as a decimal string (for messages): (-2000, 5) → "-0.02000". */
export function minorToDecimal(value: number, digits: number): string {
  const negative = value < 0;
  const abs = String(Math.abs(value)).padStart(digits + 1, "0");
  const text = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return negative ? `-${text}` : text;
}
