// Plain calendar-date arithmetic on "epoch days" (days since 1970-01-01, proleptic Gregorian).
// Dates here have no time zone: they are the merchant-local dates the calendars talk about.
// The conversions are exact integer arithmetic (H. Hinnant's days_from_civil / civil_from_days),
// which is what lets the expected-arrival hot path avoid luxon for date stepping.

/** Milliseconds in a calendar day of a UTC-like wall clock (no DST inside an epoch day). */
export const MS_PER_DAY = 86_400_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

/** Days since 1970-01-01 of a valid year/month (1-12)/day. */
export function epochDayFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The year, month (1-12) and day of an epoch day. */
export function civilFromEpochDay(epochDay: number): { year: number; month: number; day: number } {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days in a month (1-12) of a year, leap years included. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The epoch day of a strict "YYYY-MM-DD" date, or undefined if the text is not a real date. */
export function parseIsoDate(isoDate: string): number | undefined {
  const match = ISO_DATE.exec(isoDate);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return epochDayFromCivil(year, month, day);
}

// Epoch day -> "YYYY-MM-DD". Cached: the same few hundred dates are formatted over and over on
// the hot path. Bounded so a long-lived process cannot grow it without limit.
const isoCache = new Map<number, string>();
const ISO_CACHE_LIMIT = 100_000;

/** "YYYY-MM-DD" of an epoch day (years 0-9999). */
export function isoDateOfEpochDay(epochDay: number): string {
  const cached = isoCache.get(epochDay);
  if (cached !== undefined) return cached;
  const { year, month, day } = civilFromEpochDay(epochDay);
  const iso = `${String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
  if (isoCache.size >= ISO_CACHE_LIMIT) isoCache.clear();
  isoCache.set(epochDay, iso);
  return iso;
}

/** The year of a "YYYY-MM-DD" string that is already known to be well formed (no validation). */
export function yearOfIsoDate(isoDate: string): number {
  return (
    (isoDate.charCodeAt(0) - 48) * 1000 +
    (isoDate.charCodeAt(1) - 48) * 100 +
    (isoDate.charCodeAt(2) - 48) * 10 +
    (isoDate.charCodeAt(3) - 48)
  );
}

/** Day of the week of an epoch day: 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfEpochDay(epochDay: number): number {
  const w = (epochDay + 4) % 7;
  return w < 0 ? w + 7 : w;
}

/** True on Saturday and Sunday, the weekend every bundled calendar uses. */
export function isWeekendEpochDay(epochDay: number): boolean {
  const w = weekdayOfEpochDay(epochDay);
  return w === 0 || w === 6;
}

/** English name of a weekday number (0 = Sunday), for messages. */
export function weekdayName(weekday: number): string {
  return WEEKDAYS[weekday] ?? "?";
}

/** Three-letter English month name of a month number (1-12). */
export function monthAbbreviation(month: number): string {
  return MONTHS[month - 1] ?? "?";
}
