import pMap from "p-map";
import { dateWindow, settlementLineKey } from "../../domain/matching/line-identity.js";
import type { PaymentIdentity } from "../../domain/matching/payment-state.js";
import {
  type BankCreditDecision,
  matchBankCredit,
  type PayoutBatch,
  settleBatchPayments,
} from "../../domain/matching/payout-batches.js";
import type { Payment } from "../../domain/payment/payment.js";
import type { SettlementLine } from "../../domain/settlement-files/settlement-record.js";
import type { HeldCredit, SettlementStore } from "../settlement-ports.js";
import {
  DEFAULT_CONCURRENCY,
  type Decided,
  type IngestSettlementFileDeps,
  MAX_ATTEMPTS,
  type RunContext,
} from "./ingest-run.js";

/** Batch value dates a bank credit's window rung accepts around the credit's value date, ± days. */
const CREDIT_WINDOW_DAYS = 2;
/** A held credit (it came before the acquirer's file) is retried against batches dated within ± this. */
const HELD_CREDIT_DAYS = 7;
/** Reference candidates searched per bank credit, at most. */
const MAX_REFERENCE_CANDIDATES = 24;

/** Leg 2: one bank credit → its payout batch → the batch's payments; kept with its reason unless matched. */
export async function decideBankCredit(line: SettlementLine, context: RunContext): Promise<Decided> {
  const { input, deps } = context;
  const creditKey = settlementLineKey(line, `bank:${line.merchantId ?? "?"}`);
  const credited = await creditBatch(line, creditKey, deps);
  const { decision } = credited;
  if (decision.outcome !== "matched") {
    await deps.store.keepLine(input.fileId, {
      source: line.source,
      outcome: decision.outcome,
      reasonCode: decision.reasonCode,
      reason: decision.reason,
      line,
    });
    // Its batch may not be known yet (the acquirer's file comes later): retried when it is.
    if (decision.reasonCode === "no-batch") {
      await deps.store.holdCredit({ creditKey, fileId: input.fileId, line });
    }
  }
  return { kind: "decision", decision, line, settledLate: credited.settledLate };
}

/**
 * Matches a bank credit against the stored batches, marks the batch credited (once: a replay of
 * the same credit passes, another credit is a "credited-twice" mismatch) and settles its payments.
 * A replay settles them again, which finishes what a run that died half way left undone.
 */
async function creditBatch(
  line: SettlementLine,
  creditKey: string,
  deps: IngestSettlementFileDeps,
): Promise<{ decision: BankCreditDecision; settledLate: Payment[] }> {
  for (let attempt = 1; ; attempt += 1) {
    const candidates = await candidateBatches(line, deps.store);
    const decision = matchBankCredit(line, candidates, { creditKey, windowDays: CREDIT_WINDOW_DAYS });
    if (decision.batchUpdate && !(await deps.store.markBatchCredited(decision.batchUpdate))) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`bank line ${line.source}: batch kept moving`);
      continue; // another credit took the batch meanwhile: decide again (a second credit is a mismatch)
    }
    if (decision.outcome !== "matched" || !decision.batch) return { decision, settledLate: [] };
    const settled = await settleBatch(decision.batch.batchKey, deps);
    const reason = `${decision.reason}; ${settled.count} payment(s) settled by this credit${settled.late.length > 0 ? `, ${settled.late.length} of them late` : ""}`;
    return { decision: { ...decision, reason }, settledLate: settled.late };
  }
}

/** Batches the credit may confirm: those whose reference it mentions, and those of its account and amount near its date. */
async function candidateBatches(line: SettlementLine, store: SettlementStore): Promise<PayoutBatch[]> {
  const found = new Map<string, PayoutBatch>();
  for (const batch of await store.batchesByReference(referenceCandidates(line)))
    found.set(batch.batchKey, batch);
  const range = dateWindow(line.valueDate, CREDIT_WINDOW_DAYS, CREDIT_WINDOW_DAYS);
  if (line.merchantId !== null && range) {
    const byAmount = await store.batchesByAmount({
      account: line.merchantId,
      currency: line.currency,
      netMinor: line.netMinor,
      ...range,
    });
    for (const batch of byAmount) found.set(batch.batchKey, batch);
  }
  return [...found.values()];
}

/**
 * Strings of the credit that may be a batch reference: each reference field whole, and the words
 * of its remittance text (split on spaces and separators, trailing punctuation dropped, 6+
 * characters). matchBankCredit then decides exactly which batch the credit mentions.
 */
export function referenceCandidates(
  line: Pick<SettlementLine, "batchReference" | "merchantReference" | "reference">,
): string[] {
  const found = new Set<string>();
  for (const text of [line.batchReference, line.merchantReference, line.reference]) {
    if (text === null || text.trim() === "") continue;
    found.add(text.trim());
    for (const word of text.split(/[\s,;:/()"'<>|]+/)) {
      const trimmed = word.replace(/^[.\-_#]+|[.\-_#]+$/g, "");
      if (trimmed.length >= 6) found.add(trimmed);
    }
  }
  return [...found].slice(0, MAX_REFERENCE_CANDIDATES);
}

/** Settles every payment listed under a credited batch, page by page, with bounded concurrency. */
async function settleBatch(
  batchKey: string,
  deps: IngestSettlementFileDeps,
): Promise<{ count: number; late: Payment[] }> {
  const late: Payment[] = [];
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.batchMembers(batchKey, cursor);
    const settled = await pMap(page.members, (member) => settleMember(batchKey, member, deps), {
      concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY,
    });
    for (const result of settled) {
      if (!result) continue;
      count += 1;
      if (result.late) late.push(result.late);
    }
    cursor = page.cursor;
  } while (cursor);
  return { count, late };
}

/** One payment of a credited batch: PENDING → SETTLED, OVERDUE → SETTLED_LATE, conditionally; undefined when nothing moved. */
export async function settleMember(
  batchKey: string,
  member: PaymentIdentity,
  deps: IngestSettlementFileDeps,
): Promise<{ late?: Payment | undefined } | undefined> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const payment = await deps.store.getPayment(member.acquirer, member.paymentId);
    if (!payment) return undefined;
    const [settle] = settleBatchPayments({ batchKey }, [payment]).settled;
    if (!settle) return undefined; // already settled (a replay), closed, or tied to another batch
    if (!(await deps.store.applyUpdate(settle.update))) continue; // it moved: read again
    if (settle.transition.to !== "SETTLED_LATE") return {};
    return { late: await deps.store.getPayment(member.acquirer, member.paymentId) };
  }
  throw new Error(
    `payment ${member.acquirer}/${member.paymentId} kept moving while batch ${batchKey} settled`,
  );
}

/**
 * Writes an acquirer file's payout batches (with the merchant's payout account, for the window
 * rung) and retries the bank credits held because they came before this file. Returns the
 * payments those credits settled late.
 */
export async function storeBatches(batches: readonly PayoutBatch[], context: RunContext): Promise<Payment[]> {
  const { deps } = context;
  const late: Payment[] = [];
  for (const batch of batches) {
    const profile = batch.merchantId === null ? undefined : await context.profileOf(batch.merchantId);
    const account = profile?.settlement.payoutAccount ?? null;
    await deps.store.putBatch({ ...batch, account });
    const range = dateWindow(batch.valueDate, HELD_CREDIT_DAYS, HELD_CREDIT_DAYS);
    if (!range) continue;
    for (const held of await deps.store.heldCredits(batch.currency, range.from, range.to)) {
      late.push(...(await retryHeldCredit(held, deps)));
    }
  }
  return late;
}

async function retryHeldCredit(held: HeldCredit, deps: IngestSettlementFileDeps): Promise<Payment[]> {
  const { decision, settledLate } = await creditBatch(held.line, held.creditKey, deps);
  // Matched now (or already, by an earlier retry): no longer held. Its bank file's report keeps
  // the "no-batch" it had when read; the batch item records which credit paid it.
  if (decision.outcome === "matched") await deps.store.releaseCredit(held);
  return settledLate;
}
