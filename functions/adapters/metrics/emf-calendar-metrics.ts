import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { CalendarMetrics } from "../../use-cases/run-calendar-check.js";

/** The calendar check's metrics as EMF, one document each (dimension set {service, deployment[, calendar, year]}). */
export class EmfCalendarMetrics implements CalendarMetrics {
  constructor(private readonly metrics: Metrics) {}

  /** The alarm's metric: {service, deployment} only, so one alarm per deployment watches every calendar. */
  yearsMissing(count: number): void {
    this.metrics.singleMetric().addMetric("CalendarYearsMissing", MetricUnit.Count, count);
  }

  yearMissing(region: string, year: number): void {
    const single = this.metrics.singleMetric();
    single.addDimension("calendar", region);
    single.addDimension("year", String(year));
    single.addMetric("CalendarYearMissing", MetricUnit.Count, 1);
  }

  paymentsHeld(region: string, year: number, count: number): void {
    const single = this.metrics.singleMetric();
    single.addDimension("calendar", region);
    single.addDimension("year", String(year));
    single.addMetric("PaymentsAwaitingCalendar", MetricUnit.Count, count);
  }
}
