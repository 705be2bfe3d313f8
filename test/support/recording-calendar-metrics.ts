import type { CalendarMetrics } from "../../functions/use-cases/run-calendar-check.js";

/** The calendar check's metrics, as calls in order. */
export class RecordingCalendarMetrics implements CalendarMetrics {
  readonly missing: Array<{ region: string; year: number }> = [];
  readonly totals: number[] = [];
  readonly held: Array<{ region: string; year: number; count: number }> = [];
  yearsMissing(count: number): void {
    this.totals.push(count);
  }
  yearMissing(region: string, year: number): void {
    this.missing.push({ region, year });
  }
  paymentsHeld(region: string, year: number, count: number): void {
    this.held.push({ region, year, count });
  }
}
