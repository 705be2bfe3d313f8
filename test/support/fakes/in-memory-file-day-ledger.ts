import type { FileDayLedger } from "../../../functions/use-cases/ports.js";

/** FileDayLedger in memory (held to the DynamoDB adapter by test/integration/port-contracts.test.ts). */
export class InMemoryFileDayLedger implements FileDayLedger {
  private readonly days = new Map<string, Set<string>>();

  async latestFileDay(acquirer: string): Promise<string | undefined> {
    // The adapter reads the greatest sort key: days are ISO dates, so string order is date order.
    return [...(this.days.get(acquirer) ?? [])].sort().at(-1);
  }

  async recordFileDay(acquirer: string, day: string): Promise<void> {
    const days = this.days.get(acquirer) ?? new Set<string>();
    days.add(day);
    this.days.set(acquirer, days);
  }
}
