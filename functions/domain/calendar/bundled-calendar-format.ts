import type { CalendarYear } from "./calendar-data.js";

// The file format of the bundled calendars in ./data/, written by scripts/build-calendars.ts and
// read by bundled-calendars.ts. It lives apart from both so the build script can encode without
// loading the data it is about to rewrite, and the Lambdas can decode without date-holidays.
//
// One file per region, e.g. data/HK.json:
//   { "$comment": "...", "region": "HK", "source": "...", "names": ["New Year's Day", ...],
//     "years": { "2026": { "h": { "01-01": 0, ... }, "w": { ... } }, ... } }
// `years` lists every covered year (an empty `h` is a covered year with no holidays). `h` maps a
// holiday's "MM-DD" to its name's index in `names`, `w` (present only when there are any) the
// same for make-up workdays. The name table keeps the files small: names repeat every year.

/** Years a rule-based (date-holidays) calendar is generated for, and so counts as covered. */
export const RULE_BASED_YEARS = { first: 2020, last: 2035 } as const;

/** One year of a bundled calendar: "MM-DD" -> index into the calendar's `names`. */
export interface EncodedCalendarYear {
  h: Record<string, number>;
  w?: Record<string, number>;
}

/** One region's bundled calendar as stored in functions/domain/calendar/data/<region>.json. */
export interface EncodedCalendar {
  /** Says the file is generated and how to regenerate it. */
  $comment: string;
  region: string;
  /** Where the data comes from, as `CalendarData.source`. */
  source: string;
  names: string[];
  /** Year ("2026") -> that year's days; every covered year is present. */
  years: Record<string, EncodedCalendarYear>;
}

/**
 * Encodes a region's calendar, one entry per covered year. Names are numbered in order of first
 * use (years ascending, holidays then workdays, dates ascending), so the output is stable.
 */
export function encodeCalendar(
  head: { $comment: string; region: string; source: string },
  years: ReadonlyMap<number, CalendarYear>,
): EncodedCalendar {
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const indexOf = (name: string): number => {
    let index = nameIndex.get(name);
    if (index === undefined) {
      index = names.length;
      names.push(name);
      nameIndex.set(name, index);
    }
    return index;
  };
  const encodeDays = (year: number, days: ReadonlyMap<string, string>): Record<string, number> => {
    const encoded: Record<string, number> = {};
    for (const [date, name] of [...days].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!date.startsWith(`${year}-`)) throw new RangeError(`${head.region}: ${date} is not in ${year}`);
      encoded[date.slice(5)] = indexOf(name);
    }
    return encoded;
  };
  const encodedYears: Record<string, EncodedCalendarYear> = {};
  for (const year of [...years.keys()].sort((a, b) => a - b)) {
    const data = years.get(year);
    if (!data) continue;
    const entry: EncodedCalendarYear = { h: encodeDays(year, data.holidays) };
    if (data.workdays.size > 0) entry.w = encodeDays(year, data.workdays);
    encodedYears[String(year)] = entry;
  }
  return { ...head, names, years: encodedYears };
}

/** The years an encoded calendar covers, ascending. */
export function encodedCalendarYears(calendar: EncodedCalendar): number[] {
  return Object.keys(calendar.years)
    .map(Number)
    .sort((a, b) => a - b);
}

/** One year of an encoded calendar with full "YYYY-MM-DD" dates, or undefined if not covered. */
export function decodeCalendarYear(calendar: EncodedCalendar, year: number): CalendarYear | undefined {
  const key = String(year);
  if (!Object.hasOwn(calendar.years, key)) return undefined;
  const entry = calendar.years[key];
  if (!entry) return undefined;
  const decodeDays = (days: Record<string, number> | undefined): Map<string, string> => {
    const decoded = new Map<string, string>();
    for (const [monthDay, index] of Object.entries(days ?? {})) {
      const name = calendar.names[index];
      if (name === undefined)
        throw new RangeError(`${calendar.region} ${key}-${monthDay}: no name #${index}`);
      decoded.set(`${key}-${monthDay}`, name);
    }
    return decoded;
  };
  return { holidays: decodeDays(entry.h), workdays: decodeDays(entry.w) };
}
