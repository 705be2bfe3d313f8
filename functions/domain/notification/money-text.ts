import { minorUnitDigits } from "../money/currency.js";

// Amounts as merchants read them in notices: a symbol where one is unambiguous, grouped
// thousands, and exactly the currency's ISO 4217 minor digits. Same in both languages.
//
// Why these symbols: "¥" is the yuan (the monitor is built for Chinese acquirers, and a CNY
// merchant reads ¥); the yen becomes "JP¥" so the two never meet. "$" alone is three currencies
// to a Hong Kong merchant, so every dollar is prefixed (US$, HK$, S$...). Every symbol here is in
// the GSM-7 alphabet (€ as a 2-septet extension), so an English SMS never falls back to UCS-2
// because of an amount. Other currencies are written as "KWD 1.234".
const SYMBOLS: Readonly<Record<string, string>> = {
  CNY: "¥",
  HKD: "HK$",
  MOP: "MOP$",
  TWD: "NT$",
  USD: "US$",
  SGD: "S$",
  AUD: "A$",
  CAD: "CA$",
  NZD: "NZ$",
  JPY: "JP¥",
  EUR: "€",
  GBP: "£",
};

/**
 * An amount in minor units as text: 128450 CNY → "¥1,284.50", 1200 JPY → "JP¥1,200",
 * 1234 KWD → "KWD 1.234", -500 HKD → "-HK$5.00".
 * @throws RangeError for an unknown currency code.
 */
export function formatMoney(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`not an integer amount: ${amountMinor}`);
  const digits = minorUnitDigits(currency);
  const sign = amountMinor < 0 ? "-" : "";
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  const number = digits === 0 ? grouped : `${grouped}.${abs.slice(-digits)}`;
  const symbol = SYMBOLS[currency];
  return symbol === undefined ? `${sign}${currency} ${number}` : `${sign}${symbol}${number}`;
}
