import type {
  ReversalClaim,
  ReversalUpdate,
} from "../../../functions/domain/matching/reversal-confirmations.js";
import type { Payment } from "../../../functions/domain/payment/payment.js";
import type {
  HoldReversalResult,
  InsertPaymentResult,
  PaymentRepository,
} from "../../../functions/use-cases/ports.js";

import { InMemoryPaymentTable, paymentKey as keyOf } from "./in-memory-payment-table.js";

/**
 * PaymentRepository in memory, for unit tests of use cases. It keeps the adapter's promises (one
 * conditional write per call, copies in and out, reversals held on the original's key) and is held
 * to them by test/integration/port-contracts.test.ts, which runs the same suite against DynamoDB.
 * The due index is modelled by the table it shares with the overdue and calendar-hold store fakes.
 * Not modelled: settlement lines waiting on a key (SettlementStore) and the order/amount indexes.
 */
export class InMemoryPaymentRepository implements PaymentRepository {
  /** Reversals that arrived before their original, by the original's key. */
  private readonly heldReversals = new Map<string, ReversalClaim[]>();

  constructor(readonly table = new InMemoryPaymentTable()) {}

  private get payments(): Map<string, Payment> {
    return this.table.payments;
  }

  async insert(
    payment: Payment,
    withHeldReversals?: (payment: Payment, held: readonly ReversalClaim[]) => Payment,
  ): Promise<InsertPaymentResult> {
    const key = keyOf(payment.acquirer, payment.paymentId);
    const hold = payment.arrival?.calendarHold;
    // As the adapter: the marker first, whether or not the payment is new.
    if (hold && payment.status === "PENDING") this.table.markHeld(hold);
    const existing = this.payments.get(key);
    if (existing) return { outcome: "exists", existing: structuredClone(existing) };
    const held = this.heldReversals.get(key) ?? [];
    const stored = held.length > 0 && withHeldReversals ? withHeldReversals(payment, held) : payment;
    this.table.put(stored);
    this.heldReversals.delete(key);
    return {
      outcome: "created",
      stored: structuredClone(stored),
      ...(held.length > 0 ? { heldReversals: structuredClone(held) } : {}),
    };
  }

  async get(acquirer: string, paymentId: string): Promise<Payment | undefined> {
    const payment = this.payments.get(keyOf(acquirer, paymentId));
    return payment ? structuredClone(payment) : undefined;
  }

  async applyReversal(update: ReversalUpdate): Promise<boolean> {
    const key = keyOf(update.payment.acquirer, update.payment.paymentId);
    const payment = this.payments.get(key);
    if (
      !payment ||
      payment.status !== update.condition.status ||
      payment.amountMinor !== update.condition.amountMinor ||
      payment.reversalIds?.includes(update.reversalId)
    )
      return false;
    payment.amountMinor = update.amountMinor;
    payment.reversalIds = [...(payment.reversalIds ?? []), update.reversalId];
    if (update.status) payment.status = update.status;
    if (update.reversedMinor > 0) payment.reversedMinor = update.reversedMinor;
    if (update.leaveDueIndex) this.table.slots.delete(key);
    return true;
  }

  async holdReversal(claim: ReversalClaim): Promise<HoldReversalResult> {
    const key = keyOf(claim.acquirer, claim.originalPaymentId);
    if (this.payments.has(key)) return "original-exists";
    const held = this.heldReversals.get(key) ?? [];
    if (held.some((h) => h.paymentId === claim.paymentId)) return "already-held";
    this.heldReversals.set(key, [...held, structuredClone(claim)]);
    return "held";
  }
}
