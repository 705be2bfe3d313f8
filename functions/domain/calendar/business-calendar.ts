import { type CalendarData, type CalendarYear, calendarYearsOf } from "./calendar-data.js";
import { isWeekendEpochDay, parseIsoDate, yearOfIsoDate } from "./civil-date.js";

/**
 * A region's business days. Dates are merchant-local "YYYY-MM-DD" strings.
 *
 * Weekends are Saturday and Sunday. In a year the calendar covers, a business day is a weekday
 * that is not a holiday, or a weekend day listed as a make-up workday (China's 调休). In a year it
 * does not cover (e.g. China before the State Council publishes next year's holidays), only
 * weekends are known: every weekday is a business day, and no day has a holiday name.
 *
 * Implementations are immutable: callers may cache answers per calendar object.
 */
export interface BusinessCalendar {
  /** The region code, e.g. "CN", "US" or "GB-SCT". */
  readonly region: string;
  /** True when the calendar has holiday data for the year (not just weekends). */
  coversYear(year: number): boolean;
  /** True for a day money moves on. @throws RangeError for a string that is not a real YYYY-MM-DD date. */
  isBusinessDay(isoDate: string): boolean;
  /** The holiday's name on a day off, else undefined (weekends have no name). */
  holidayName(isoDate: string): string | undefined;
  /** True for a weekend day that is worked (make-up workday). */
  isMakeUpWorkday(isoDate: string): boolean;
}

/**
 * Where a calendar's days come from, one year at a time. `year()` returns undefined for a year
 * the source does not cover. A source may compute years lazily; the calendar asks once per year.
 */
export interface CalendarYearSource {
  readonly region: string;
  year(year: number): CalendarYear | undefined;
}

/** A source serving validated calendar data (years outside `data.years` are not covered). */
export function calendarSourceFromData(data: CalendarData): CalendarYearSource {
  const years = calendarYearsOf(data);
  return { region: data.region, year: (year) => years.get(year) };
}

/**
 * A source whose years listed in `override` come from the override, every other year from
 * `base` (the lazy equivalent of {@link mergeCalendarData}).
 */
export function overlayCalendarSource(base: CalendarYearSource, override: CalendarData): CalendarYearSource {
  const replaced = calendarYearsOf(override);
  return { region: base.region, year: (year) => replaced.get(year) ?? base.year(year) };
}

const BUSINESS_DAY_CACHE_LIMIT = 50_000;

class DataBusinessCalendar implements BusinessCalendar {
  readonly region: string;
  readonly #source: CalendarYearSource;
  // Year -> data (null: not covered). Years are asked for once; a lazy source computes them here.
  readonly #years = new Map<number, CalendarYear | null>();
  // Date -> business day? The expected-arrival hot path asks about the same dates all day.
  readonly #businessDays = new Map<string, boolean>();

  constructor(source: CalendarYearSource) {
    this.region = source.region;
    this.#source = source;
  }

  coversYear(year: number): boolean {
    return this.#year(year) !== null;
  }

  isBusinessDay(isoDate: string): boolean {
    const cached = this.#businessDays.get(isoDate);
    if (cached !== undefined) return cached;
    const epochDay = checkedEpochDay(isoDate);
    const year = this.#year(yearOfIsoDate(isoDate));
    const business =
      year === null
        ? !isWeekendEpochDay(epochDay)
        : year.workdays.has(isoDate) || (!year.holidays.has(isoDate) && !isWeekendEpochDay(epochDay));
    if (this.#businessDays.size >= BUSINESS_DAY_CACHE_LIMIT) this.#businessDays.clear();
    this.#businessDays.set(isoDate, business);
    return business;
  }

  holidayName(isoDate: string): string | undefined {
    // A date already in the business-day cache is known to be valid.
    if (!this.#businessDays.has(isoDate)) checkedEpochDay(isoDate);
    return this.#year(yearOfIsoDate(isoDate))?.holidays.get(isoDate);
  }

  isMakeUpWorkday(isoDate: string): boolean {
    if (!this.#businessDays.has(isoDate)) checkedEpochDay(isoDate);
    return this.#year(yearOfIsoDate(isoDate))?.workdays.has(isoDate) ?? false;
  }

  #year(year: number): CalendarYear | null {
    let data = this.#years.get(year);
    if (data === undefined) {
      data = this.#source.year(year) ?? null;
      this.#years.set(year, data);
    }
    return data;
  }
}

function checkedEpochDay(isoDate: string): number {
  const epochDay = parseIsoDate(isoDate);
  if (epochDay === undefined)
    throw new RangeError(`not a real calendar date (YYYY-MM-DD): ${JSON.stringify(isoDate)}`);
  return epochDay;
}

/**
 * A business calendar over calendar data or a (lazy) year source. Answers are cached per date,
 * so keep one calendar per region for the life of the process (the registry does).
 */
export function createBusinessCalendar(from: CalendarData | CalendarYearSource): BusinessCalendar {
  return new DataBusinessCalendar("year" in from ? from : calendarSourceFromData(from));
}
