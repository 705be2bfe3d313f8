/**
 * Leg 2: the bank credit that confirms an acquirer's payout batch, and - for merchants whose money
 * counts as "arrived" only once credited (arrival mode "bank-credit") - the settlement of every
 * payment tied to that batch.
 *
 * A batch is identified by the acquirer's batch reference when its file gives one (Stripe payout
 * id, Adyen batch number), else it is the acquirer's day batch for a merchant, currency and value
 * date ({@link batchKeyOf}). A bank credit is matched to a batch by the batch reference (found in
 * the credit's remittance information, end-to-end id or reference), else by merchant account +
 * currency + net total + value date within ±N days, and only when exactly one batch fits.
 */
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import { describeMinor } from "./fee-check.js";
import { batchKeyOf, dateWindow, inWindow, settlementLineKey } from "./line-identity.js";
import {
  identityOf,
  type MatchablePayment,
  type PaymentIdentity,
  type PaymentUpdate,
  type StatusTransition,
  settledStatusFor,
} from "./payment-state.js";

export type { ArrivalMode } from "./match-decision.js";

/** What the acquirer pays out in one bank transfer. */
export interface PayoutBatch {
  batchKey: string;
  acquirer: string;
  batchReference: string | null;
  merchantId: string | null;
  /** The bank account the payout goes to (from the merchant's configuration); null when unknown. */
  account: string | null;
  currency: string;
  /** What the bank should credit: the declared payout when the file has one, else the computed sum. */
  netTotalMinor: number;
  /** The payout line's date when there is one, else the latest value date of the batch's lines. */
  valueDate: string;
  /** Sum of the payout lines' amounts; null when the file has no payout line for the batch. */
  declaredNetMinor: number | null;
  /** Signed sum of the batch's other lines' nets (credits +, debits −). */
  computedNetMinor: number;
  /** Lines other than payout lines. */
  lineCount: number;
  /** Key of the bank line that credited the batch, once matched. */
  creditedBy?: string;
}

export interface CollectBatchOptions {
  /** The merchant's payout account (configuration), by the batch's merchant id. */
  accountFor?: (merchantId: string | null) => string | null;
  /** The merchant id lines are filed under; must be the one the ladder used (`options.merchantId`). */
  merchantIdOf?: (line: SettlementLine) => string | null;
}

/**
 * Groups an acquirer file's lines into payout batches. Payout lines give the declared total
 * (their amounts, as paid to the merchant); the other lines' signed nets give the computed total,
 * so a file whose payout disagrees with its lines shows `declaredNetMinor !== computedNetMinor`.
 */
export function collectPayoutBatches(
  lines: Iterable<SettlementLine>,
  acquirer: string,
  options: CollectBatchOptions = {},
): PayoutBatch[] {
  const merchantIdOf = options.merchantIdOf ?? ((line: SettlementLine) => line.merchantId);
  const batches = new Map<string, PayoutBatch & { payoutDate: string | null }>();
  for (const line of lines) {
    const merchantId = merchantIdOf(line);
    const batchKey = batchKeyOf(line, acquirer, merchantId);
    let batch = batches.get(batchKey);
    if (!batch) {
      batch = {
        batchKey,
        acquirer,
        batchReference: line.batchReference,
        merchantId,
        account: options.accountFor?.(merchantId) ?? null,
        currency: line.currency,
        netTotalMinor: 0,
        valueDate: line.valueDate,
        declaredNetMinor: null,
        computedNetMinor: 0,
        lineCount: 0,
        payoutDate: null,
      };
      batches.set(batchKey, batch);
    }
    if (line.kind === "payout") {
      batch.declaredNetMinor = (batch.declaredNetMinor ?? 0) + line.netMinor;
      if (batch.payoutDate === null || line.valueDate > batch.payoutDate) batch.payoutDate = line.valueDate;
    } else {
      batch.computedNetMinor += line.direction === "credit" ? line.netMinor : -line.netMinor;
      batch.lineCount++;
      if (line.valueDate > batch.valueDate) batch.valueDate = line.valueDate;
    }
  }
  return [...batches.values()].map(({ payoutDate, ...batch }) => ({
    ...batch,
    netTotalMinor: batch.declaredNetMinor ?? batch.computedNetMinor,
    valueDate: payoutDate ?? batch.valueDate,
  }));
}

export interface BankCreditOptions {
  /** Batch value dates accepted around the credit's value date, ± this many days (default 2). */
  windowDays?: number;
  /** Allowed |batch total − credit| in minor units (default 0: a payout is paid to the unit). */
  toleranceMinor?: number;
  /** The credit line's key, when the caller has it; default the line's key under "bank:<account>". */
  creditKey?: string;
}

export type BankCreditReasonCode =
  | "credited"
  | "replay"
  | "credited-twice"
  | "currency"
  | "amount"
  | "ambiguous"
  | "no-batch"
  | "not-a-credit";

/** The conditional write on the batch item: mark it credited, once. */
export interface BatchUpdate {
  batchKey: string;
  /** creditedBy must be absent. */
  condition: { creditedBy: null };
  set: { creditedBy: string; creditedOn: string };
}

export interface BankCreditDecision {
  outcome: "matched" | "mismatched" | "unmatched";
  rung: "batch-reference" | "window" | null;
  reasonCode: BankCreditReasonCode;
  reason: string;
  creditKey: string;
  batch?: { batchKey: string; batchReference: string | null; merchantId: string | null };
  /** Ambiguous: the batch keys that fit, none chosen. */
  candidates?: readonly string[];
  figures?: { currency: string; batchNetMinor: number; creditMinor: number; differenceMinor: number };
  batchUpdate?: BatchUpdate;
}

/**
 * Decides which payout batch a bank statement line credits. `batches` are the candidate batches
 * the use case loaded (open ones for the account around the date, and any whose reference the
 * credit mentions); already credited ones may be included: the rule then reports a replay or a
 * second credit. The bank line's merchantId is its account (camt/MT940/BAI2 parsers put it there).
 */
export function matchBankCredit(
  credit: SettlementLine,
  batches: readonly PayoutBatch[],
  options: BankCreditOptions = {},
): BankCreditDecision {
  const creditKey = options.creditKey ?? settlementLineKey(credit, `bank:${credit.merchantId ?? "?"}`);
  const tolerance = options.toleranceMinor ?? 0;
  const windowDays = options.windowDays ?? 2;
  const money = (minor: number) => describeMinor(minor, credit.currency);
  if (credit.direction !== "credit") {
    return {
      outcome: "unmatched",
      rung: null,
      reasonCode: "not-a-credit",
      reason: `bank debit of ${money(credit.netMinor)}: not a payout`,
      creditKey,
    };
  }

  const byReference = batches.filter((b) => b.batchReference !== null && mentions(credit, b.batchReference));
  if (byReference.length > 0) {
    const own = byReference.find((b) => b.creditedBy === creditKey);
    if (own) return replay(own, "batch-reference", creditKey, credit);
    if (byReference.length > 1) return ambiguousBatches(byReference, "batch-reference", creditKey, credit);
    const [batch] = byReference as [PayoutBatch];
    return decideBatch({ batch, rung: "batch-reference", credit, creditKey, tolerance });
  }

  const range = dateWindow(credit.valueDate, windowDays, windowDays);
  const fitting =
    range === undefined || credit.merchantId === null
      ? []
      : batches.filter(
          (b) =>
            b.account !== null &&
            b.account === credit.merchantId &&
            b.currency === credit.currency &&
            Math.abs(b.netTotalMinor - credit.netMinor) <= tolerance &&
            inWindow(b.valueDate, range),
        );
  const own = fitting.find((b) => b.creditedBy === creditKey);
  if (own) return replay(own, "window", creditKey, credit);
  const open = fitting.filter((b) => b.creditedBy === undefined);
  if (open.length > 1) return ambiguousBatches(open, "window", creditKey, credit);
  if (open.length === 1 && open[0])
    return decideBatch({ batch: open[0], rung: "window", credit, creditKey, tolerance });
  return {
    outcome: "unmatched",
    rung: null,
    reasonCode: "no-batch",
    reason: `no payout batch for bank credit of ${money(credit.netMinor)} on ${credit.valueDate} to ${credit.merchantId ?? "an unknown account"} (by reference or ±${windowDays} days)`,
    creditKey,
  };
}

/** The credit names the batch: equal to one of its references, or the reference as a whole token in its text. */
function mentions(credit: SettlementLine, batchReference: string): boolean {
  const texts = [credit.batchReference, credit.merchantReference, credit.reference];
  if (texts.includes(batchReference)) return true;
  // Short ids ("1", "42") would match by accident inside remittance text: only longer ones are searched.
  if (batchReference.length < 6) return false;
  return texts.some((text) => text !== null && containsToken(text, batchReference));
}

function containsToken(text: string, token: string): boolean {
  const word = /[A-Za-z0-9]/;
  for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
    const before = text[at - 1];
    const after = text[at + token.length];
    if ((before === undefined || !word.test(before)) && (after === undefined || !word.test(after)))
      return true;
  }
  return false;
}

function summary(batch: PayoutBatch) {
  return { batchKey: batch.batchKey, batchReference: batch.batchReference, merchantId: batch.merchantId };
}

function replay(
  batch: PayoutBatch,
  rung: "batch-reference" | "window",
  creditKey: string,
  credit: SettlementLine,
): BankCreditDecision {
  return {
    outcome: "matched",
    rung,
    reasonCode: "replay",
    reason: `batch ${batch.batchKey} was already credited by this bank line (${describeMinor(credit.netMinor, credit.currency)} on ${credit.valueDate}); nothing to do`,
    creditKey,
    batch: summary(batch),
  };
}

function ambiguousBatches(
  candidates: readonly PayoutBatch[],
  rung: "batch-reference" | "window",
  creditKey: string,
  credit: SettlementLine,
): BankCreditDecision {
  const keys = candidates.map((b) => b.batchKey);
  return {
    outcome: "unmatched",
    rung,
    reasonCode: "ambiguous",
    reason: `ambiguous: ${keys.length} candidates by ${rung} (${keys.join(", ")}) for bank credit of ${describeMinor(credit.netMinor, credit.currency)} on ${credit.valueDate}; not guessed`,
    creditKey,
    candidates: keys,
  };
}

function decideBatch(found: {
  batch: PayoutBatch;
  rung: "batch-reference" | "window";
  credit: SettlementLine;
  creditKey: string;
  tolerance: number;
}): BankCreditDecision {
  const { batch, rung, credit, creditKey, tolerance } = found;
  const base = { rung, creditKey, batch: summary(batch) } as const;
  const figures = {
    currency: credit.currency,
    batchNetMinor: batch.netTotalMinor,
    creditMinor: credit.netMinor,
    differenceMinor: credit.netMinor - batch.netTotalMinor,
  };
  if (batch.creditedBy !== undefined) {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "credited-twice",
      reason: `batch ${batch.batchKey} was already credited by another bank line; this credit of ${describeMinor(credit.netMinor, credit.currency)} on ${credit.valueDate} is a second one`,
      figures,
    };
  }
  if (batch.currency !== credit.currency) {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "currency",
      reason: `bank credit in ${credit.currency} for batch ${batch.batchKey} in ${batch.currency}`,
    };
  }
  if (Math.abs(figures.differenceMinor) > tolerance) {
    return {
      ...base,
      outcome: "mismatched",
      reasonCode: "amount",
      reason: `bank credit ${describeMinor(credit.netMinor, credit.currency)}, batch ${batch.batchKey} total ${describeMinor(batch.netTotalMinor, batch.currency)}; difference ${describeMinor(figures.differenceMinor, credit.currency)}`,
      figures,
    };
  }
  return {
    ...base,
    outcome: "matched",
    reasonCode: "credited",
    reason: `batch ${batch.batchKey} (${describeMinor(batch.netTotalMinor, batch.currency)}) credited on ${credit.valueDate}, by ${rung}`,
    figures,
    batchUpdate: {
      batchKey: batch.batchKey,
      condition: { creditedBy: null },
      set: { creditedBy: creditKey, creditedOn: credit.valueDate },
    },
  };
}

/** Per payment tied to a credited batch: its transition and the write. */
export interface BatchPaymentSettlement {
  payment: PaymentIdentity;
  transition: StatusTransition;
  update: PaymentUpdate;
}

export interface BatchSettlement {
  batchKey: string;
  settled: BatchPaymentSettlement[];
  /** Payments given that are not settled by this credit, and why. */
  skipped: { payment: PaymentIdentity; reason: string }[];
  /** Sum of the settled payments' line nets, to compare with the batch total (lines may be missing). */
  settledNetMinor: number;
}

/**
 * Bank-credit mode: once a batch's credit is matched, every payment tied to the batch
 * (settlement.batchKey) and still awaited settles: PENDING → SETTLED, OVERDUE → SETTLED_LATE,
 * leaving the due index in the same write. Payments already closed (refunded, reversed, mismatched)
 * are skipped with their status. One conditional write per payment (bounded concurrency), each
 * guarded by status and batch, so a retry after a partial failure settles the rest and changes
 * nothing already done. In "acquirer-file" mode no payment carries a batchKey: nothing settles here.
 */
export function settleBatchPayments(
  batch: Pick<PayoutBatch, "batchKey">,
  payments: readonly MatchablePayment[],
): BatchSettlement {
  const result: BatchSettlement = { batchKey: batch.batchKey, settled: [], skipped: [], settledNetMinor: 0 };
  for (const payment of payments) {
    const id = identityOf(payment);
    if (payment.settlement?.batchKey !== batch.batchKey) {
      result.skipped.push({ payment: id, reason: `not tied to batch ${batch.batchKey}` });
      continue;
    }
    const to = settledStatusFor(payment.status);
    if (to === undefined) {
      result.skipped.push({ payment: id, reason: `already ${payment.status}` });
      continue;
    }
    result.settled.push({
      payment: id,
      transition: { from: payment.status, to },
      update: {
        payment: id,
        condition: { status: payment.status, batchKey: batch.batchKey },
        status: to,
        set: {},
        leaveDueIndex: payment.status === "OVERDUE",
      },
    });
    result.settledNetMinor += payment.settlement.figures?.lineNetMinor ?? 0;
  }
  return result;
}
