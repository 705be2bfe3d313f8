import { addDays, instantsAt, localDateTime, minuteOfDay } from "./wall-clock.js";

/** A merchant's quiet period on its local wall clock, "HH:MM" 24-hour (see the merchant profile). */
export interface QuietHours {
  start: string;
  end: string;
}

/**
 * True when the merchant's wall clock at `now` is inside the quiet period.
 *
 * The period is `[start, end)` on the local wall clock: 22:00 is quiet, 08:00 is not. When
 * `start` is later than `end` the period crosses midnight (22:00–08:00 is quiet from 22:00 to
 * 23:59 and from 00:00 to 07:59). `start == end` is an empty period, not a whole day: a profile
 * that wants no SMS at all lists no "sms" channel instead. Seconds are ignored (07:59:59 is quiet).
 */
export function isQuietTime(now: Date, timeZone: string, quietHours: QuietHours | undefined): boolean {
  if (!quietHours) return false;
  const start = minuteOfDay(quietHours.start);
  const end = minuteOfDay(quietHours.end);
  if (start === end) return false;
  const local = localDateTime(now.getTime(), timeZone);
  const minute = local.hour * 60 + local.minute;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * When an SMS decided at `now` may be sent: `now` itself outside quiet hours, else the end of the
 * quiet period as a UTC instant. Email is not held (it does not wake anyone).
 *
 * The end is the first instant after `now` at which the merchant's wall clock reads `end`, so it
 * follows the zone's rules on that night:
 * - across midnight (22:00–08:00 in Asia/Shanghai at 15:30Z, i.e. 23:30 local → 00:00Z);
 * - across a DST change (22:00–08:00 in America/New_York on the night clocks go forward ends at
 *   08:00 EDT = 12:00Z, not 13:00Z);
 * - when `end` itself is skipped by clocks going forward, the period ends at the change;
 * - when `end` occurs twice (clocks going back), at its first occurrence.
 *
 * @param quietHours undefined, or `start == end`, means no quiet hours: returns `now`.
 * @returns a new Date (never the `now` object itself).
 * @throws RangeError on an unknown zone or a malformed "HH:MM".
 */
export function nextSendTime(now: Date, timeZone: string, quietHours: QuietHours | undefined): Date {
  if (!quietHours || !isQuietTime(now, timeZone, quietHours)) return new Date(now.getTime());
  const end = minuteOfDay(quietHours.end);
  const nowMs = now.getTime();
  const today = localDateTime(nowMs, timeZone);
  // The end is today (after midnight, in the morning part) or tomorrow (in the evening part);
  // a third day only guards against a zone skipping a whole day (Samoa, 2011).
  for (let days = 0; days <= 2; days += 1) {
    const later = instantsAt(addDays(today, days), end, timeZone).find((instant) => instant > nowMs);
    if (later !== undefined) return new Date(later);
  }
  throw new Error(`no end of quiet hours found within two days in ${timeZone}`);
}
