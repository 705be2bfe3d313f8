/**
 * What matching a settlement line decides, as pure data, and the options it is decided under.
 * Every line read ends in exactly one outcome: matched, mismatched or unmatched here (the parser's
 * rejected records are the fourth), which is what lets the per-file report add up.
 */
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import type { AmountFigures, FeeCheckTerms } from "./fee-check.js";
import type { PaymentIdentity, PaymentUpdate, StatusTransition } from "./payment-state.js";

export type MatchOutcome = "matched" | "mismatched" | "unmatched";

/** The ladder's rungs, tried in this order. */
export type MatchRung = "reference" | "order" | "window";

/**
 * When money counts as arrived for a merchant: when it is in the acquirer's settlement file, or
 * only once the bank credits the payout batch it is part of.
 */
export type ArrivalMode = "acquirer-file" | "bank-credit";

/** Why a line ended as it did: a stable code for counting, next to the human `reason`. */
export type MatchReasonCode =
  // matched
  /** PENDING → SETTLED. */
  | "settled"
  /** OVERDUE → SETTLED_LATE. */
  | "settled-late"
  /** Bank-credit mode: the payment is tied to its batch and stays awaited until the bank credit. */
  | "awaiting-bank-credit"
  /** The payment was refunded before its settlement line came: recorded, status kept. */
  | "settled-after-refund"
  /** This very line was decided before (file replayed): nothing to write, same outcome. */
  | "replay"
  | "refund-partial"
  | "refund-full"
  /** A reversal line (WeChat REVOKED) closed its sale: → REVERSED, the two net to zero. */
  | "reversal"
  /** A sale line whose payment a reversal line of the bill already closed: nets to zero. */
  | "reversal-netted"
  // mismatched
  | "currency"
  | "line-arithmetic"
  | "amount"
  | "fee"
  /** Another line already claimed the payment: a duplicate settlement. */
  | "settled-twice"
  /** The reference is a refund or reversal confirmation, not a payment. */
  | "confirmation-kind"
  /** A settlement line for a reversed (voided) payment. */
  | "reversed"
  | "refund-exceeds-payment"
  | "refund-of-reversed"
  /** A reversal line for a payment already REFUNDED or MISMATCH. */
  | "reversal-of-closed"
  // unmatched (the line is kept)
  /** No payment found yet: matched when its confirmation arrives. */
  | "awaiting-confirmation"
  /** A refund whose original payment is not known yet. */
  | "awaiting-original"
  /** Two or more candidates: never guessed, left to an operator. */
  | "ambiguous"
  /** Nothing to match on (no reference, no order number, no merchant or gross for a window). */
  | "unidentifiable"
  /** A payout line: it defines a batch for leg 2 (the bank credit), not a payment match. */
  | "payout-batch"
  /** A fee or other line: booked, not a payment. */
  | "informational"
  /** A payment line that is a debit: not a settlement of a payment. */
  | "unexpected-direction";

/** The decision for one settlement line. Pure data: the use case applies `update`, if any. */
export interface MatchDecision {
  outcome: MatchOutcome;
  /** The rung that decided, null when none did (and for non-payment lines). */
  rung: MatchRung | null;
  reasonCode: MatchReasonCode;
  /** One sentence with the figures, for logs, the report and notices. */
  reason: string;
  /** {@link settlementLineKey} of the line: how it is stored when kept, and how replays are told. */
  lineKey: string;
  /** The payment decided on (for a refund line: the original payment). */
  payment?: PaymentIdentity;
  /** Present only when the payment's status changes. */
  transition?: StatusTransition;
  /** The single conditional write to apply; absent when nothing is written on a payment. */
  update?: PaymentUpdate;
  /** Both sides of the amount comparison. */
  figures?: AmountFigures;
  /** Ambiguous: the candidates, none of which was chosen. */
  candidates?: readonly PaymentIdentity[];
  /** Payout lines, and payments tied to a batch in bank-credit mode. */
  batchKey?: string;
  /** Refund lines: the amounts before and after this refund. */
  refund?: { amountMinor: number; refundedBeforeMinor: number; refundedAfterMinor: number; full: boolean };
}

/** A merchant's matching terms (fee check terms plus what "arrived" means). */
export interface MerchantMatchTerms extends FeeCheckTerms {
  arrivalMode: ArrivalMode;
}

export interface WindowOptions {
  /** Default true; false skips the window rung entirely. */
  enabled?: boolean;
  /** Trade dates considered before the line's value date (default 7: T+N settles after the trade). */
  daysBefore?: number;
  /** Trade dates considered after it (default 1: a file's date may be a day behind the zone). */
  daysAfter?: number;
}

export const DEFAULT_WINDOW: Required<WindowOptions> = { enabled: true, daysBefore: 7, daysAfter: 1 };

/** A settlement line being matched: its acquirer, the matching options and its line key (settlementLineKey). */
export interface LineToMatch<Options = MatchOptions> {
  line: SettlementLine;
  acquirer: string;
  options: Options;
  lineKey: string;
}

export interface MatchOptions {
  /** The merchant's terms, or how to get them for the merchant of the payment found. */
  terms: MerchantMatchTerms | ((merchantId: string) => MerchantMatchTerms | Promise<MerchantMatchTerms>);
  /**
   * The settlewatch merchant the line belongs to, when the use case maps the acquirer's merchant
   * id (商户号, merchant account) to its own; default the line's merchantId.
   */
  merchantId?: string;
  window?: WindowOptions;
  /** Bank-credit mode: whether the batch's bank credit has already been matched (then settle now). */
  isBatchCredited?: (batchKey: string) => boolean | Promise<boolean>;
  /** The line's key, when the caller has it already; default {@link settlementLineKey}. */
  lineKey?: string;
}

/** Resolves the terms for a merchant. */
export async function termsFor(options: Pick<MatchOptions, "terms">, merchantId: string) {
  return typeof options.terms === "function" ? await options.terms(merchantId) : options.terms;
}

/** The merchant id the line is matched under. */
export function merchantOfLine(
  line: SettlementLine,
  options: Pick<MatchOptions, "merchantId">,
): string | null {
  return options.merchantId ?? line.merchantId;
}

/** "a/p1, a/p2" for reasons. */
export function describeIdentities(payments: readonly PaymentIdentity[]): string {
  return payments.map((p) => `${p.acquirer}/${p.paymentId}`).join(", ");
}
