import { computeExpectedArrival, type ExpectedArrivalInput } from "../arrival/expected-arrival.js";
import { isoDateOfEpochDay, MS_PER_DAY, parseIsoDate } from "../calendar/civil-date.js";

/**
 * Which trade dates can still hold PENDING payments of a merchant: a payment stays PENDING until
 * the overdue check marks it OVERDUE at its overdue instant, and that instant only grows with the
 * confirmation instant. So walking back a day at a time from `now` with the merchant's own terms
 * and calendar, the first confirmation instant already overdue (by more than `checkLagMinutes`,
 * the overdue check's slack) bounds the list: every older trade date holds no PENDING payment.
 * A T+1 merchant reads about 3 trade dates, a T+5 merchant over a holiday week about 12.
 */

/** Most trade dates the walk reads, whatever the terms (a D+99 cycle plus a week of grace fits). */
export const PENDING_WINDOW_MAX_DAYS = 120;
/** Slack for an overdue check that ran late: payments past due this long are taken as OVERDUE. */
export const DEFAULT_CHECK_LAG_MINUTES = 24 * 60;

export interface PendingWindowInput extends Omit<ExpectedArrivalInput, "confirmedAt"> {
  now: Date;
  checkLagMinutes?: number;
}

/** The trade dates (merchant-local "YYYY-MM-DD") that can hold PENDING payments, newest first. */
export function pendingTradeDates(input: PendingWindowInput): string[] {
  const { now, checkLagMinutes = DEFAULT_CHECK_LAG_MINUTES, ...terms } = input;
  const settledBefore = now.getTime() - checkLagMinutes * 60_000;
  // A confirmation after today's cutoff is filed under tomorrow's trade date.
  const newest = arrivalAt(terms, now.getTime() + MS_PER_DAY).tradeDate;
  let oldest = arrivalAt(terms, now.getTime()).tradeDate;
  for (let daysBack = 1; daysBack <= PENDING_WINDOW_MAX_DAYS; daysBack += 1) {
    const arrival = arrivalAt(terms, now.getTime() - daysBack * MS_PER_DAY);
    oldest = arrival.tradeDate;
    if (Date.parse(arrival.overdueAt) <= settledBefore) break;
  }
  return tradeDatesFrom(oldest, newest);
}

function arrivalAt(terms: Omit<ExpectedArrivalInput, "confirmedAt">, atMs: number) {
  return computeExpectedArrival({ ...terms, confirmedAt: new Date(atMs).toISOString() });
}

/** Every date from `oldest` to `newest` (inclusive), newest first. */
function tradeDatesFrom(oldest: string, newest: string): string[] {
  const first = parseIsoDate(oldest) ?? 0;
  const last = parseIsoDate(newest) ?? first;
  const dates: string[] = [];
  for (let day = last; day >= first; day -= 1) dates.push(isoDateOfEpochDay(day));
  return dates;
}

/** Both lists together, newest first, each date once (the outstanding list reads their union). */
export function unionOfTradeDates(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())].sort((a, b) => b.localeCompare(a));
}
