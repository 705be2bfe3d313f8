import { civilFromEpochDay, isoDateOfEpochDay, monthAbbreviation } from "../calendar/civil-date.js";
import type { BusinessDayRule } from "../merchant/merchant-profile.js";

// The one-line explanation that travels with every expected arrival (logs, API, notices). It is
// assembled from what the computation actually did, never from the terms alone.

/** A named day off the computation stepped over. */
export interface SkippedDay {
  epochDay: number;
  name: string;
}

/** Everything the explanation states, as computed. */
export interface ExplanationFacts {
  cycle: string;
  cycleKind: "T" | "D";
  cycleDays: number;
  /** How a T cycle counted (ignored for D cycles and T+0, where both rules agree). */
  businessDayRule: BusinessDayRule;
  region: string;
  timeZone: string;
  tradeDay: number;
  /** T cycles: the day the business days were counted after (the trade date, or the day it was rolled to). */
  countedAfterDay: number;
  confirmedLocalDay: number;
  confirmedLocalMinute: number;
  cutoffMinute: number;
  /** Named days off the count stepped over before the due date, in order. */
  skipped: readonly SkippedDay[];
  /** Make-up workdays counted as business days, in order. */
  makeUpWorkdays: readonly number[];
  uncoveredYears: readonly number[];
  dueDay: number;
  /** For D cycles: the due date's holiday name, if it is one. */
  dueHoliday: string | undefined;
  /** Local date and time of expectedBy: the due date at arrivalBy, or later when arrivalBy falls in a DST gap. */
  dueLocalDay: number;
  dueLocalMinute: number;
  arrivalByMinute: number;
  /** Minutes the arrivalBy wall time was moved forward by a DST gap (0 normally). */
  shiftedMinutes: number;
  graceMinutes: number;
}

const dayMonthCache = new Map<number, string>();
const longDateCache = new Map<number, string>();
const CACHE_LIMIT = 20_000;

/** "1 Oct" */
function dayMonth(epochDay: number): string {
  let text = dayMonthCache.get(epochDay);
  if (text === undefined) {
    const { month, day } = civilFromEpochDay(epochDay);
    text = `${day} ${monthAbbreviation(month)}`;
    if (dayMonthCache.size >= CACHE_LIMIT) dayMonthCache.clear();
    dayMonthCache.set(epochDay, text);
  }
  return text;
}

/** "1 Oct 2026" */
export function longDate(epochDay: number): string {
  let text = longDateCache.get(epochDay);
  if (text === undefined) {
    const { year, month, day } = civilFromEpochDay(epochDay);
    text = `${day} ${monthAbbreviation(month)} ${year}`;
    if (longDateCache.size >= CACHE_LIMIT) longDateCache.clear();
    longDateCache.set(epochDay, text);
  }
  return text;
}

/** "1–7 Oct", "30 Sep–2 Oct", "31 Dec 2026–1 Jan 2027", or "1 Oct" for a single day. */
export function dateRange(first: number, last: number): string {
  if (first === last) return dayMonth(first);
  const a = civilFromEpochDay(first);
  const b = civilFromEpochDay(last);
  if (a.year !== b.year) return `${longDate(first)}–${longDate(last)}`;
  if (a.month !== b.month) return `${dayMonth(first)}–${dayMonth(last)}`;
  return `${a.day}–${b.day} ${monthAbbreviation(a.month)}`;
}

/** "HH:MM" of a minute of the day. */
export function clock(minuteOfDay: number): string {
  const hours = Math.floor(minuteOfDay / 60);
  const minutes = minuteOfDay % 60;
  return `${hours < 10 ? "0" : ""}${hours}:${minutes < 10 ? "0" : ""}${minutes}`;
}

/** Collapses consecutive days with the same name: "1–7 Oct National Day, 10 Oct Foo". */
function skippedText(skipped: readonly SkippedDay[]): string {
  const groups: string[] = [];
  let index = 0;
  while (index < skipped.length) {
    const start = skipped[index] as SkippedDay;
    let end = start;
    let next = skipped[index + 1];
    while (next !== undefined && next.name === start.name && next.epochDay === end.epochDay + 1) {
      end = next;
      index++;
      next = skipped[index + 1];
    }
    groups.push(`${dateRange(start.epochDay, end.epochDay)} ${start.name}`);
    index++;
  }
  return groups.join(", ");
}

/** Which business-day rule a T+N (N >= 1) count followed, and what it did with the trade date. */
function ruleText(facts: ExplanationFacts): string {
  if (facts.businessDayRule === "after-trade-date") {
    return "counted strictly after the trade date (rule after-trade-date)";
  }
  const trade =
    facts.countedAfterDay === facts.tradeDay
      ? "trade date is a business day"
      : `trade date rolled to ${longDate(facts.countedAfterDay)}`;
  return `${trade}, counted after it (rule roll-trade-date-first)`;
}

/**
 * One line, e.g. "T+1 business day from trade date 30 Sep 2026 (confirmed 2026-09-30 15:00
 * Asia/Shanghai, before the 23:00 cutoff); counted strictly after the trade date (rule
 * after-trade-date); 1–7 Oct National Day skipped; due 8 Oct 2026 18:00 Asia/Shanghai, overdue
 * after 60 min grace".
 */
export function explainArrival(facts: ExplanationFacts): string {
  const unit =
    facts.cycleKind === "T"
      ? facts.cycleDays === 1
        ? "business day"
        : "business days"
      : facts.cycleDays === 1
        ? "calendar day"
        : "calendar days";
  const cutoff = `${facts.confirmedLocalMinute >= facts.cutoffMinute ? "at or after" : "before"} the ${clock(facts.cutoffMinute)} cutoff`;
  let text =
    `${facts.cycle} ${unit} from trade date ${longDate(facts.tradeDay)} ` +
    `(confirmed ${isoDateOfEpochDay(facts.confirmedLocalDay)} ${clock(facts.confirmedLocalMinute)} ${facts.timeZone}, ${cutoff})`;

  if (facts.cycleKind === "T" && facts.cycleDays > 0) text += `; ${ruleText(facts)}`;

  const notes: string[] = [];
  if (facts.skipped.length > 0) notes.push(`${skippedText(facts.skipped)} skipped`);
  if (facts.makeUpWorkdays.length === 1) {
    notes.push(`${dayMonth(facts.makeUpWorkdays[0] as number)} is a make-up workday`);
  } else if (facts.makeUpWorkdays.length > 1) {
    notes.push(`${facts.makeUpWorkdays.map(dayMonth).join(", ")} are make-up workdays`);
  }
  if (notes.length > 0) text += `; ${notes.join(", ")}`;
  if (facts.uncoveredYears.length > 0) {
    text += `; ${facts.region} calendar has no data for ${facts.uncoveredYears.join(", ")}: weekends only`;
  }
  if (facts.dueHoliday !== undefined) {
    text += `; the due date is ${facts.dueHoliday}, which a D cycle does not skip`;
  }

  text += `; due ${longDate(facts.dueLocalDay)} ${clock(facts.dueLocalMinute)} ${facts.timeZone}`;
  if (facts.shiftedMinutes > 0) {
    text += ` (${clock(facts.arrivalByMinute)} is skipped when clocks go forward on ${longDate(facts.dueDay)})`;
  }
  text +=
    facts.graceMinutes > 0
      ? `, overdue after ${facts.graceMinutes} min grace`
      : ", overdue right after (no grace)";
  return text;
}
