import { decodeCalendarYear, type EncodedCalendar, encodedCalendarYears } from "./bundled-calendar-format.js";
import type { CalendarYearSource } from "./business-calendar.js";
import type { CalendarData, CalendarYear } from "./calendar-data.js";
import { BUNDLED_CALENDARS } from "./data/index.js";

// The default calendar of each bundled region, generated at build time from maintained packages
// (scripts/build-calendars.ts writes ./data/; `npm run calendars:build` regenerates it):
// - CN: chinese-days (State Council holidays and make-up workdays, one year at a time as published);
//   it covers exactly the years present in that package's data.
// - the other regions of CALENDAR_REGIONS in the script: date-holidays' "public" and "bank"
//   holidays, computed by rule for each year in RULE_BASED_YEARS, which count as covered.
// Reading data instead of running date-holidays keeps moment-timezone, moment and astronomia
// (~1.4 MB minified) out of the Lambdas. A region not bundled is unknown unless a deployment
// supplies it, and a deployment can replace any year of any region (see calendar-registry.ts).

export { RULE_BASED_YEARS } from "./bundled-calendar-format.js";

const sources = new Map<string, CalendarYearSource>();

function encodedCalendar(region: string): EncodedCalendar | undefined {
  return Object.hasOwn(BUNDLED_CALENDARS, region) ? BUNDLED_CALENDARS[region] : undefined;
}

/** True when a default calendar is bundled for the region ("CN", "HK", "US-NY", ...). */
export function hasBundledCalendar(region: string): boolean {
  return encodedCalendar(region) !== undefined;
}

/** The regions a default calendar is bundled for, sorted. */
export function bundledCalendarRegions(): string[] {
  return Object.keys(BUNDLED_CALENDARS).sort();
}

/**
 * The bundled default calendar of a region as a lazy year source: each year is decoded on first
 * use. One source per region, shared.
 *
 * @throws RangeError if no calendar is bundled for the region (check {@link hasBundledCalendar}).
 */
export function bundledCalendarSource(region: string): CalendarYearSource {
  let source = sources.get(region);
  if (!source) {
    const calendar = encodedCalendar(region);
    if (!calendar) throw new RangeError(`no bundled calendar for region ${region}`);
    const years = new Map<number, CalendarYear | undefined>();
    source = {
      region,
      year: (year) => {
        if (years.has(year)) return years.get(year);
        const data = decodeCalendarYear(calendar, year);
        years.set(year, data);
        return data;
      },
    };
    sources.set(region, source);
  }
  return source;
}

/**
 * The bundled default of a region as plain calendar data, e.g. to export it as the starting point
 * of an override file. `years` defaults to every year bundled for the region: the years
 * chinese-days has (CN) or RULE_BASED_YEARS.
 *
 * @throws RangeError if no calendar is bundled for the region.
 */
export function bundledCalendarData(region: string, years?: readonly number[]): CalendarData {
  const source = bundledCalendarSource(region);
  const calendar = encodedCalendar(region);
  if (!calendar) throw new RangeError(`no bundled calendar for region ${region}`);
  const wanted = years ?? encodedCalendarYears(calendar);
  const data: CalendarData = { region, years: [], holidays: {}, workdays: {} };
  for (const year of [...new Set(wanted)].sort((a, b) => a - b)) {
    const entries = source.year(year);
    if (!entries) continue;
    data.years.push(year);
    for (const [date, name] of entries.holidays) data.holidays[date] = name;
    for (const [date, name] of entries.workdays) data.workdays[date] = name;
  }
  data.source = calendar.source;
  return data;
}

/** The years chinese-days publishes data for (each year appears once China publishes it). */
export function chineseDaysYears(): number[] {
  const cn = encodedCalendar("CN");
  return cn ? encodedCalendarYears(cn) : [];
}
