/**
 * Settling without reading first. Most lines of a file settle a PENDING payment found by its
 * reference whose amount, currency and merchant are the line's: the decision for that payment is
 * known before it is read. It is made on a presumed payment and applied as one conditional write
 * that holds only if the stored payment is exactly that one (status PENDING, unclaimed, kind,
 * merchant, amount, currency). When the condition fails, the stored item decides as before.
 */
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import { grossOfLine } from "./fee-check.js";
import { settlementLineKey } from "./line-identity.js";
import { type MatchDecision, type MatchOptions, merchantOfLine, termsFor } from "./match-decision.js";
import { decidePaymentLine } from "./match-ladder.js";
import type { MatchablePayment, PaymentUpdate, PresumedPayment } from "./payment-state.js";

/** A decision made on a presumed payment, with the write whose condition proves the presumption. */
export interface PresumedSettlement {
  decision: MatchDecision & { update: PaymentUpdate };
}

/**
 * The settlement a payment line would make if its reference named a PENDING payment of the line's
 * merchant with the line's gross and currency; undefined when that decision would not simply
 * settle it (no reference, merchant or gross, a debit, bank-credit mode, amounts that fail the
 * fee check). The caller applies `decision.update`; if it fails, it decides on the stored item.
 */
export async function presumeSettlement(
  line: SettlementLine,
  acquirer: string,
  options: MatchOptions,
): Promise<PresumedSettlement | undefined> {
  if (line.kind !== "payment" || line.direction !== "credit" || line.reference === null) return undefined;
  const merchantId = merchantOfLine(line, options);
  const gross = grossOfLine(line);
  if (merchantId === null || gross === null) return undefined;
  const terms = await termsFor(options, merchantId);
  if (terms.arrivalMode !== "acquirer-file") return undefined;
  const presumed: PresumedPayment = {
    kind: "payment",
    merchantId,
    amountMinor: gross,
    currency: line.currency,
  };
  const payment: MatchablePayment = {
    ...presumed,
    acquirer,
    paymentId: line.reference,
    status: "PENDING",
    // Not read by the decision (only status, kind, merchant, amount, currency and settlement are).
    confirmedAt: "",
    confirmedAtUtc: "",
    merchantRegistered: true,
    fingerprint: "",
    receivedAt: "",
  };
  const lineKey = options.lineKey ?? settlementLineKey(line, acquirer);
  const decision = await decidePaymentLine(
    { line, acquirer, options: { ...options, terms }, lineKey },
    payment,
    "reference",
  );
  if (decision.reasonCode !== "settled" || !decision.update) return undefined;
  const update: PaymentUpdate = {
    ...decision.update,
    condition: { ...decision.update.condition, presumed },
  };
  return { decision: { ...decision, update } };
}
