import { minorUnitDigits } from "../../money/currency.js";

/**
 * Amount arithmetic for bank statements: decimal strings become integer minor units by string
 * manipulation, never through a float. Sums are kept as `bigint` so a control total of any size
 * stays exact; a single line's amount must fit a safe JavaScript integer.
 */

export type AmountParse = { ok: true; minor: bigint } | { ok: false; reason: string };

/**
 * Withdrawn ISO 4217 currencies (ISO 4217 list three) that archived statements still carry - the
 * pre-euro and later euro-changeover currencies. Only their minor-unit digits are needed to read
 * an amount; whether such a line matters is for the matcher to decide.
 */
const WITHDRAWN_CURRENCY_DIGITS: Readonly<Record<string, number>> = {
  ATS: 2,
  BEF: 0,
  CYP: 2,
  DEM: 2,
  EEK: 2,
  ESP: 0,
  FIM: 2,
  FRF: 2,
  GRD: 0,
  HRK: 2,
  IEP: 2,
  ITL: 0,
  LTL: 2,
  LUF: 0,
  LVL: 2,
  MTL: 2,
  NLG: 2,
  PTE: 0,
  SIT: 2,
  SKK: 2,
};

/**
 * Minor-unit digits for an ISO 4217 code (active, or withdrawn but found in old statements), or
 * `null` when the code is not a currency.
 */
export function currencyDigits(code: string): number | null {
  if (!/^[A-Z]{3}$/.test(code)) return null;
  try {
    return minorUnitDigits(code);
  } catch {
    return WITHDRAWN_CURRENCY_DIGITS[code] ?? null;
  }
}

/**
 * Converts a decimal amount (`"1234.5"`, `"0,"`, `"8.850"`) to minor units of a currency with
 * `digits` minor digits. Digits beyond the currency's precision are accepted only when they are
 * zeros (`8.850 EUR` = 885); a non-zero excess digit is refused, never rounded, because the bank
 * booked an exact amount and we do not know which way it would round.
 */
export function decimalToMinor(raw: string, digits: number, separator: "." | ","): AmountParse {
  const text = raw.trim();
  const pattern = separator === "." ? /^(\d*)(?:\.(\d*))?$/ : /^(\d*)(?:,(\d*))?$/;
  const match = pattern.exec(text);
  const whole = match?.[1] ?? "";
  const fraction = match?.[2] ?? "";
  if (!match || (whole === "" && fraction === "")) {
    return { ok: false, reason: `"${raw}" is not an unsigned decimal amount` };
  }
  const kept = fraction.slice(0, digits).padEnd(digits, "0");
  const excess = fraction.slice(digits);
  if (/[^0]/.test(excess)) {
    return {
      ok: false,
      reason: `"${raw}" has ${fraction.length} decimals, the currency has ${digits} and the extra digits are not zero`,
    };
  }
  return { ok: true, minor: BigInt(`${whole || "0"}${kept}`) };
}

/** A line amount as a JS number, or a reason when it is too large to be exact. */
export function toSafeNumber(minor: bigint): number | null {
  const n = Number(minor);
  return Number.isSafeInteger(n) ? n : null;
}

/** `12345n, "EUR"` → `"123.45 EUR"`; signed; for messages only. */
export function formatAmount(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency) ?? 2;
  const negative = minor < 0n;
  const abs = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const major = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return `${negative ? "-" : ""}${major} ${currency}`;
}

/** Collapses whitespace and cuts free text to `max` characters (null when nothing is left). */
export function snippet(text: string | null | undefined, max = 140): string | null {
  if (text === null || text === undefined) return null;
  const collapsed = text.replace(/\s+/g, " ").trim();
  if (collapsed === "") return null;
  return collapsed.length > max ? collapsed.slice(0, max) : collapsed;
}
