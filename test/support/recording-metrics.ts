import type { BusinessMetricName, BusinessMetrics } from "../../functions/use-cases/ports.js";
import { TEST_ACQUIRER } from "./confirmations.js";

/** Records metric counts so tests can assert what the use case reported. */
export class RecordingMetrics implements BusinessMetrics {
  readonly counts = new Map<string, number>();
  count(name: BusinessMetricName, value: number, acquirer = "none"): void {
    const key = `${name}:${acquirer}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + value);
  }
  get(name: BusinessMetricName, acquirer = TEST_ACQUIRER): number {
    return this.counts.get(`${name}:${acquirer}`) ?? 0;
  }
}
