import type {
  CalendarHold,
  ExpectedArrivalFields,
  Payment,
} from "../../../functions/domain/payment/payment.js";
import { dueShardOf } from "../../../functions/domain/payment/payment.js";
import type { CalendarHoldStore } from "../../../functions/use-cases/run-calendar-check.js";
import { dueInstant } from "../table-items.js";
import { type DueSlot, type InMemoryPaymentTable, pagesOf, paymentKey } from "./in-memory-payment-table.js";

const isHold = (hold: CalendarHold) => (slot: DueSlot) =>
  slot.list === "hold" && slot.hold.region === hold.region && slot.hold.year === hold.year;

/**
 * CalendarHoldStore in memory, over the table an InMemoryPaymentRepository and an
 * InMemoryMerchantRepository write: holds found from their markers, released on the adapter's
 * condition (still PENDING, still held for that year). Held to the adapter by the port contract suite.
 */
export class InMemoryCalendarHoldStore implements CalendarHoldStore {
  constructor(
    private readonly table: InMemoryPaymentTable,
    private readonly pageSize = 500,
  ) {}

  async calendarsInUse(): Promise<string[]> {
    return [...this.table.calendarsInUse].sort();
  }

  async heldYears(): Promise<CalendarHold[]> {
    return [...this.table.holdMarkers.values()].map((hold) => ({ ...hold }));
  }

  async countHeldUpTo(hold: CalendarHold, nowIso: string): Promise<number> {
    // As the adapter: an entry left by a payment settled while held does not count.
    return this.table
      .slotted(isHold(hold), nowIso)
      .filter((key) => this.table.payments.get(key)?.status === "PENDING").length;
  }

  async *heldPayments(hold: CalendarHold): AsyncIterable<Payment[]> {
    const keys = this.table.slotted(isHold(hold), "\uffff");
    for (const page of pagesOf(keys, this.pageSize)) {
      yield page.flatMap((key) => {
        const payment = this.table.payments.get(key);
        return payment ? [structuredClone(payment)] : [];
      });
    }
  }

  async releaseHold(
    payment: Payment,
    from: CalendarHold,
    arrival: ExpectedArrivalFields,
    releasedAt: string,
  ): Promise<boolean> {
    const next = arrival.calendarHold;
    // The marker first, as the adapter: a payment is never held without the marker that finds it.
    if (next) this.table.markHeld(next);
    const key = paymentKey(payment.acquirer, payment.paymentId);
    const stored = this.table.payments.get(key);
    const slot = this.table.slots.get(key);
    if (stored?.status !== "PENDING" || !slot || !isHold(from)(slot)) return false;
    const { calendarHold: _next, ...fields } = arrival;
    stored.arrival = next ? { ...fields, calendarHold: { ...next } } : fields;
    const at = dueInstant(arrival.overdueAt, releasedAt);
    this.table.slots.set(
      key,
      next
        ? { list: "hold", hold: { ...next }, at }
        : { list: "due", shard: dueShardOf(payment.acquirer, payment.paymentId, this.table.dueShards), at },
    );
    return true;
  }
}
