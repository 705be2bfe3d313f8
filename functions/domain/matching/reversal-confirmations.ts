/**
 * A reversal (void) confirmation closes its original payment, whichever of the two arrives first.
 *
 * - Full (the reversal's amount is what is still expected): PENDING/OVERDUE → REVERSED, off the due
 *   index in the same write; nothing is owed, nobody is alerted.
 * - Partial (less than what is still expected): the status stays, `amountMinor` (the amount still
 *   expected, which settlement matching and the open-payment counters read) is lowered and
 *   `reversedMinor` (the sum of partial reversals) raised, so confirmed = amountMinor + reversedMinor.
 * - Every applied reversal's id is recorded on the original in the same conditional write, so a
 *   re-delivered reversal is a replay, never applied twice.
 * - After settlement (SETTLED / SETTLED_LATE) the money has moved: that is not a void but a refund.
 *   The sale stays settled and the reversal is expected as a debit in a later settlement file, where
 *   the refund line is matched to the original (refund-matching.ts) - no write here.
 * - The original not known yet: the reversal waits on the original's key and is applied when the
 *   original's confirmation arrives ({@link applyHeldReversals}); the original is then stored
 *   already REVERSED (never due) or with its lowered amount.
 */
import type { Payment, PaymentStatus } from "../payment/payment.js";
import { describeMinor } from "./fee-check.js";
import {
  AWAITED_STATUSES,
  identityOf,
  type PaymentIdentity,
  type StatusTransition,
} from "./payment-state.js";

/** What deciding a reversal needs of it: also what waits on the original's key when it comes first. */
export interface ReversalClaim {
  acquirer: string;
  /** The reversal confirmation's own id. */
  paymentId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  originalPaymentId: string;
}

/** One conditional write on the original payment. */
export interface ReversalUpdate {
  payment: PaymentIdentity;
  /** The payment's currency and confirmation instant (with the amount, the amount index's sort key). */
  currency: string;
  confirmedAtUtc: string;
  reversalId: string;
  /** The state the decision was made on: status and the amount still expected. */
  condition: { status: PaymentStatus; amountMinor: number };
  /** REVERSED for a full reversal; absent when the status stays. */
  status?: "REVERSED";
  /** The amount still expected afterwards. */
  amountMinor: number;
  /** The sum of partial reversals afterwards. */
  reversedMinor: number;
  /** Remove the due-index (and escalation) keys in the same write. */
  leaveDueIndex: boolean;
}

export type ReversalReasonCode =
  | "reversed"
  | "reversed-partial"
  | "replay"
  | "already-reversed"
  | "awaiting-original"
  | "reversed-after-settlement"
  | "confirmation-kind"
  | "merchant"
  | "currency"
  | "amount"
  | "already-closed";

/** What a reversal confirmation does to its original payment. */
export interface ReversalDecision {
  /** applied: written (or to write); none: nothing to write; waiting: original unknown; refused. */
  outcome: "applied" | "none" | "waiting" | "refused";
  reasonCode: ReversalReasonCode;
  reason: string;
  reversalId: string;
  originalPaymentId: string;
  /** The original payment, when known. */
  payment?: PaymentIdentity;
  transition?: StatusTransition;
  update?: ReversalUpdate;
}

/** The claim a reversal confirmation makes; undefined for a payment or refund confirmation. */
export function reversalClaimOf(confirmation: Payment): ReversalClaim | undefined {
  if (confirmation.kind !== "reversal" || confirmation.originalPaymentId === undefined) return undefined;
  return {
    acquirer: confirmation.acquirer,
    paymentId: confirmation.paymentId,
    merchantId: confirmation.merchantId,
    amountMinor: confirmation.amountMinor,
    currency: confirmation.currency,
    originalPaymentId: confirmation.originalPaymentId,
  };
}

/**
 * The reversal rules, for a reversal and its original (undefined: not known yet). See the module
 * comment; refusals (another merchant, currency, a kind that is not a payment, more than is still
 * expected, a payment already REFUNDED or MISMATCH) write nothing and say why.
 */
export function decideReversal(claim: ReversalClaim, original: Payment | undefined): ReversalDecision {
  const ids = { reversalId: claim.paymentId, originalPaymentId: claim.originalPaymentId } as const;
  const money = (minor: number) => describeMinor(minor, claim.currency);
  if (original === undefined) {
    return {
      ...ids,
      outcome: "waiting",
      reasonCode: "awaiting-original",
      reason: `reversal ${claim.paymentId} of payment ${claim.originalPaymentId}: the original is not confirmed yet; it is reversed when it arrives`,
    };
  }
  const id = identityOf(original);
  const label = `payment ${id.acquirer}/${id.paymentId}`;
  const base = { ...ids, payment: id } as const;
  const refuse = (reasonCode: ReversalReasonCode, reason: string): ReversalDecision => ({
    ...base,
    outcome: "refused",
    reasonCode,
    reason,
  });
  if (original.reversalIds?.includes(claim.paymentId)) {
    return {
      ...base,
      outcome: "none",
      reasonCode: "replay",
      reason: `reversal ${claim.paymentId} was already applied to ${label} (now ${original.status})`,
    };
  }
  if (original.kind !== "payment") {
    return refuse("confirmation-kind", `reversal ${claim.paymentId} names ${label}, a ${original.kind}`);
  }
  if (original.merchantId !== claim.merchantId) {
    return refuse(
      "merchant",
      `reversal ${claim.paymentId} is for merchant ${claim.merchantId}, ${label} for ${original.merchantId}`,
    );
  }
  if (original.currency !== claim.currency) {
    return refuse("currency", `reversal in ${claim.currency} of ${label} in ${original.currency}`);
  }
  if (original.status === "REVERSED") {
    return {
      ...base,
      outcome: "none",
      reasonCode: "already-reversed",
      reason: `${label} is already REVERSED; nothing is owed`,
    };
  }
  if (original.status === "SETTLED" || original.status === "SETTLED_LATE") {
    return {
      ...base,
      outcome: "none",
      reasonCode: "reversed-after-settlement",
      reason: `${label} is already ${original.status}: the money moved, so this is a refund, not a void; the sale stays ${original.status} and ${money(claim.amountMinor)} is expected as a debit in a later settlement file`,
    };
  }
  if (!AWAITED_STATUSES.has(original.status)) {
    return refuse("already-closed", `reversal ${claim.paymentId} of ${label}, which is ${original.status}`);
  }
  return decideOpenReversal(claim, original, base, label);
}

function decideOpenReversal(
  claim: ReversalClaim,
  original: Payment,
  base: Pick<ReversalDecision, "reversalId" | "originalPaymentId" | "payment">,
  label: string,
): ReversalDecision {
  const money = (minor: number) => describeMinor(minor, claim.currency);
  const expected = original.amountMinor;
  if (claim.amountMinor > expected) {
    return {
      ...base,
      outcome: "refused",
      reasonCode: "amount",
      reason: `reversal ${claim.paymentId} of ${money(claim.amountMinor)} is more than the ${money(expected)} still expected for ${label}`,
    };
  }
  const full = claim.amountMinor === expected;
  const reversedBefore = original.reversedMinor ?? 0;
  const update: ReversalUpdate = {
    payment: identityOf(original),
    currency: original.currency,
    confirmedAtUtc: original.confirmedAtUtc,
    reversalId: claim.paymentId,
    condition: { status: original.status, amountMinor: expected },
    ...(full ? { status: "REVERSED" as const } : {}),
    amountMinor: full ? expected : expected - claim.amountMinor,
    reversedMinor: full ? reversedBefore : reversedBefore + claim.amountMinor,
    leaveDueIndex: full,
  };
  if (full) {
    return {
      ...base,
      outcome: "applied",
      reasonCode: "reversed",
      reason: `${label} ${original.status} → REVERSED by reversal ${claim.paymentId} (${money(expected)}): nothing is owed`,
      transition: { from: original.status, to: "REVERSED" },
      update,
    };
  }
  return {
    ...base,
    outcome: "applied",
    reasonCode: "reversed-partial",
    reason: `${label} partly reversed by ${claim.paymentId}: ${money(claim.amountMinor)} off, ${money(update.amountMinor)} still expected; status stays ${original.status}`,
    update,
  };
}

/** The update applied in memory (the DynamoDB adapter writes the same); throws if its condition fails. */
export function applyReversalUpdate(payment: Payment, update: ReversalUpdate): Payment {
  if (payment.status !== update.condition.status || payment.amountMinor !== update.condition.amountMinor) {
    throw new RangeError(`payment ${payment.paymentId} moved since the reversal was decided`);
  }
  return {
    ...payment,
    status: update.status ?? payment.status,
    amountMinor: update.amountMinor,
    ...(update.reversedMinor > 0 ? { reversedMinor: update.reversedMinor } : {}),
    reversalIds: [...(payment.reversalIds ?? []), update.reversalId],
  };
}

/**
 * A payment confirmation that arrives after reversals of it: each held reversal decided in the order
 * it came, on the payment as the previous one left it. Returns the payment to store (REVERSED, or with
 * its lowered amount) and every decision (refused ones too, for the answer).
 */
export function applyHeldReversals(
  payment: Payment,
  held: readonly ReversalClaim[],
): { payment: Payment; decisions: ReversalDecision[] } {
  let current = payment;
  const decisions: ReversalDecision[] = [];
  for (const claim of held) {
    const decision = decideReversal(claim, current);
    decisions.push(decision);
    if (decision.update) current = applyReversalUpdate(current, decision.update);
  }
  return { payment: current, decisions };
}
