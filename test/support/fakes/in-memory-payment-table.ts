import { type CalendarHold, dueShardOf, type Payment } from "../../../functions/domain/payment/payment.js";
import { dueInstant } from "../table-items.js";

/** Which work list a payment waits on (the due index's partition in DynamoDB) and from when. */
export type DueSlot =
  | { list: "due" | "escalation"; shard: number; at: string }
  | { list: "hold"; hold: CalendarHold; at: string };

export const paymentKey = (acquirer: string, paymentId: string) => `${acquirer}\u0000${paymentId}`;

/**
 * The payments part of the single table, in memory: what the payment repository, the overdue store
 * and the calendar-hold store fakes share (in DynamoDB they share one table). It models the sparse
 * due index as one slot per payment, with the adapter's rules: a PENDING payment with an arrival
 * waits on its due shard (or its calendar hold) from its overdue instant, or the index-lag margin
 * after it was received when that is later (dueInstant), and nothing else does.
 */
export class InMemoryPaymentTable {
  readonly payments = new Map<string, Payment>();
  readonly slots = new Map<string, DueSlot>();
  /** Calendar years that have held a payment (the adapter's marker items). */
  readonly holdMarkers = new Map<string, CalendarHold>();
  /** Calendars merchant profiles were put with (never forgotten, as in the adapter). */
  readonly calendarsInUse = new Set<string>();

  constructor(readonly dueShards = 16) {}

  /** Stores a new payment with the slot the adapter's item would have. */
  put(payment: Payment): void {
    const key = paymentKey(payment.acquirer, payment.paymentId);
    this.payments.set(key, structuredClone(payment));
    const slot = this.initialSlot(payment);
    if (slot) this.slots.set(key, slot);
    else this.slots.delete(key);
  }

  markHeld(hold: CalendarHold): void {
    this.holdMarkers.set(`${hold.region}\u0000${hold.year}`, { ...hold });
  }

  /** Keys on one list whose instant is at or before `nowIso`, in the index's order (instant, then key). */
  slotted(matches: (slot: DueSlot) => boolean, nowIso: string): string[] {
    return [...this.slots.entries()]
      .filter(([, slot]) => matches(slot) && slot.at <= nowIso)
      .sort(([keyA, a], [keyB, b]) => (a.at === b.at ? compare(keyA, keyB) : compare(a.at, b.at)))
      .map(([key]) => key);
  }

  private initialSlot(payment: Payment): DueSlot | undefined {
    const arrival = payment.arrival;
    if (payment.status !== "PENDING" || !arrival) return undefined;
    const at = dueInstant(arrival.overdueAt, payment.receivedAt);
    if (arrival.calendarHold) return { list: "hold", hold: { ...arrival.calendarHold }, at };
    const shard = dueShardOf(payment.acquirer, payment.paymentId, this.dueShards);
    return { list: "due", shard, at };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Splits a list into pages of `size`, as the adapters' paged queries yield them. */
export function* pagesOf<T>(items: readonly T[], size: number): Iterable<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
