/**
 * What matching reads and writes on a payment beyond the confirmation: which line settled it, the
 * figures compared, the batch it waits for, the refunds applied. Decisions describe their effect
 * as a {@link PaymentUpdate}: one conditional write the use case applies as it is.
 */
import type { Payment, PaymentStatus } from "../payment/payment.js";
import type { AmountFigures } from "./fee-check.js";

/** Enough to address a payment item (acquirer + paymentId) and to report on it (merchantId). */
export interface PaymentIdentity {
  acquirer: string;
  paymentId: string;
  merchantId: string;
}

/** The matching attributes of a payment item; all absent until a line touches the payment. */
export interface SettlementState {
  /**
   * Key ({@link settlementLineKey}) of the one leg-1 line that claimed the payment: settled it,
   * flagged it MISMATCH, or (bank-credit mode) tied it to a batch. At most one line ever claims a
   * payment; a second one is a duplicate settlement.
   */
  lineKey?: string;
  /** What that line's decision was, so a replay of it returns the same outcome. */
  outcome?: "matched" | "mismatched";
  /** The claiming line's value date (YYYY-MM-DD). */
  valueDate?: string;
  /** Both sides of the amount comparison, kept on every claim (a MISMATCH is explained by them). */
  figures?: AmountFigures;
  /** Bank-credit mode: the payout batch whose bank credit settles this payment. */
  batchKey?: string;
  /** Sum of the refund lines applied so far (minor units, payment currency). */
  refundedMinor?: number;
  /** Keys of the refund lines applied, so a replayed refund line is not counted twice. */
  refundLineKeys?: readonly string[];
  /** Key of the reversal line (WeChat REVOKED) that closed the payment as REVERSED. */
  reversalLineKey?: string;
}

/** A payment as the matching port returns it: the stored payment plus its matching attributes. */
export interface MatchablePayment extends Payment {
  settlement?: SettlementState;
}

/**
 * One conditional write on one payment item. Apply it as an UpdateItem whose condition is
 * `condition` (all of it) and whose updates are `status`, `set`, `addRefundLineKey` and, when
 * `leaveDueIndex`, REMOVE of the due-index key attributes - all in that single request, so a
 * payment can never be settled and still due. A failed condition means the payment moved since it
 * was read: re-read it and decide again (the decision is then a replay or a duplicate).
 */
export interface PaymentUpdate {
  payment: PaymentIdentity;
  condition: {
    /** The status the decision was made on. */
    status: PaymentStatus;
    /** settlement.lineKey must be absent (null) or equal to this (a string); not checked when omitted. */
    lineKey?: string | null;
    /** Refunds: settlement.refundedMinor must equal this (absent counts as 0). */
    refundedMinor?: number;
    /** Refunds: settlement.refundLineKeys must not contain this key. */
    refundLineKeyAbsent?: string;
    /** Bank credit: settlement.batchKey must equal this. */
    batchKey?: string;
    /** Reversal lines: settlement.reversalLineKey must be absent. */
    reversalLineKeyAbsent?: boolean;
    /**
     * A write decided without reading the payment ({@link presumeSettlement}): the stored payment must
     * be exactly the one presumed, so the decision made on the presumption is the one a read would give.
     */
    presumed?: PresumedPayment;
  };
  /** New status; absent when the status stays. */
  status?: PaymentStatus;
  /** Attributes to SET under `settlement` (others untouched). */
  set: SettlementState;
  /** Refunds: ADD this key to settlement.refundLineKeys (a string set). */
  addRefundLineKey?: string;
  /**
   * REMOVE the index keys in the same write. Only a payment leaving OVERDUE needs it (its escalation
   * entry); a PENDING payment's due entry stays: the overdue check reads it once, at its due time,
   * and skips a payment that is no longer PENDING.
   */
  leaveDueIndex: boolean;
}

/** What a presumed settlement requires of the stored payment besides `condition.status`. */
export interface PresumedPayment {
  kind: "payment";
  merchantId: string;
  amountMinor: number;
  currency: string;
}

/** A status change, as the issue states them (PENDING → SETTLED, OVERDUE → SETTLED_LATE...). */
export interface StatusTransition {
  from: PaymentStatus;
  to: PaymentStatus;
}

/** Statuses in which a payment is still awaited (it may carry the due-index keys). */
export const AWAITED_STATUSES: ReadonlySet<PaymentStatus> = new Set(["PENDING", "OVERDUE"]);

/** Statuses a payment never leaves by matching a new line (it was settled, flagged or closed). */
export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  "SETTLED",
  "SETTLED_LATE",
  "REVERSED",
  "REFUNDED",
]);

/** The identity of a payment. */
export function identityOf(payment: Pick<Payment, "acquirer" | "paymentId" | "merchantId">): PaymentIdentity {
  return { acquirer: payment.acquirer, paymentId: payment.paymentId, merchantId: payment.merchantId };
}

/** Where settling an awaited payment takes it: PENDING → SETTLED, OVERDUE → SETTLED_LATE. */
export function settledStatusFor(status: PaymentStatus): PaymentStatus | undefined {
  if (status === "PENDING") return "SETTLED";
  if (status === "OVERDUE") return "SETTLED_LATE";
  return undefined;
}

/** The payment no longer satisfies the update's condition (it moved since it was read). */
export class PaymentConditionFailedError extends Error {
  override name = "PaymentConditionFailedError";
  constructor(
    readonly payment: PaymentIdentity,
    readonly detail: string,
  ) {
    super(`payment ${payment.acquirer}/${payment.paymentId}: condition failed: ${detail}`);
  }
}

/**
 * The reference semantics of a {@link PaymentUpdate}, in memory: checks the condition (throws
 * {@link PaymentConditionFailedError}) and returns the updated copy. The DynamoDB adapter must
 * behave the same; the out-of-order matcher uses this to see its own earlier decisions. Whether
 * the payment carries due-index keys is a storage matter: `leaveDueIndex` is not modelled here.
 */
export function applyPaymentUpdate(payment: MatchablePayment, update: PaymentUpdate): MatchablePayment {
  const { condition } = update;
  const state = payment.settlement ?? {};
  const fail = (detail: string): never => {
    throw new PaymentConditionFailedError(update.payment, detail);
  };
  if (payment.acquirer !== update.payment.acquirer || payment.paymentId !== update.payment.paymentId) {
    fail("update addressed to another payment");
  }
  if (payment.status !== condition.status) fail(`status is ${payment.status}, expected ${condition.status}`);
  if (condition.lineKey === null && state.lineKey !== undefined) fail("already claimed by a line");
  if (typeof condition.lineKey === "string" && state.lineKey !== condition.lineKey) {
    fail("claimed by another line");
  }
  if (condition.refundedMinor !== undefined && (state.refundedMinor ?? 0) !== condition.refundedMinor) {
    fail(`refunded ${state.refundedMinor ?? 0}, expected ${condition.refundedMinor}`);
  }
  if (
    condition.refundLineKeyAbsent !== undefined &&
    (state.refundLineKeys ?? []).includes(condition.refundLineKeyAbsent)
  ) {
    fail("refund line already applied");
  }
  if (condition.reversalLineKeyAbsent && state.reversalLineKey !== undefined)
    fail("already reversed by a line");
  if (condition.batchKey !== undefined && state.batchKey !== condition.batchKey) {
    fail(`batch is ${state.batchKey ?? "absent"}, expected ${condition.batchKey}`);
  }
  const presumed = condition.presumed;
  if (
    presumed &&
    (payment.kind !== presumed.kind ||
      payment.merchantId !== presumed.merchantId ||
      payment.amountMinor !== presumed.amountMinor ||
      payment.currency !== presumed.currency)
  ) {
    fail("not the payment presumed");
  }
  const settlement: SettlementState = { ...state, ...update.set };
  if (update.addRefundLineKey !== undefined) {
    settlement.refundLineKeys = [...(state.refundLineKeys ?? []), update.addRefundLineKey];
  }
  return { ...payment, status: update.status ?? payment.status, settlement };
}
