import { DateTime } from "luxon";

/**
 * RFC 3339 section 5.6, the grammar only: YYYY-MM-DD, "T" / "t" / " ", hh:mm:ss, optional
 * ".fraction", then "Z" / "z" or +hh:mm / -hh:mm. ASCII digits only (`\d` without the u flag).
 * Luxon's ISO parser is not used: it also accepts forms RFC 3339 does not (no offset, basic
 * format, 24:00, week and ordinal dates).
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch of an RFC 3339 date-time with "Z" or an offset that names a real
 * moment (no 30 February, no hour 24, offsets within ±23:59), fractions beyond milliseconds
 * truncated; undefined for anything else. A leap second (:60) reads as the first millisecond
 * after :59, as POSIX time does.
 */
export function parseRfc3339Ms(value: string): number | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = "", sign, offsetHours, offsetMinutes] = match;
  const dayStart = utcDayStartMs(year as string, month as string, day as string);
  const offset = offsetOf(sign, offsetHours, offsetMinutes);
  const [h, m, s] = [Number(hour), Number(minute), Number(second)];
  if (dayStart === undefined || offset === undefined || h > 23 || m > 59 || s > 60) return undefined;
  const millis = Number(fraction.slice(0, 3).padEnd(3, "0"));
  return dayStart + ((h * 60 + m - offset) * 60 + s) * 1000 + millis;
}

// Confirmations of a day share their date: luxon checks each distinct date once (bounded cache).
const dayStarts = new Map<string, number | null>();

/** The UTC midnight of a calendar date luxon accepts (a real day of a real month), else undefined. */
function utcDayStartMs(year: string, month: string, day: string): number | undefined {
  const key = `${year}-${month}-${day}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    const date = DateTime.fromObject(
      { year: Number(year), month: Number(month), day: Number(day) },
      { zone: "utc" },
    );
    start = date.isValid ? date.toMillis() : null;
    if (dayStarts.size >= 10_000) dayStarts.clear();
    dayStarts.set(key, start);
  }
  return start ?? undefined;
}

/** The offset in minutes ("Z": 0), or undefined when it is out of range (hours 00-23, minutes 00-59). */
function offsetOf(
  sign: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
): number | undefined {
  if (sign === undefined) return 0;
  const h = Number(hours);
  const m = Number(minutes);
  if (h > 23 || m > 59) return undefined;
  return (sign === "-" ? -1 : 1) * (h * 60 + m);
}
