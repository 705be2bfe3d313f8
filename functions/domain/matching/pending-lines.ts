/**
 * Out of order: a settlement file can come before the webhook. Lines that matched nothing were
 * kept; when a confirmation arrives, the lines that concern it are run through the same ladder
 * again - so the rules are the same whichever came first.
 */
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import { grossOfLine } from "./fee-check.js";
import { dateWindow, inWindow, settlementLineKey } from "./line-identity.js";
import { DEFAULT_WINDOW, type MatchDecision, type MatchOptions } from "./match-decision.js";
import { matchSettlementLine } from "./match-ladder.js";
import { type PaymentLookup, tradeDateOf } from "./payment-lookup.js";
import { applyPaymentUpdate, type MatchablePayment } from "./payment-state.js";

/** A line kept as unmatched, with what it was matched under. */
export interface StoredLine {
  line: SettlementLine;
  acquirer: string;
  /** Its {@link settlementLineKey}, when stored with it. */
  lineKey?: string;
  /** The settlewatch merchant it was mapped to, when the use case maps acquirer merchant ids. */
  merchantId?: string;
}

export interface PendingLineMatch {
  stored: StoredLine;
  decision: MatchDecision;
}

type PendingOptions = Omit<MatchOptions, "lineKey" | "merchantId">;

/**
 * Which stored lines now match a newly arrived payment confirmation, and the decisions.
 *
 * - Only kind "payment" confirmations are considered (refund/reversal confirmations move no line).
 * - A stored line concerns the payment when, for the same acquirer, its reference is the payment id,
 *   or its order number is the payment's orderId, or (payment lines only) merchant, currency, gross
 *   and trade-date window fit - the ladder's three rungs read backwards.
 * - Each concerned line is decided by {@link matchSettlementLine} itself, against `lookup`
 *   overlaid with this payment and with the effect of the decisions already taken in this call: the
 *   "exactly one candidate" rule still sees every other payment, and a second line for the same
 *   payment is a duplicate, not a second settlement. (The overlay also covers an order index that
 *   does not show the just-written payment yet: GSIs are eventually consistent.)
 * - Order: payment lines before refund lines, then by value date, then by line number.
 *
 * Returns one entry per concerned line, in the order decided (which is the order to apply them);
 * a line still unmatched is returned too, with its new reason. Lines not concerned are not returned.
 */
export async function matchPendingLinesForConfirmation(
  payment: MatchablePayment,
  storedUnmatchedLines: readonly StoredLine[],
  lookup: PaymentLookup,
  options: PendingOptions,
): Promise<PendingLineMatch[]> {
  if (payment.kind !== "payment") return [];
  const window = { ...DEFAULT_WINDOW, ...options.window };
  const concerned = storedUnmatchedLines
    .filter((stored) => concerns(stored, payment, window))
    .sort(
      (a, b) =>
        order(a) - order(b) || compare(a.line.valueDate, b.line.valueDate) || a.line.source - b.line.source,
    );

  const overlay = new OverlayLookup(lookup, payment);
  const results: PendingLineMatch[] = [];
  for (const stored of concerned) {
    const decision = await matchSettlementLine(stored.line, stored.acquirer, overlay, {
      ...options,
      lineKey: stored.lineKey ?? settlementLineKey(stored.line, stored.acquirer),
      ...(stored.merchantId !== undefined ? { merchantId: stored.merchantId } : {}),
    });
    results.push({ stored, decision });
    if (decision.update) overlay.apply(decision.update);
  }
  return results;
}

function order(stored: StoredLine): number {
  return stored.line.kind === "payment" ? 0 : 1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function concerns(
  stored: StoredLine,
  payment: MatchablePayment,
  window: { enabled: boolean; daysBefore: number; daysAfter: number },
): boolean {
  const { line } = stored;
  if (stored.acquirer !== payment.acquirer) return false;
  if (line.kind !== "payment" && line.kind !== "refund" && line.kind !== "reversal") return false;
  if (line.reference !== null && line.reference === payment.paymentId) return true;
  if (line.merchantReference !== null && line.merchantReference === payment.orderId) return true;
  if (line.kind !== "payment" || !window.enabled) return false;
  const merchantId = stored.merchantId ?? line.merchantId;
  const range = dateWindow(line.valueDate, window.daysBefore, window.daysAfter);
  return (
    merchantId === payment.merchantId &&
    line.currency === payment.currency &&
    grossOfLine(line) === payment.amountMinor &&
    range !== undefined &&
    inWindow(tradeDateOf(payment), range)
  );
}

/** The port, with the new payment and this call's own updates laid over it. */
class OverlayLookup implements PaymentLookup {
  private readonly known = new Map<string, MatchablePayment>();

  constructor(
    private readonly inner: PaymentLookup,
    arrived: MatchablePayment,
  ) {
    this.known.set(keyOf(arrived), arrived);
  }

  apply(update: Parameters<typeof applyPaymentUpdate>[1]): void {
    const key = `${update.payment.acquirer}\u0000${update.payment.paymentId}`;
    const current = this.known.get(key);
    if (current) this.known.set(key, applyPaymentUpdate(current, update));
  }

  remember(payment: MatchablePayment): MatchablePayment {
    const key = keyOf(payment);
    const known = this.known.get(key);
    if (known) return known;
    this.known.set(key, payment);
    return payment;
  }

  async byReference(acquirer: string, reference: string): Promise<MatchablePayment | undefined> {
    const known = this.known.get(`${acquirer}\u0000${reference}`);
    if (known) return known;
    const found = await this.inner.byReference(acquirer, reference);
    return found ? this.remember(found) : undefined;
  }

  async byOrderId(merchantId: string | null, orderId: string): Promise<MatchablePayment[]> {
    return this.merge(
      await this.inner.byOrderId(merchantId, orderId),
      (p) => p.orderId === orderId && (merchantId === null || p.merchantId === merchantId),
    );
  }

  async byAmountWindow(query: Parameters<PaymentLookup["byAmountWindow"]>[0]): Promise<MatchablePayment[]> {
    return this.merge(
      await this.inner.byAmountWindow(query),
      (p) =>
        p.merchantId === query.merchantId &&
        p.currency === query.currency &&
        p.amountMinor === query.amountMinor &&
        inWindow(tradeDateOf(p), query),
    );
  }

  /** Inner results replaced by the overlay's copies, plus overlay payments that fit but were not returned. */
  private merge(found: MatchablePayment[], fits: (p: MatchablePayment) => boolean): MatchablePayment[] {
    const seen = new Set<string>();
    const merged = found.map((p) => {
      seen.add(keyOf(p));
      return this.remember(p);
    });
    for (const [key, p] of this.known) if (!seen.has(key) && fits(p)) merged.push(p);
    return merged;
  }
}

function keyOf(payment: Pick<MatchablePayment, "acquirer" | "paymentId">): string {
  return `${payment.acquirer}\u0000${payment.paymentId}`;
}
