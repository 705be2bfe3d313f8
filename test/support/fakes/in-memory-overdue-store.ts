import type { Payment, PaymentNoticeEntry } from "../../../functions/domain/payment/payment.js";
import type {
  DueList,
  DuePage,
  NextEscalation,
  OverdueStore,
  PaymentRef,
} from "../../../functions/use-cases/ports.js";
import { dueInstant } from "../table-items.js";
import { type InMemoryPaymentTable, pagesOf, paymentKey } from "./in-memory-payment-table.js";

/**
 * OverdueStore in memory, over the payments an InMemoryPaymentRepository stored in the same table:
 * the due and escalation lists with the adapter's conditions (PENDING → OVERDUE once, a notice
 * recorded only on the history that was read). Held to the adapter by the port contract suite.
 */
export class InMemoryOverdueStore implements OverdueStore {
  constructor(
    private readonly table: InMemoryPaymentTable,
    private readonly pageSize = 500,
  ) {}

  async *indexedUpTo(list: DueList, nowIso: string): AsyncIterable<PaymentRef[]> {
    const keys = this.table.slotted(
      (slot) => slot.list === list.kind && "shard" in slot && slot.shard === list.shard,
      nowIso,
    );
    for (const page of pagesOf(keys, this.pageSize)) yield page.map((key) => this.refOf(key));
  }

  /** The due shards' watermarks (the adapter's `CHECK#DUE#nn` items). */
  private readonly watermarks = new Map<number, string>();

  async *dueAfter(shard: number, after: string | undefined, nowIso: string): AsyncIterable<DuePage> {
    const onShard = this.table
      .slotted((slot) => slot.list === "due" && slot.shard === shard, nowIso)
      .filter((key) => after === undefined || this.sortKeyOf(key) > after);
    for (const page of pagesOf(onShard, this.pageSize)) {
      yield {
        refs: page.map((key) => this.refOf(key)),
        covered: [],
        through: this.sortKeyOf(page[page.length - 1] ?? ""),
      };
    }
  }

  dueThrough(nowIso: string): string {
    return `${nowIso}#\uffff`;
  }

  async dueWatermark(shard: number): Promise<string | undefined> {
    return this.watermarks.get(shard);
  }

  async saveDueWatermark(shard: number, through: string): Promise<void> {
    const saved = this.watermarks.get(shard);
    if (saved === undefined || saved < through) this.watermarks.set(shard, through);
  }

  async deferDue(payment: Payment, shard: number, when: { at: string; nowIso: string }): Promise<boolean> {
    const key = paymentKey(payment.acquirer, payment.paymentId);
    const slot = this.table.slots.get(key);
    const onShard = slot?.list === "due" && slot.shard === shard;
    if (this.table.payments.get(key)?.status !== "PENDING" || !onShard) return false;
    this.table.slots.set(key, { list: "due", shard, at: dueInstant(when.at, when.nowIso) });
    return true;
  }

  async getPayments(refs: readonly PaymentRef[]): Promise<Payment[]> {
    return refs.flatMap((ref) => {
      const payment = this.table.payments.get(paymentKey(ref.acquirer, ref.paymentId));
      return payment ? [structuredClone(payment)] : [];
    });
  }

  async markOverdue(payment: Payment, nowIso: string, escalation: NextEscalation): Promise<boolean> {
    const key = paymentKey(payment.acquirer, payment.paymentId);
    const stored = this.table.payments.get(key);
    const overdueAt = stored?.arrival?.overdueAt;
    if (stored?.status !== "PENDING" || overdueAt === undefined || overdueAt > nowIso) return false;
    stored.status = "OVERDUE";
    stored.overdueMarkedAt = nowIso;
    this.table.slots.set(key, { list: "escalation", shard: escalation.shard, at: escalation.at });
    return true;
  }

  async recordPaymentNotice(
    payment: Payment,
    entry: PaymentNoticeEntry,
    next: NextEscalation | null,
  ): Promise<boolean> {
    const key = paymentKey(payment.acquirer, payment.paymentId);
    const stored = this.table.payments.get(key);
    const known = payment.noticeHistory?.length ?? 0;
    // Nobody appended a notice since `payment` was read (an absent history is not an empty one).
    if (
      !stored ||
      (known === 0 ? stored.noticeHistory !== undefined : stored.noticeHistory?.length !== known)
    )
      return false;
    stored.noticeHistory = [...(stored.noticeHistory ?? []), structuredClone(entry)];
    if (next) this.table.slots.set(key, { list: "escalation", shard: next.shard, at: next.at });
    else this.table.slots.delete(key);
    return true;
  }

  /** The adapter's due sort key: the instant, then the payment's identity. */
  private sortKeyOf(key: string): string {
    const { acquirer, paymentId } = this.refOf(key);
    return `${this.table.slots.get(key)?.at}#${acquirer}#${paymentId}`;
  }

  private refOf(key: string): PaymentRef {
    const payment = this.table.payments.get(key);
    if (!payment) throw new Error("a slot without its payment");
    return { acquirer: payment.acquirer, paymentId: payment.paymentId };
  }
}
