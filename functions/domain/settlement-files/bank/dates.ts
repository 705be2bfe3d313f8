/**
 * Date helpers for bank statements. Statements carry calendar dates (no instants), so these stay
 * strings: `YYYY-MM-DD`, validated against the real calendar.
 */

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** `YYYY-MM-DD` when year/month/day form a real calendar date, else null. */
export function calendarDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/**
 * The date part of an ISO 8601 `Dt` (`2014-12-31`) or `DtTm` (`2014-12-31T12:15:00+01:00`), as
 * written: a bank's booking/value date is a local calendar date, so no time-zone conversion.
 */
export function isoDatePart(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text.trim());
  if (!match) return null;
  return calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * Century window for two-digit years in SWIFT and BAI2 dates: 00-79 → 2000-2079, 80-99 →
 * 1980-1999. Fixed (not relative to "now") so parsing needs no clock and is reproducible.
 */
export function expandYear(yy: number): number {
  return yy < 80 ? 2000 + yy : 1900 + yy;
}

export type YymmddParse = { ok: true; date: string; clamped: boolean } | { ok: false; reason: string };

/**
 * `YYMMDD` → `YYYY-MM-DD`. A day past the end of a real month (German banks' `300230`, "30
 * February", from 30/360 interest conventions) is moved to the month's last day and reported as
 * clamped; anything else that is not a date is refused.
 */
export function parseYymmdd(text: string): YymmddParse {
  const match = /^(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match) return { ok: false, reason: `"${text}" is not a YYMMDD date` };
  const year = expandYear(Number(match[1]));
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return { ok: false, reason: `"${text}" is not a YYMMDD date` };
  }
  const last = daysInMonth(year, month);
  if (day > last) return { ok: true, date: `${year}-${pad(month)}-${pad(last)}`, clamped: true };
  return { ok: true, date: `${year}-${pad(month)}-${pad(day)}`, clamped: false };
}
