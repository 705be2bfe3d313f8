import chineseDays from "chinese-days/dist/chinese-days.json" with { type: "json" };
import Holidays from "date-holidays";
import type { CalendarYearSource } from "./business-calendar.js";
import type { CalendarData, CalendarYear } from "./calendar-data.js";
import { isoDateOfEpochDay, MS_PER_DAY, parseIsoDate, yearOfIsoDate } from "./civil-date.js";

// The default calendar of each region, built from maintained packages:
// - CN: chinese-days (State Council holidays and make-up workdays, one year at a time as published);
//   it covers exactly the years present in its data.
// - every other country (and subdivision) date-holidays knows: its "public" and "bank" holidays,
//   computed by rule for any year, so the years in RULE_BASED_YEARS count as covered.
// A deployment can replace any year of any region with its own data (see calendar-registry.ts).

/** Years a rule-based (date-holidays) calendar counts as covered. */
export const RULE_BASED_YEARS = { first: 2020, last: 2035 } as const;

/**
 * Region codes that mean a subdivision's calendar in date-holidays. "GB" is England and Wales:
 * the bank holidays UK payment systems (Bacs, Faster Payments, CHAPS) close on; use "GB-SCT" or
 * "GB-NIR" for Scotland's or Northern Ireland's.
 */
const REGION_ALIASES: Readonly<Record<string, readonly [country: string, state?: string]>> = {
  GB: ["GB", "ENG"],
};

const CHINESE_DAYS_SOURCE = "chinese-days (State Council notices)";

/** Holiday types of date-holidays that close businesses and banks (not "optional"/"observance"/"school"). */
const CLOSING_TYPES = new Set(["public", "bank"]);

const sources = new Map<string, CalendarYearSource>();
let holidayCatalogue: Holidays | undefined;

function catalogue(): Holidays {
  holidayCatalogue ??= new Holidays();
  return holidayCatalogue;
}

function dateHolidaysTarget(region: string): readonly [country: string, state?: string] | undefined {
  const alias = REGION_ALIASES[region];
  if (alias) return alias;
  const [country = "", state] = region.split("-");
  if (country === "CN") return undefined; // chinese-days, country-wide only
  if (!Object.hasOwn(catalogue().getCountries("en"), country)) return undefined;
  if (state === undefined) return [country];
  const states = catalogue().getStates(country, "en");
  return states && Object.hasOwn(states, state) ? [country, state] : undefined;
}

/** True when a default calendar is bundled for the region ("CN", "HK", "US-NY", ...). */
export function hasBundledCalendar(region: string): boolean {
  return region === "CN" || dateHolidaysTarget(region) !== undefined;
}

/**
 * The bundled default calendar of a region as a lazy year source, built on first use and
 * cached per region.
 *
 * @throws RangeError if no calendar is bundled for the region (check {@link hasBundledCalendar}).
 */
export function bundledCalendarSource(region: string): CalendarYearSource {
  let source = sources.get(region);
  if (!source) {
    source = region === "CN" ? chineseDaysSource() : dateHolidaysSource(region);
    sources.set(region, source);
  }
  return source;
}

/**
 * The bundled default of a region as plain calendar data, e.g. to export it as the starting point
 * of an override file. `years` defaults to every year chinese-days has (CN) or RULE_BASED_YEARS.
 */
export function bundledCalendarData(region: string, years?: readonly number[]): CalendarData {
  const source = bundledCalendarSource(region);
  const wanted = years ?? (region === "CN" ? chineseDaysYears() : ruleBasedYears());
  const data: CalendarData = { region, years: [], holidays: {}, workdays: {} };
  for (const year of [...new Set(wanted)].sort((a, b) => a - b)) {
    const entries = source.year(year);
    if (!entries) continue;
    data.years.push(year);
    for (const [date, name] of entries.holidays) data.holidays[date] = name;
    for (const [date, name] of entries.workdays) data.workdays[date] = name;
  }
  data.source = region === "CN" ? CHINESE_DAYS_SOURCE : "date-holidays (public and bank holidays)";
  return data;
}

function ruleBasedYears(): number[] {
  const years: number[] = [];
  for (let year = RULE_BASED_YEARS.first; year <= RULE_BASED_YEARS.last; year++) years.push(year);
  return years;
}

// --- CN: chinese-days -------------------------------------------------------------------------

interface MutableYear {
  holidays: Map<string, string>;
  workdays: Map<string, string>;
}

let chineseDaysByYear: Map<number, MutableYear> | undefined;

/** chinese-days values read "English name,中文名,N": keep the English name. */
function englishName(value: string): string {
  const name = value.split(",")[0]?.trim();
  return name ? name : value;
}

function chineseDaysData(): Map<number, MutableYear> {
  if (chineseDaysByYear) return chineseDaysByYear;
  const byYear = new Map<number, MutableYear>();
  const yearOf = (date: string): MutableYear => {
    const year = yearOfIsoDate(date);
    let entry = byYear.get(year);
    if (!entry) {
      entry = { holidays: new Map(), workdays: new Map() };
      byYear.set(year, entry);
    }
    return entry;
  };
  const holidays: Record<string, string> = chineseDays.holidays;
  const workdays: Record<string, string> = chineseDays.workdays;
  for (const [date, value] of Object.entries(holidays)) {
    if (parseIsoDate(date) !== undefined) yearOf(date).holidays.set(date, englishName(value));
  }
  for (const [date, value] of Object.entries(workdays)) {
    if (parseIsoDate(date) !== undefined)
      yearOf(date).workdays.set(date, `make-up workday for ${englishName(value)}`);
  }
  chineseDaysByYear = byYear;
  return byYear;
}

/** The years chinese-days publishes data for (each year appears once China publishes it). */
export function chineseDaysYears(): number[] {
  return [...chineseDaysData().keys()].sort((a, b) => a - b);
}

function chineseDaysSource(): CalendarYearSource {
  return { region: "CN", year: (year) => chineseDaysData().get(year) };
}

// --- everything else: date-holidays --------------------------------------------------------------

function dateHolidaysSource(region: string): CalendarYearSource {
  const target = dateHolidaysTarget(region);
  if (!target) throw new RangeError(`no bundled calendar for region ${region}`);
  const [country, state] = target;
  const holidays =
    state === undefined
      ? new Holidays(country, { languages: ["en"] })
      : new Holidays(country, state, { languages: ["en"] });
  const years = new Map<number, CalendarYear>();

  // One year's closing days. Multi-day entries (e.g. a 3-day Eid) are expanded; entries that start
  // after midnight (half days such as Christmas Eve from 14:00) are not days off and are left out.
  // Last year's entries are read too, in case one runs into this year.
  const build = (year: number): CalendarYear => {
    const days = new Map<string, string>();
    for (const entry of [...holidays.getHolidays(year - 1, "en"), ...holidays.getHolidays(year, "en")]) {
      if (!CLOSING_TYPES.has(entry.type)) continue;
      if (entry.date.slice(11, 19) !== "00:00:00") continue;
      const first = parseIsoDate(entry.date.slice(0, 10));
      if (first === undefined) continue;
      const length = Math.max(1, Math.round((entry.end.getTime() - entry.start.getTime()) / MS_PER_DAY));
      for (let day = first; day < first + length; day++) {
        const date = isoDateOfEpochDay(day);
        if (yearOfIsoDate(date) !== year) continue;
        const known = days.get(date);
        days.set(date, known && known !== entry.name ? `${known} / ${entry.name}` : entry.name);
      }
    }
    return { holidays: days, workdays: new Map() };
  };

  return {
    region,
    year: (year) => {
      if (year < RULE_BASED_YEARS.first || year > RULE_BASED_YEARS.last) return undefined;
      let data = years.get(year);
      if (!data) {
        data = build(year);
        years.set(year, data);
      }
      return data;
    },
  };
}
