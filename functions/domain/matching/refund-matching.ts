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
  type LineToMatch,
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
 * Matches a refund (or reversal) line to its original payment and decides it. Called by
 * `matchSettlementLine` for kinds "refund" and "reversal"; `lineKey` is the line's {@link settlementLineKey}.
 */
export async function matchRefundLine(
  target: LineToMatch<Pick<MatchOptions, "merchantId">>,
  lookup: PaymentLookup,
): Promise<MatchDecision> {
  const { line, acquirer, options, lineKey } = target;
  const what = line.kind === "reversal" ? "reversal" : "refund";
  const tried: string[] = [];
  if (line.reference !== null) {
    const found = await lookup.byReference(acquirer, line.reference);
    if (found?.kind === "payment") return decideReturnLine(line, found, "reference", lineKey);
    if (found?.originalPaymentId !== undefined) {
      const original = await lookup.byReference(acquirer, found.originalPaymentId);
      if (original?.kind === "payment") return decideReturnLine(line, original, "reference", lineKey);
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
    if (found.length === 1 && found[0]) return decideReturnLine(line, found[0], "order", lineKey);
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
      reason: `${what} line without reference or order number: its original payment cannot be found`,
      lineKey,
    };
  }
  return {
    outcome: "unmatched",
    rung: null,
    reasonCode: "awaiting-original",
    reason: `${what} of ${describeMinor(refundAmountOf(line), line.currency)}: no original payment found by ${tried.join(", ")}; kept until it arrives`,
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
  const figures = returnFigures(line, original);
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

/** Both sides of a refund or reversal line's comparison (no fee check: the fee is the acquirer's). */
function returnFigures(line: SettlementLine, original: MatchablePayment): AmountFigures {
  return {
    lineCurrency: line.currency,
    paymentCurrency: original.currency,
    paymentAmountMinor: original.amountMinor,
    lineGrossMinor: line.grossMinor,
    lineFeeMinor: line.feeMinor,
    lineNetMinor: line.netMinor,
    expectedNetMinor: null,
    feeRate: null,
  };
}

function decideReturnLine(
  line: SettlementLine,
  original: MatchablePayment,
  rung: MatchRung,
  lineKey: string,
): MatchDecision {
  return line.kind === "reversal"
    ? decideReversalLine(line, original, rung, lineKey)
    : decideRefundLine(line, original, rung, lineKey);
}

/**
 * The reversal-line rules (WeChat Pay REVOKED: the bill lists the SUCCESS row and the REVOKED row of
 * the same order, and they net to zero):
 * - this line already closed the payment → replay;
 * - another currency, or not the whole amount still expected → mismatched;
 * - PENDING / OVERDUE, or settled by a line of the same day's bill (its SUCCESS row came first) →
 *   REVERSED, off the due index, the line's key recorded (so the sale row, when it comes after, is
 *   matched as netted, not as money for a voided payment);
 * - already REVERSED (a reversal confirmation came first) → matched, the line's key recorded;
 * - settled on an earlier day: the money moved, so it is a refund → the refund rules;
 * - REFUNDED / MISMATCH → mismatched "reversal-of-closed".
 */
export function decideReversalLine(
  line: SettlementLine,
  original: MatchablePayment,
  rung: MatchRung,
  lineKey: string,
): MatchDecision {
  const id = identityOf(original);
  const label = `payment ${id.acquirer}/${id.paymentId}`;
  const state = original.settlement;
  const amount = refundAmountOf(line);
  const figures = returnFigures(line, original);
  const base = { rung, lineKey, payment: id, figures } as const;
  const money = (minor: number) => describeMinor(minor, original.currency);
  const mismatched = (reasonCode: MatchDecision["reasonCode"], reason: string): MatchDecision => ({
    ...base,
    outcome: "mismatched",
    reasonCode,
    reason,
  });
  if (state?.reversalLineKey === lineKey) {
    return {
      ...base,
      outcome: "matched",
      reasonCode: "replay",
      reason: `${label}: this reversal line was already applied (now ${original.status}); nothing to do`,
    };
  }
  if (state?.reversalLineKey !== undefined) {
    return mismatched("reversal-of-closed", `${label} was already reversed by another reversal line`);
  }
  if (line.currency !== original.currency) {
    return mismatched("currency", `reversal in ${line.currency} of ${label} in ${original.currency}`);
  }
  const settled = original.status === "SETTLED" || original.status === "SETTLED_LATE";
  if (settled && state?.valueDate !== line.valueDate) return decideRefundLine(line, original, rung, lineKey);
  if (original.status === "REFUNDED" || original.status === "MISMATCH") {
    return mismatched(
      "reversal-of-closed",
      `reversal of ${money(amount)} for ${label}, which is ${original.status}`,
    );
  }
  if (amount !== original.amountMinor) {
    return mismatched(
      "amount",
      `reversal of ${money(amount)} for ${label} of ${money(original.amountMinor)}: a reversal line nets the whole sale`,
    );
  }
  const closes = original.status !== "REVERSED";
  const update: PaymentUpdate = {
    payment: id,
    condition: { status: original.status, reversalLineKeyAbsent: true },
    ...(closes ? { status: "REVERSED" as const } : {}),
    set: { reversalLineKey: lineKey },
    leaveDueIndex: AWAITED_STATUSES.has(original.status),
  };
  return {
    ...base,
    outcome: "matched",
    reasonCode: "reversal",
    reason: closes
      ? `${label} ${original.status} → REVERSED by a reversal line of ${money(amount)}: the sale and its reversal net to zero`
      : `${label} was already REVERSED (by its reversal confirmation); this reversal line agrees`,
    update,
    ...(closes ? { transition: { from: original.status, to: "REVERSED" as const } } : {}),
  };
}
