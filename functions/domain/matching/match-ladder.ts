/**
 * Leg 1: a settlement line from an acquirer's file against the confirmed payments.
 *
 * The ladder, stopping at the first rung that decides:
 * 1. reference - the acquirer's payment reference is the payment id (one GetItem);
 * 2. order - the merchant's order number (the order index);
 * 3. window - merchant + currency + exact gross + trade date within the window, and only when
 *    exactly one open payment fits: two or more is "ambiguous", never a guess.
 * The payment found is then checked (currency, the line's arithmetic, gross vs amount, net vs the
 * merchant's fee rate) and the decision says which single conditional write to make.
 */
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import { checkLineAgainstPayment, describeMinor, grossOfLine } from "./fee-check.js";
import { batchKeyOf, dateWindow, settlementLineKey } from "./line-identity.js";
import {
  DEFAULT_WINDOW,
  describeIdentities,
  type LineToMatch,
  type MatchDecision,
  type MatchOptions,
  type MatchRung,
  merchantOfLine,
  termsFor,
} from "./match-decision.js";
import type { PaymentLookup } from "./payment-lookup.js";
import {
  AWAITED_STATUSES,
  FINAL_STATUSES,
  identityOf,
  type MatchablePayment,
  type PaymentUpdate,
  settledStatusFor,
} from "./payment-state.js";
import { matchRefundLine } from "./refund-matching.js";

export type { PaymentLookup } from "./payment-lookup.js";

/**
 * Decides what one settlement line means. Never writes: the returned decision carries the
 * conditional write (`update`) for the use case to apply.
 *
 * - kind "payment": the ladder above; see {@link decidePaymentLine} for the status rules.
 * - kind "refund": finds the original payment (reference, then order number; never by window) and
 *   closes it (full refund → REFUNDED) or records a partial refund.
 * - kind "reversal": found the same way; closes the original as REVERSED (its sale nets to zero).
 * - kind "payout": unmatched, reason "payout-batch" - it defines a batch for leg 2.
 * - kind "fee" / "other": unmatched, reason "informational" - kept, counted, not a payment.
 */
export async function matchSettlementLine(
  line: SettlementLine,
  acquirer: string,
  lookup: PaymentLookup,
  options: MatchOptions,
): Promise<MatchDecision> {
  const lineKey = options.lineKey ?? settlementLineKey(line, acquirer);
  switch (line.kind) {
    case "payment":
      return matchPaymentLine({ line, acquirer, options, lineKey }, lookup);
    case "refund":
    case "reversal":
      return matchRefundLine({ line, acquirer, options, lineKey }, lookup);
    case "payout": {
      const batchKey = batchKeyOf(line, acquirer, merchantOfLine(line, options));
      return {
        outcome: "unmatched",
        rung: null,
        reasonCode: "payout-batch",
        reason: `payout of ${describeMinor(line.netMinor, line.currency)} on ${line.valueDate}: batch ${batchKey}, confirmed by the bank credit`,
        lineKey,
        batchKey,
      };
    }
    case "fee":
    case "other":
      return {
        outcome: "unmatched",
        rung: null,
        reasonCode: "informational",
        reason: `${line.kind} line of ${describeMinor(line.netMinor, line.currency)} (${line.direction}): not a payment`,
        lineKey,
      };
  }
}

async function matchPaymentLine(target: LineToMatch, lookup: PaymentLookup): Promise<MatchDecision> {
  const { line, acquirer, options, lineKey } = target;
  if (line.direction !== "credit") {
    return {
      outcome: "unmatched",
      rung: null,
      reasonCode: "unexpected-direction",
      reason: `payment line is a debit of ${describeMinor(line.netMinor, line.currency)}: not a settlement`,
      lineKey,
    };
  }
  const merchantId = merchantOfLine(line, options);
  const tried: string[] = [];

  // Rung 1: the acquirer's reference is the payment id.
  if (line.reference !== null) {
    const found = await lookup.byReference(acquirer, line.reference);
    if (found) return decidePaymentLine(target, found, "reference");
    tried.push(`reference ${line.reference}`);
  }

  // Rung 2: the merchant's order number.
  if (line.merchantReference !== null) {
    const found = (await lookup.byOrderId(merchantId, line.merchantReference)).filter(
      (p) =>
        p.acquirer === acquirer &&
        p.kind === "payment" &&
        (merchantId === null || p.merchantId === merchantId),
    );
    const own = found.find((p) => p.settlement?.lineKey === lineKey);
    if (own) return decidePaymentLine(target, own, "order");
    // One payment per order is the rule; when an order has several (a retry after a reversal),
    // only an open one can be meant - if exactly one is open. Otherwise never guess.
    const chosen = found.length === 1 ? found : found.filter(isOpen);
    if (chosen.length === 1 && chosen[0]) {
      return decidePaymentLine(target, chosen[0], "order");
    }
    if (found.length > 1) return ambiguous(line, "order", found, lineKey);
    tried.push(`order ${line.merchantReference}`);
  }

  // Rung 3: merchant + currency + exact gross + date window, exactly one open candidate.
  const window = { ...DEFAULT_WINDOW, ...options.window };
  const gross = grossOfLine(line);
  const range = dateWindow(line.valueDate, window.daysBefore, window.daysAfter);
  const skipped: string[] = [];
  if (!window.enabled) skipped.push("window rung disabled");
  if (merchantId === null) skipped.push("no merchant for a window search");
  if (gross === null) skipped.push("no gross (net-only line) for a window search");
  if (range === undefined) skipped.push(`value date ${JSON.stringify(line.valueDate)} is not a date`);
  if (skipped.length === 0 && merchantId !== null && gross !== null && range !== undefined) {
    const found = (
      await lookup.byAmountWindow({ merchantId, currency: line.currency, amountMinor: gross, ...range })
    ).filter((p) => p.acquirer === acquirer && p.kind === "payment" && p.merchantId === merchantId);
    const own = found.find((p) => p.settlement?.lineKey === lineKey);
    if (own) return decidePaymentLine(target, own, "window");
    const open = found.filter((p) => isOpen(p) && !contradicts(p, line));
    if (open.length === 1 && open[0]) return decidePaymentLine(target, open[0], "window");
    if (open.length > 1) return ambiguous(line, "window", open, lineKey);
    tried.push(
      `window ${merchantId} ${describeMinor(gross, line.currency)} trade dates ${range.from}..${range.to}`,
    );
  }

  if (tried.length === 0) {
    return {
      outcome: "unmatched",
      rung: null,
      reasonCode: "unidentifiable",
      reason: `nothing to match on: no reference, no order number; ${skipped.join("; ")}`,
      lineKey,
    };
  }
  return {
    outcome: "unmatched",
    rung: null,
    reasonCode: "awaiting-confirmation",
    reason: `no payment found by ${tried.join(", ")}${skipped.length > 0 ? ` (${skipped.join("; ")})` : ""}: kept until its confirmation arrives`,
    lineKey,
  };
}

/** Open = still awaited and not claimed by any line: what the window (and a multi-payment order) may pick. */
function isOpen(payment: MatchablePayment): boolean {
  return (
    !FINAL_STATUSES.has(payment.status) &&
    payment.status !== "MISMATCH" &&
    payment.settlement?.lineKey === undefined
  );
}

/** A candidate whose own order id differs from the line's is not the line's payment. */
function contradicts(payment: MatchablePayment, line: SettlementLine): boolean {
  return (
    payment.orderId !== undefined &&
    line.merchantReference !== null &&
    payment.orderId !== line.merchantReference
  );
}

function ambiguous(
  line: SettlementLine,
  rung: MatchRung,
  candidates: readonly MatchablePayment[],
  lineKey: string,
): MatchDecision {
  const ids = candidates.map(identityOf);
  return {
    outcome: "unmatched",
    rung,
    reasonCode: "ambiguous",
    reason: `ambiguous: ${ids.length} candidates by ${rung} (${describeIdentities(ids)}) for ${describeMinor(grossOfLine(line) ?? line.netMinor, line.currency)} on ${line.valueDate}; not guessed`,
    lineKey,
    candidates: ids,
  };
}

/**
 * The status rules for a payment line and the payment a rung found:
 * - the payment was claimed by this very line → replay: same outcome, nothing written;
 * - it is a refund/reversal confirmation → mismatched "confirmation-kind";
 * - it was claimed by another line, or is SETTLED / SETTLED_LATE / MISMATCH → mismatched
 *   "settled twice" (the payment is left as it is; the line is kept with the reason);
 * - it is REVERSED → mismatched "reversed" (money for a voided payment);
 * - amounts differ beyond tolerance → PENDING/OVERDUE → MISMATCH with both figures (a REFUNDED
 *   payment keeps its status, the figures are recorded);
 * - amounts agree → PENDING → SETTLED (its due entry stays: the check skips it), OVERDUE →
 *   SETTLED_LATE, leaving the escalation list in the same write; REFUNDED → recorded ("settled-after-refund"); in bank-credit mode, unless the batch is
 *   already credited, the payment stays awaited and is tied to its batch ("awaiting-bank-credit").
 */
export async function decidePaymentLine(
  target: LineToMatch,
  payment: MatchablePayment,
  rung: MatchRung,
): Promise<MatchDecision> {
  const { line, acquirer, options, lineKey } = target;
  const id = identityOf(payment);
  const state = payment.settlement;
  const base = { rung, lineKey, payment: id } as const;
  const label = `payment ${id.acquirer}/${id.paymentId}`;

  if (state?.lineKey === lineKey) {
    const outcome = state.outcome ?? (payment.status === "MISMATCH" ? "mismatched" : "matched");
    return {
      ...base,
      outcome,
      reasonCode: "replay",
      reason: `${label}: this line was already applied (${outcome}, now ${payment.status}); nothing to do`,
      ...(state.figures ? { figures: state.figures } : {}),
      ...(state.batchKey ? { batchKey: state.batchKey } : {}),
    };
  }
  if (payment.kind !== "payment") {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "confirmation-kind",
      reason: `${label} is a ${payment.kind} confirmation, not a payment: a payment line cannot settle it`,
    };
  }
  const terms = await termsFor(options, payment.merchantId);
  const check = checkLineAgainstPayment(line, payment, terms);
  if (
    state?.lineKey !== undefined ||
    payment.status === "SETTLED" ||
    payment.status === "SETTLED_LATE" ||
    payment.status === "MISMATCH"
  ) {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "settled-twice",
      reason: `settled twice: ${label} is already ${payment.status} by another line${state?.valueDate ? ` (value date ${state.valueDate})` : ""}; this line (${describeMinor(line.netMinor, line.currency)} net on ${line.valueDate}) is a duplicate settlement`,
      figures: check.figures,
    };
  }
  if (payment.status === "REVERSED" && state?.reversalLineKey === undefined) {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "reversed",
      reason: `${label} was reversed, yet the acquirer settles ${describeMinor(line.netMinor, line.currency)} net for it on ${line.valueDate}`,
      figures: check.figures,
    };
  }

  const claim = {
    lineKey,
    valueDate: line.valueDate,
    figures: check.figures,
  };
  const awaited = AWAITED_STATUSES.has(payment.status);

  if (!check.ok) {
    const problem = check.problem ?? "amount";
    const update: PaymentUpdate = {
      payment: id,
      condition: { status: payment.status, lineKey: null },
      ...(awaited ? { status: "MISMATCH" as const } : {}),
      set: { ...claim, outcome: "mismatched" },
      leaveDueIndex: payment.status === "OVERDUE",
    };
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: problem,
      reason: `${label}: ${check.reason}`,
      figures: check.figures,
      update,
      ...(awaited ? { transition: { from: payment.status, to: "MISMATCH" as const } } : {}),
    };
  }

  if (!awaited) {
    // REFUNDED before its settlement line came (refund and payment netted, or refund line first),
    // or REVERSED by a reversal line of the bill (WeChat's REVOKED row came first): the sale nets to zero.
    const netted = payment.status === "REVERSED";
    return {
      ...base,
      outcome: "matched",
      reasonCode: netted ? "reversal-netted" : "settled-after-refund",
      reason: netted
        ? `${label} was reversed by a reversal line of the bill; this sale and its reversal net to zero (${check.reason})`
        : `${label} was already ${payment.status}; its settlement line is recorded (${check.reason})`,
      figures: check.figures,
      update: {
        payment: id,
        condition: { status: payment.status, lineKey: null },
        set: { ...claim, outcome: "matched" },
        leaveDueIndex: false,
      },
    };
  }

  const to = settledStatusFor(payment.status) ?? "SETTLED";
  if (terms.arrivalMode === "bank-credit") {
    const batchKey = batchKeyOf(line, acquirer, merchantOfLine(line, options));
    const credited = (await options.isBatchCredited?.(batchKey)) ?? false;
    if (!credited) {
      return {
        ...base,
        outcome: "matched",
        reasonCode: "awaiting-bank-credit",
        reason: `${label} is in the acquirer's file (${check.reason}); it settles when batch ${batchKey} is credited by the bank`,
        figures: check.figures,
        batchKey,
        update: {
          payment: id,
          condition: { status: payment.status, lineKey: null },
          set: { ...claim, outcome: "matched", batchKey },
          leaveDueIndex: false,
        },
      };
    }
    return settle(base, { label, from: payment.status, to, check, set: { ...claim, batchKey }, batchKey });
  }
  return settle(base, { label, from: payment.status, to, check, set: claim });
}

/** A payment settled by this line: its status moves `from` → `to` in one conditional write. */
interface Settling {
  label: string;
  from: MatchablePayment["status"];
  to: MatchablePayment["status"];
  check: { reason: string; figures: NonNullable<MatchDecision["figures"]> };
  set: PaymentUpdate["set"];
  /** The payout batch already credited (bank-credit mode). */
  batchKey?: string;
}

function settle(
  base: { rung: MatchRung; lineKey: string; payment: MatchDecision["payment"] & object },
  { label, from, to, check, set, batchKey }: Settling,
): MatchDecision {
  const { reason: checked, figures } = check;
  return {
    ...base,
    outcome: "matched",
    reasonCode: to === "SETTLED_LATE" ? "settled-late" : "settled",
    reason: `${label} ${from} → ${to} by ${base.rung}${batchKey ? ` (batch ${batchKey} already credited)` : ""}: ${checked}`,
    figures,
    transition: { from, to },
    ...(batchKey ? { batchKey } : {}),
    update: {
      payment: base.payment,
      condition: { status: from, lineKey: null },
      status: to,
      set: { ...set, outcome: "matched" },
      leaveDueIndex: from === "OVERDUE",
    },
  };
}
