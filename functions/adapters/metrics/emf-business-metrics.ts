import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { BusinessMetricName, BusinessMetrics } from "../../use-cases/ports.js";

/**
 * Business counters as EMF. Counts are summed per acquirer during an invocation and written as one
 * EMF document per acquirer at flush, so a batch of 500 items does not print 500 metric lines.
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
      const single = this.metrics.singleMetric();
      single.addDimension("acquirer", acquirer);
      for (const [name, value] of perAcquirer) single.addMetric(name, MetricUnit.Count, value);
      single.publishStoredMetrics();
    }
    this.counts.clear();
  }
}
