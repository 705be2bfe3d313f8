import type { CalendarHold, ExpectedArrivalFields } from "../payment/payment.js";
import type { ExpectedArrival } from "./expected-arrival.js";

// A due date counted through a year the calendar does not cover is a weekends-only guess. Such a
// payment is never reported overdue on that guess: it is held (kept PENDING, off the due index) under
// its calendar and the first uncovered year, ops are told, and it is recomputed once the year is loaded.

/** The hold an expected arrival needs: the first year it had to guess, or undefined when covered. */
export function calendarHoldOf(
  arrival: Pick<ExpectedArrival, "uncoveredYears">,
  region: string,
): CalendarHold | undefined {
  if (arrival.uncoveredYears.length === 0) return undefined;
  return { region, year: Math.min(...arrival.uncoveredYears) };
}

/**
 * The stored arrival fields of a computed expected arrival, with its hold (if any) and the
 * explanation saying so; `note` is appended (e.g. "merchant … has no profile").
 */
export function arrivalFieldsOf(
  computed: ExpectedArrival,
  region: string,
  note?: string,
): ExpectedArrivalFields {
  const hold = calendarHoldOf(computed, region);
  let explanation = computed.explanation;
  if (hold) {
    explanation += `; held: no overdue alert on a guess until the ${hold.region} calendar for ${hold.year} is loaded (then recomputed)`;
  }
  if (note) explanation += `; ${note}`;
  return {
    tradeDate: computed.tradeDate,
    dueDate: computed.dueDate,
    expectedBy: computed.expectedBy,
    overdueAt: computed.overdueAt,
    calendarCoverage: computed.calendarCoverage,
    explanation,
    ...(hold ? { calendarHold: hold } : {}),
  };
}
