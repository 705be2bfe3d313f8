/**
 * Refunds and reversals close their original payment.
 *
 * - A refund line (kind "refund") carries the *original* payment's reference / order number (WeChat,
 *   Adyen do this). It is matched to the original by reference, then by order number - never by an
 *   amount window, since a refund's amount says nothing about which payment it refunds. A refund
 *   confirmation found by reference is followed to its originalPaymentId.
 * - Refunds add up: each applied refund line's key is recorded on the original with the running
 *   total, in one conditional write, so a replayed line is not counted twice and two concurrent
 *   refunds cannot both read the same total. Full refund → REFUNDED (leaving the due index);
 *   partial → status kept, refundedMinor recorded.
 * - Reversal confirmations are decided in reversal-confirmations.ts.
 */
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import { type AmountFigures, describeMinor, grossOfLine } from "./fee-check.js";
import {
  describeIdentities,
  type MatchDecision,
  type MatchOptions,
  type MatchRung,
  merchantOfLine,
} from "./match-decision.js";
import type { PaymentLookup } from "./payment-lookup.js";
import {
  AWAITED_STATUSES,
  identityOf,
  type MatchablePayment,
  type PaymentUpdate,
  type StatusTransition,
} from "./payment-state.js";

/**
 * Matches a refund line to its original payment and decides the refund. Called by
 * `matchSettlementLine` for kind "refund"; `lineKey` is the line's {@link settlementLineKey}.
 */
export async function matchRefundLine(
  line: SettlementLine,
  acquirer: string,
  lookup: PaymentLookup,
  options: Pick<MatchOptions, "merchantId">,
  lineKey: string,
): Promise<MatchDecision> {
  const tried: string[] = [];
  if (line.reference !== null) {
    const found = await lookup.byReference(acquirer, line.reference);
    if (found?.kind === "payment") return decideRefundLine(line, found, "reference", lineKey);
    if (found?.originalPaymentId !== undefined) {
      const original = await lookup.byReference(acquirer, found.originalPaymentId);
      if (original?.kind === "payment") return decideRefundLine(line, original, "reference", lineKey);
      tried.push(
        `reference ${line.reference} (a ${found.kind} of ${found.originalPaymentId}, not known yet)`,
      );
    } else {
      tried.push(`reference ${line.reference}`);
    }
  }
  if (line.merchantReference !== null) {
    const merchantId = merchantOfLine(line, options);
    const found = (await lookup.byOrderId(merchantId, line.merchantReference)).filter(
      (p) =>
        p.acquirer === acquirer &&
        p.kind === "payment" &&
        (merchantId === null || p.merchantId === merchantId),
    );
    if (found.length === 1 && found[0]) return decideRefundLine(line, found[0], "order", lineKey);
    if (found.length > 1) {
      const ids = found.map(identityOf);
      return {
        outcome: "unmatched",
        rung: "order",
        reasonCode: "ambiguous",
        reason: `ambiguous: ${ids.length} candidates by order ${line.merchantReference} (${describeIdentities(ids)}) for a refund; not guessed`,
        lineKey,
        candidates: ids,
      };
    }
    tried.push(`order ${line.merchantReference}`);
  }
  if (tried.length === 0) {
    return {
      outcome: "unmatched",
      rung: null,
      reasonCode: "unidentifiable",
      reason: "refund line without reference or order number: its original payment cannot be found",
      lineKey,
    };
  }
  return {
    outcome: "unmatched",
    rung: null,
    reasonCode: "awaiting-original",
    reason: `refund of ${describeMinor(refundAmountOf(line), line.currency)}: no original payment found by ${tried.join(", ")}; kept until it arrives`,
    lineKey,
  };
}

/** The amount refunded to the customer: the line's gross, else net − fee, else its net. */
export function refundAmountOf(line: SettlementLine): number {
  return grossOfLine(line) ?? line.netMinor;
}

/**
 * The refund rules, for a refund line and its original payment:
 * - this line already applied → replay, nothing written;
 * - another currency → mismatched "currency"; original REVERSED → mismatched "refund-of-reversed";
 * - refunds would exceed the payment amount → mismatched "refund-exceeds-payment" (nothing written);
 * - total = amount → full: status → REFUNDED (from PENDING, OVERDUE, SETTLED, SETTLED_LATE; a
 *   MISMATCH stays MISMATCH, a mismatch still needs a person), leaving the due index;
 * - total < amount → partial: status kept, refundedMinor and the line key recorded.
 */
export function decideRefundLine(
  line: SettlementLine,
  original: MatchablePayment,
  rung: MatchRung,
  lineKey: string,
): MatchDecision {
  const id = identityOf(original);
  const label = `payment ${id.acquirer}/${id.paymentId}`;
  const state = original.settlement;
  const amount = refundAmountOf(line);
  const before = state?.refundedMinor ?? 0;
  const after = before + amount;
  const full = after === original.amountMinor;
  const figures: AmountFigures = {
    lineCurrency: line.currency,
    paymentCurrency: original.currency,
    paymentAmountMinor: original.amountMinor,
    lineGrossMinor: line.grossMinor,
    lineFeeMinor: line.feeMinor,
    lineNetMinor: line.netMinor,
    expectedNetMinor: null,
    feeRate: null,
  };
  const base = { rung, lineKey, payment: id, figures } as const;
  const money = (minor: number) => describeMinor(minor, original.currency);

  if (state?.refundLineKeys?.includes(lineKey)) {
    return {
      ...base,
      outcome: "matched",
      reasonCode: "replay",
      reason: `${label}: this refund line was already applied (refunded ${money(before)}); nothing to do`,
    };
  }
  if (line.currency !== original.currency) {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "currency",
      reason: `refund in ${line.currency} (${describeMinor(amount, line.currency)}) of ${label} in ${original.currency}`,
    };
  }
  if (original.status === "REVERSED") {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "refund-of-reversed",
      reason: `refund of ${money(amount)} for ${label}, which was reversed (voided): no money to refund`,
    };
  }
  if (after > original.amountMinor) {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "refund-exceeds-payment",
      reason: `refund of ${money(amount)} would bring refunds of ${label} to ${money(after)}, above its amount ${money(original.amountMinor)} (already refunded ${money(before)})`,
    };
  }
  const closes = full && original.status !== "MISMATCH" && original.status !== "REFUNDED";
  const transition: StatusTransition | undefined = closes
    ? { from: original.status, to: "REFUNDED" }
    : undefined;
  const update: PaymentUpdate = {
    payment: id,
    condition: { status: original.status, refundedMinor: before, refundLineKeyAbsent: lineKey },
    ...(closes ? { status: "REFUNDED" as const } : {}),
    set: { refundedMinor: after },
    addRefundLineKey: lineKey,
    leaveDueIndex: closes && AWAITED_STATUSES.has(original.status),
  };
  return {
    ...base,
    outcome: "matched",
    reasonCode: full ? "refund-full" : "refund-partial",
    reason: full
      ? `${label} fully refunded (${money(after)} of ${money(original.amountMinor)})${transition ? `: ${transition.from} → REFUNDED` : `; status stays ${original.status}`}`
      : `${label} partly refunded: ${money(amount)} now, ${money(after)} of ${money(original.amountMinor)} in all; status stays ${original.status}`,
    update,
    refund: { amountMinor: amount, refundedBeforeMinor: before, refundedAfterMinor: after, full },
    ...(transition ? { transition } : {}),
  };
}
