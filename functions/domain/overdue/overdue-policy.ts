import type { Payment, PaymentStatus } from "../payment/payment.js";

/**
 * What the overdue check does with a payment it read from the due index:
 * - "overdue": PENDING, past `arrival.overdueAt` (due instant + grace): move it to OVERDUE and
 *   notify the merchant;
 * - "awaiting-file": the same, but the acquirer's settlement file for its due day is not in yet,
 *   so nobody can say the money is late: keep it PENDING, tell no merchant (ops hear about a late
 *   file instead, see settlement-file-expectation.ts);
 * - "not-due": anything else: not yet past `overdueAt`, no expected arrival (refunds,
 *   reversals), or no longer PENDING (settled, already OVERDUE, ...). Nothing to do.
 */
export type OverdueDecision = "not-due" | "overdue" | "awaiting-file";

/**
 * Decides one payment at `now`. The boundary is inclusive: at exactly `overdueAt` the payment is
 * overdue (`overdueAt` is "from then on overdue").
 *
 * @param options.awaitingFile whether the acquirer's file for the payment's due day is missing
 *   (`settlementFileStatus(...).awaitingFile`, settlement-file-expectation.ts).
 * @throws RangeError when `arrival.overdueAt` is not an instant.
 */
export function decideOverdue(
  payment: Pick<Payment, "status" | "arrival">,
  now: Date,
  options: { awaitingFile: boolean },
): OverdueDecision {
  if (payment.status !== "PENDING" || !payment.arrival) return "not-due";
  const overdueAt = Date.parse(payment.arrival.overdueAt);
  if (Number.isNaN(overdueAt)) {
    throw new RangeError(`arrival.overdueAt is not an instant: ${JSON.stringify(payment.arrival.overdueAt)}`);
  }
  if (overdueAt > now.getTime()) return "not-due";
  return options.awaitingFile ? "awaiting-file" : "overdue";
}

/**
 * The status a payment moves to when its settlement is matched: PENDING → SETTLED, OVERDUE →
 * SETTLED_LATE (and the merchant gets one "arrived" notice). Undefined for any other status: the
 * payment is not waiting for money (already settled, refunded, ...), so nothing moves.
 */
export function statusAfterSettlement(status: PaymentStatus): "SETTLED" | "SETTLED_LATE" | undefined {
  if (status === "PENDING") return "SETTLED";
  if (status === "OVERDUE") return "SETTLED_LATE";
  return undefined;
}
