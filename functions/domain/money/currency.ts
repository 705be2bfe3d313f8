import currencyCodes from "currency-codes";

/** Codes that are in ISO 4217 but are not money a merchant can be paid in (funds, metals, test, none). */
const NOT_SETTLEMENT_CURRENCIES = new Set([
  "XXX",
  "XTS",
  "XAU",
  "XAG",
  "XPD",
  "XPT",
  "XDR",
  "XBA",
  "XBB",
  "XBC",
  "XBD",
  "XSU",
  "XUA",
]);

/** True for an active ISO 4217 alphabetic code a payment can be settled in (e.g. "CNY"). */
export function isSettlementCurrency(code: string): boolean {
  return (
    /^[A-Z]{3}$/.test(code) && !NOT_SETTLEMENT_CURRENCIES.has(code) && currencyCodes.code(code) !== undefined
  );
}

/** Number of minor-unit digits ISO 4217 gives the currency (CNY 2, JPY 0, KWD 3). */
export function minorUnitDigits(code: string): number {
  const entry = currencyCodes.code(code);
  if (!entry) throw new RangeError(`unknown currency ${code}`);
  return entry.digits;
}

/** Renders minor units in major units with the currency's own digits, for messages ("1284.50 CNY"). */
export function formatMinor(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const negative = amountMinor < 0;
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  const major = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return `${negative ? "-" : ""}${major} ${currency}`;
}
