import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type {
  BusinessMetricName,
  BusinessMetrics,
  GaugeMetricName,
  GaugeMetrics,
} from "../../use-cases/ports.js";

/**
 * Business counters and gauges as EMF. Counts are summed per acquirer and name during an
 * invocation and written at flush, one EMF document per (acquirer, name), so a batch of 500 items
 * prints a handful of lines. Gauges keep the latest value per (name, acquirer, currency).
 */
export class EmfBusinessMetrics implements BusinessMetrics, GaugeMetrics {
  private readonly counts = new Map<string, Map<BusinessMetricName, number>>();
  private readonly levels = new Map<
    string,
    { name: GaugeMetricName; value: number; dimensions: { acquirer: string; currency?: string } }
  >();

  constructor(private readonly metrics: Metrics) {}

  count(name: BusinessMetricName, value: number, acquirer = "none"): void {
    let perAcquirer = this.counts.get(acquirer);
    if (!perAcquirer) {
      perAcquirer = new Map();
      this.counts.set(acquirer, perAcquirer);
    }
    perAcquirer.set(name, (perAcquirer.get(name) ?? 0) + value);
  }

  level(name: GaugeMetricName, value: number, dimensions: { acquirer: string; currency?: string }): void {
    this.levels.set(`${name}\u0000${dimensions.acquirer}\u0000${dimensions.currency ?? ""}`, {
      name,
      value,
      dimensions,
    });
  }

  flush(): void {
    for (const [acquirer, perAcquirer] of this.counts) {
      for (const [name, value] of perAcquirer) {
        // A single-metric instance publishes on addMetric and then drops its dimensions: one each.
        const single = this.metrics.singleMetric();
        single.addDimension("acquirer", acquirer);
        single.addMetric(name, MetricUnit.Count, value);
      }
    }
    for (const { name, value, dimensions } of this.levels.values()) {
      const single = this.metrics.singleMetric();
      single.addDimension("acquirer", dimensions.acquirer);
      if (dimensions.currency !== undefined) single.addDimension("currency", dimensions.currency);
      single.addMetric(name, dimensions.currency === undefined ? MetricUnit.Count : MetricUnit.NoUnit, value);
    }
    this.counts.clear();
    this.levels.clear();
  }
}
