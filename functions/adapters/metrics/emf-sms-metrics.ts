import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import type { SmsMetricName, SmsMetrics } from "../../use-cases/ports.js";

/**
 * SMS counts per provider as EMF, dimension set {service, deployment, provider}: summed during an
 * invocation and written at flush, one document per (provider, name).
 */
export class EmfSmsMetrics implements SmsMetrics {
  private readonly counts = new Map<
    string,
    { name: SmsMetricName; provider: SmsProviderId; value: number }
  >();

  constructor(private readonly metrics: Metrics) {}

  count(name: SmsMetricName, provider: SmsProviderId, value = 1): void {
    const key = `${provider}\u0000${name}`;
    const entry = this.counts.get(key) ?? { name, provider, value: 0 };
    entry.value += value;
    this.counts.set(key, entry);
  }

  flush(): void {
    for (const { name, provider, value } of this.counts.values()) {
      const single = this.metrics.singleMetric();
      single.addDimension("provider", provider);
      single.addMetric(name, MetricUnit.Count, value);
    }
    this.counts.clear();
  }
}
