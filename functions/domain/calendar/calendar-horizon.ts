import type { BusinessCalendar } from "./business-calendar.js";
import { civilFromEpochDay, parseIsoDate } from "./civil-date.js";

/** Days ahead every calendar in use must cover, unless the deployment says otherwise. */
export const DEFAULT_CALENDAR_HORIZON_DAYS = 90;

/**
 * The years between `today` and `today + horizonDays` (both "YYYY-MM-DD", inclusive) that the
 * calendar has no holiday data for, oldest first. A due date in such a year would be a weekends-only
 * guess, so ops must load the year before the horizon reaches it (China publishes each November).
 *
 * @throws RangeError for a `today` that is not a real date or a negative horizon.
 */
export function missingCalendarYears(
  calendar: Pick<BusinessCalendar, "coversYear">,
  today: string,
  horizonDays: number,
): number[] {
  const first = parseIsoDate(today);
  if (first === undefined) throw new RangeError(`not a real calendar date (YYYY-MM-DD): ${today}`);
  if (!Number.isInteger(horizonDays) || horizonDays < 0)
    throw new RangeError(`horizonDays must be a whole number >= 0, not ${horizonDays}`);
  const fromYear = civilFromEpochDay(first).year;
  const toYear = civilFromEpochDay(first + horizonDays).year;
  const missing: number[] = [];
  for (let year = fromYear; year <= toYear; year += 1) if (!calendar.coversYear(year)) missing.push(year);
  return missing;
}
