import type { BusinessCalendar } from "../calendar/business-calendar.js";
import { isoDateOfEpochDay, isWeekendEpochDay, MS_PER_DAY, yearOfIsoDate } from "../calendar/civil-date.js";
import type { BusinessDayRule, SettlementTerms } from "../merchant/merchant-profile.js";
import { parseRfc3339Ms } from "../time/rfc3339.js";
import { explainArrival, type SkippedDay } from "./arrival-explanation.js";
import { UnknownTimeZoneError, zoneOffsets } from "./zone-offsets.js";

/** What {@link computeExpectedArrival} needs. */
export interface ExpectedArrivalInput {
  /** When the payment was confirmed: an RFC 3339 date-time with "Z" or an offset. */
  confirmedAt: string;
  /** The merchant's IANA time zone, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** The merchant's settlement terms (feeRate is not used here; businessDayRule defaults to "after-trade-date"). */
  terms: Pick<SettlementTerms, "cycle" | "cutoff" | "arrivalBy" | "graceMinutes" | "businessDayRule">;
  /** The merchant's business calendar (e.g. `registry.get(profile.calendar)`). */
  calendar: BusinessCalendar;
}

/** When the money is due, and why. */
export interface ExpectedArrival {
  /** Merchant-local trade date, "YYYY-MM-DD". */
  tradeDate: string;
  /** Merchant-local due date, "YYYY-MM-DD". */
  dueDate: string;
  /** The due date at arrivalBy, merchant-local, as a UTC instant (`toISOString()` format). */
  expectedBy: string;
  /** expectedBy plus the grace minutes (`toISOString()` format). */
  overdueAt: string;
  /**
   * "covered" when every year the business-day count went through has holiday data;
   * "weekends-only" when some year has none (then only weekends were skipped in it).
   * A D cycle counts calendar days and never consults the calendar: always "covered".
   */
  calendarCoverage: "covered" | "weekends-only";
  /** The years without holiday data the count went through (empty when covered). */
  uncoveredYears: number[];
  /** One line saying how the due date was found, e.g. for logs, the API and notices. */
  explanation: string;
}

/** An input the computation cannot use; `field` names which one. */
export class ExpectedArrivalInputError extends Error {
  override name = "ExpectedArrivalInputError";
  constructor(
    readonly field:
      | "confirmedAt"
      | "timeZone"
      | "terms.cycle"
      | "terms.businessDayRule"
      | "terms.cutoff"
      | "terms.arrivalBy"
      | "terms.graceMinutes",
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The calendar has no business day for an implausibly long stretch (broken calendar data). */
export class NoBusinessDayError extends Error {
  override name = "NoBusinessDayError";
}

/** Longest run of consecutive non-business days accepted before the calendar is deemed broken. */
const MAX_DAYS_OFF_IN_A_ROW = 366;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const CYCLE = /^([TD])\+(\d{1,2})$/;

interface Cycle {
  kind: "T" | "D";
  days: number;
}

// Terms come from a handful of merchant profiles: parse each distinct string once.
const cycles = new Map<string, Cycle>();
const clockTimes = new Map<string, number>();

function parseCycle(cycle: string): Cycle {
  let parsed = cycles.get(cycle);
  if (parsed === undefined) {
    const match = CYCLE.exec(cycle);
    if (!match) {
      throw new ExpectedArrivalInputError(
        "terms.cycle",
        `${JSON.stringify(cycle)} is not "T+N" (business days) or "D+N" (calendar days)`,
      );
    }
    parsed = { kind: match[1] === "T" ? "T" : "D", days: Number(match[2]) };
    if (cycles.size < 1000) cycles.set(cycle, parsed);
  }
  return parsed;
}

function parseBusinessDayRule(rule: string | undefined): BusinessDayRule {
  if (rule === undefined || rule === "after-trade-date") return "after-trade-date";
  if (rule === "roll-trade-date-first") return rule;
  throw new ExpectedArrivalInputError(
    "terms.businessDayRule",
    `${JSON.stringify(rule)} is not "after-trade-date" (the default) or "roll-trade-date-first"`,
  );
}

function parseClock(value: string, field: "terms.cutoff" | "terms.arrivalBy"): number {
  let minutes = clockTimes.get(value);
  if (minutes === undefined) {
    const match = HHMM.exec(value);
    if (!match)
      throw new ExpectedArrivalInputError(field, `${JSON.stringify(value)} is not "HH:MM" (24-hour)`);
    minutes = Number(match[1]) * 60 + Number(match[2]);
    if (clockTimes.size < 10_000) clockTimes.set(value, minutes);
  }
  return minutes;
}

function invalidInstant(value: string): ExpectedArrivalInputError {
  return new ExpectedArrivalInputError(
    "confirmedAt",
    `${JSON.stringify(value)} is not an RFC 3339 date-time with an offset, e.g. 2026-09-30T07:00:00Z`,
  );
}

/**
 * Milliseconds since the epoch of `confirmedAt`, an RFC 3339 date-time with "Z" or an offset
 * (fractions beyond milliseconds are truncated).
 * @throws ExpectedArrivalInputError (field "confirmedAt") for anything else.
 */
export function parseConfirmedAt(value: string): number {
  const ms = parseRfc3339Ms(value);
  if (ms === undefined) throw invalidInstant(value);
  return ms;
}

// Due instants repeat all day (same due date, same arrivalBy, same zone): format each once.
const isoStrings = new Map<number, string>();

/** `new Date(ms).toISOString()`, cached. */
function isoInstant(ms: number): string {
  let text = isoStrings.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoStrings.size >= 50_000) isoStrings.clear();
    isoStrings.set(ms, text);
  }
  return text;
}

// Shared by results that have nothing to list (never mutated).
const NONE: never[] = [];

/** Steps through business days, noting what it skipped and what it had to assume. */
class BusinessDayWalk {
  skipped: SkippedDay[] = NONE;
  makeUpWorkdays: number[] = NONE;
  readonly uncoveredYears: number[] = [];
  // Coverage is looked up once per year met (a count rarely crosses more than one year).
  #year = Number.NaN;
  #covered = true;

  constructor(readonly calendar: BusinessCalendar) {}

  /** The first business day on or after `from`. */
  nextBusinessDay(from: number): number {
    let day = from;
    while (!this.#isBusinessDay(day)) {
      day++;
      if (day - from > MAX_DAYS_OFF_IN_A_ROW) {
        throw new NoBusinessDayError(
          `calendar ${this.calendar.region} has no business day in the ${MAX_DAYS_OFF_IN_A_ROW} days from ${isoDateOfEpochDay(from)}`,
        );
      }
    }
    return day;
  }

  #isBusinessDay(epochDay: number): boolean {
    const iso = isoDateOfEpochDay(epochDay);
    const year = yearOfIsoDate(iso);
    if (year !== this.#year) {
      this.#year = year;
      this.#covered = this.calendar.coversYear(year);
      if (!this.#covered && !this.uncoveredYears.includes(year)) this.uncoveredYears.push(year);
    }
    // Uncovered year: weekends only, whatever the calendar implementation would say.
    if (!this.#covered) return !isWeekendEpochDay(epochDay);
    const weekend = isWeekendEpochDay(epochDay);
    if (this.calendar.isBusinessDay(iso)) {
      if (weekend && this.calendar.isMakeUpWorkday(iso)) {
        if (this.makeUpWorkdays === NONE) this.makeUpWorkdays = [];
        this.makeUpWorkdays.push(epochDay);
      }
      return true;
    }
    const name = this.calendar.holidayName(iso) ?? (weekend ? undefined : "day off");
    if (name !== undefined) {
      if (this.skipped === NONE) this.skipped = [];
      this.skipped.push({ epochDay, name });
    }
    return false;
  }
}

/**
 * Computes when a confirmed payment's money is due, in the merchant's zone and calendar.
 *
 * 1. Trade date: the merchant-local date of `confirmedAt` in `timeZone`; when the local time is
 *    at or after `terms.cutoff`, the next calendar day.
 * 2. Due date:
 *    - "T+N" (N >= 1) counts business days of `calendar`. With `terms.businessDayRule`
 *      "after-trade-date" (the default, as acquirers pay) it is the N-th business day strictly
 *      after the trade date, which is never rolled: T+1 from a Wednesday is Thursday, from a
 *      Saturday Monday (or a worked 调休 Sunday), and from any day of 1-7 Oct 2026 it is 8 Oct.
 *      With "roll-trade-date-first" a trade date that is not a business day is first rolled to
 *      the next business day, then N business days are counted after it (Saturday T+1: Tuesday).
 *    - "T+0" is the trade date if it is a business day, else the next business day (both rules).
 *    - "D+N" is the trade date plus N calendar days, holidays and weekends included.
 *    In a year the calendar does not cover, only weekends are skipped; the result says so
 *    (`calendarCoverage: "weekends-only"`, `uncoveredYears`, and the explanation).
 * 3. `expectedBy`: the due date at `terms.arrivalBy`, merchant-local, as a UTC instant. If that
 *    wall time does not exist (a DST gap), it moves forward by the gap (02:30 -> 03:30 in New York
 *    on the spring-forward day); if it exists twice (clocks go back), the earlier instant is used.
 *    `overdueAt` is `expectedBy` plus `terms.graceMinutes`.
 *
 * Pure: no clock, no I/O. Business-day answers are cached by the calendar, zone offsets per UTC
 * day and formatted due instants per instant (all bounded), so repeated dates cost little.
 *
 * @throws ExpectedArrivalInputError for a malformed instant, unknown zone or malformed terms.
 * @throws NoBusinessDayError if the calendar has no business day in a year-long stretch.
 */
export function computeExpectedArrival(input: ExpectedArrivalInput): ExpectedArrival {
  const { confirmedAt, timeZone, terms, calendar } = input;
  const confirmedMs = parseConfirmedAt(confirmedAt);
  const parsed = parseTerms(terms);
  const offsets = offsetsOf(timeZone);

  // 1. Trade date.
  const localMs = confirmedMs + offsets.offsetMinutes(confirmedMs) * 60_000;
  const confirmedLocalDay = Math.floor(localMs / MS_PER_DAY);
  const localMsOfDay = localMs - confirmedLocalDay * MS_PER_DAY;
  const tradeDay = localMsOfDay >= parsed.cutoffMinute * 60_000 ? confirmedLocalDay + 1 : confirmedLocalDay;

  // 2. Due date.
  const due = dueDateOf({ tradeDay, calendar, ...parsed });

  // 3. Due instant.
  const dueAt = offsets.utcFromLocal(due.dueDay * MS_PER_DAY + parsed.arrivalByMinute * 60_000);
  const dueLocalMs = dueAt.utcMs + offsets.offsetMinutes(dueAt.utcMs) * 60_000;
  const dueLocalDay = Math.floor(dueLocalMs / MS_PER_DAY);

  return {
    tradeDate: isoDateOfEpochDay(tradeDay),
    dueDate: isoDateOfEpochDay(due.dueDay),
    expectedBy: isoInstant(dueAt.utcMs),
    overdueAt: isoInstant(dueAt.utcMs + parsed.graceMinutes * 60_000),
    calendarCoverage: due.uncoveredYears.length > 0 ? "weekends-only" : "covered",
    uncoveredYears: due.uncoveredYears,
    explanation: explainArrival({
      ...due,
      cycle: terms.cycle,
      cycleKind: parsed.cycle.kind,
      cycleDays: parsed.cycle.days,
      businessDayRule: parsed.businessDayRule,
      region: calendar.region,
      timeZone,
      tradeDay,
      confirmedLocalDay,
      confirmedLocalMinute: Math.floor(localMsOfDay / 60_000),
      cutoffMinute: parsed.cutoffMinute,
      dueLocalDay,
      dueLocalMinute: Math.floor((dueLocalMs - dueLocalDay * MS_PER_DAY) / 60_000),
      arrivalByMinute: parsed.arrivalByMinute,
      shiftedMinutes: dueAt.shiftedMinutes,
      graceMinutes: parsed.graceMinutes,
    }),
  };
}

/** The terms, each checked and parsed (cached per distinct string). */
interface ParsedTerms {
  cycle: Cycle;
  businessDayRule: BusinessDayRule;
  cutoffMinute: number;
  arrivalByMinute: number;
  graceMinutes: number;
}

function parseTerms(terms: ExpectedArrivalInput["terms"]): ParsedTerms {
  const graceMinutes = terms.graceMinutes;
  if (!Number.isInteger(graceMinutes) || graceMinutes < 0) {
    throw new ExpectedArrivalInputError(
      "terms.graceMinutes",
      `${graceMinutes} is not a whole number of minutes >= 0`,
    );
  }
  return {
    cycle: parseCycle(terms.cycle),
    businessDayRule: parseBusinessDayRule(terms.businessDayRule),
    cutoffMinute: parseClock(terms.cutoff, "terms.cutoff"),
    arrivalByMinute: parseClock(terms.arrivalBy, "terms.arrivalBy"),
    graceMinutes,
  };
}

function offsetsOf(timeZone: string): ReturnType<typeof zoneOffsets> {
  try {
    return zoneOffsets(timeZone);
  } catch (error) {
    if (error instanceof UnknownTimeZoneError) throw new ExpectedArrivalInputError("timeZone", error.message);
    throw error;
  }
}

/** Step 2: the due date, the days it skipped and the years it had to guess. */
interface DueDate {
  dueDay: number;
  dueHoliday: string | undefined;
  /** The day the N business days are counted after (T cycles): the trade date, or the business day it was rolled to. */
  countedAfterDay: number;
  skipped: SkippedDay[];
  makeUpWorkdays: number[];
  uncoveredYears: number[];
}

function dueDateOf(options: {
  tradeDay: number;
  calendar: BusinessCalendar;
  cycle: Cycle;
  businessDayRule: BusinessDayRule;
}): DueDate {
  const { tradeDay, calendar, cycle } = options;
  if (cycle.kind === "D") {
    const dueDay = tradeDay + cycle.days;
    const dueIso = isoDateOfEpochDay(dueDay);
    const dueHoliday = calendar.coversYear(yearOfIsoDate(dueIso)) ? calendar.holidayName(dueIso) : undefined;
    return {
      dueDay,
      dueHoliday,
      countedAfterDay: tradeDay,
      skipped: NONE,
      makeUpWorkdays: NONE,
      uncoveredYears: [],
    };
  }
  const walk = new BusinessDayWalk(calendar);
  const rolled = cycle.days === 0 || options.businessDayRule === "roll-trade-date-first";
  const countedAfterDay = rolled ? walk.nextBusinessDay(tradeDay) : tradeDay;
  let dueDay = countedAfterDay;
  for (let step = 0; step < cycle.days; step++) dueDay = walk.nextBusinessDay(dueDay + 1);
  walk.uncoveredYears.sort((a, b) => a - b);
  return {
    dueDay,
    dueHoliday: undefined,
    countedAfterDay,
    skipped: walk.skipped,
    makeUpWorkdays: walk.makeUpWorkdays,
    uncoveredYears: walk.uncoveredYears,
  };
}
