import type { Lang } from "./i18n.js";

/** Digits after the decimal point of a currency (CNY 2, JPY 0), as the browser's ICU data says. */
export function currencyExponent(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * An amount as typed at the till ("128.5", "¥1,280.00", full-width "１２８．５０") in minor units;
 * undefined when it is not a positive amount with at most the currency's decimals.
 */
export function parseAmount(text: string, currency: string): number | undefined {
  const ascii = text
    .replace(/[\uFF10-\uFF19]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(/[\uFF0E\u3002]/g, ".")
    .replace(/[\s,\uFF0C¥￥$€£]/g, "");
  const exponent = currencyExponent(currency);
  const match = /^(\d{1,12})(?:\.(\d*))?$/.exec(ascii);
  if (!match) return undefined;
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) return undefined;
  const minor = Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, "0") || "0");
  return minor > 0 && Number.isSafeInteger(minor) ? minor : undefined;
}

export function formatAmount(amountMinor: number, currency: string, lang: Lang): string {
  const exponent = currencyExponent(currency);
  return new Intl.NumberFormat(lang, { style: "currency", currency }).format(amountMinor / 10 ** exponent);
}

/** A zone the browser knows, else undefined (then the phone's own zone is used). */
function knownZone(zone: string | null | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** An instant on the merchant's wall clock, "YYYY-MM-DD HH:MM" (the API's confirmedAtLocal format). */
export function wallClock(iso: string, zone?: string | null): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const timeZone = knownZone(zone);
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}`;
}

/** "14:30" typed in the time field, as the latest such moment not in the future (today or yesterday). */
export function instantOfTime(hhmm: string, now: Date): Date | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) return undefined;
  const at = new Date(now);
  at.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (at.getTime() > now.getTime()) at.setDate(at.getDate() - 1);
  return at;
}

export function formatClock(at: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
}
