import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { BusinessMetricName, BusinessMetrics } from "../../use-cases/ports.js";

/**
 * Business counters as EMF. Counts are summed per acquirer and name during an invocation and written
 * at flush, one EMF document per (acquirer, name), so a batch of 500 items prints a handful of lines.
 */
export class EmfBusinessMetrics implements BusinessMetrics {
  private readonly counts = new Map<string, Map<BusinessMetricName, number>>();

  constructor(private readonly metrics: Metrics) {}

  count(name: BusinessMetricName, value: number, acquirer = "none"): void {
    let perAcquirer = this.counts.get(acquirer);
    if (!perAcquirer) {
      perAcquirer = new Map();
      this.counts.set(acquirer, perAcquirer);
    }
    perAcquirer.set(name, (perAcquirer.get(name) ?? 0) + value);
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
    this.counts.clear();
  }
}
