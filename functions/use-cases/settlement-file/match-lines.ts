import pMap from "p-map";
import { settlementLineKey } from "../../domain/matching/line-identity.js";
import type { MatchDecision } from "../../domain/matching/match-decision.js";
import { matchSettlementLine } from "../../domain/matching/match-ladder.js";
import type { PaymentLookup } from "../../domain/matching/payment-lookup.js";
import type { MatchablePayment } from "../../domain/matching/payment-state.js";
import { type PresumedSettlement, presumeSettlement } from "../../domain/matching/presumed-settlement.js";
import type { Payment } from "../../domain/payment/payment.js";
import type { RejectedRecord, SettlementLine } from "../../domain/settlement-files/settlement-record.js";
import type { KeptLine } from "../settlement-ports.js";
import { decideBankCredit, settleMember } from "./bank-credits.js";
import {
  DEFAULT_CONCURRENCY,
  type Decided,
  type IngestRun,
  type IngestSettlementFileDeps,
  isBankRun,
  MAX_ATTEMPTS,
  type RunContext,
} from "./ingest-run.js";
import { mergeCounts, mergeReasons } from "./progress-record.js";

/**
 * Trade dates the window rung looks at, before a line's value date: T+1 over China's Golden Week
 * settles 8-9 calendar days after the trade, so a week is not enough.
 */
const DEFAULT_MATCH_WINDOW = { daysBefore: 14, daysAfter: 1 } as const;

/** Decides and writes the window's records, then checkpoints the run's progress. */
export async function decideWindowOf(run: IngestRun): Promise<void> {
  if (run.window.length === 0) return;
  const { deps, input, report } = run;
  const decided = await decideWindow(run.window, run.context, isBankRun(run));
  for (const entry of decided) {
    if (entry.kind === "rejected") {
      report.addRejected(entry.record);
      await deps.store.keepLine(input.fileId, {
        source: entry.record.source,
        outcome: "rejected",
        reasonCode: "unreadable",
        reason: entry.record.reason,
      });
      continue;
    }
    report.addLine(entry.line);
    report.addDecision(entry.decision);
    run.settledLate.push(...entry.settledLate);
  }
  run.ordinal += run.window.length;
  run.window = [];
  run.counts = mergeCounts(run.start.counts, report.summary(50)).counts;
  run.reasons = mergeReasons(run.start.topReasons, report.topReasons(50));
  await deps.store.saveProgress(run.recordId, {
    checkpoint: run.ordinal,
    counts: run.counts,
    topReasons: run.reasons.slice(0, 10),
    updatedAt: deps.clock.now().toISOString(),
  });
}

async function decideWindow(
  records: ReadonlyArray<SettlementLine | RejectedRecord>,
  context: RunContext,
  bank: boolean,
): Promise<Decided[]> {
  const { input, deps } = context;
  const concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
  // Lines that simply settle their reference's payment are written without a read first.
  const presumed = await pMap(
    records,
    (record) => (record.type === "line" && !bank ? presumeFor(record, context) : Promise.resolve(undefined)),
    { concurrency },
  );
  const references = records.flatMap((record, index) =>
    record.type === "line" && record.reference && !bank && !presumed[index]
      ? [{ acquirer: input.acquirer, reference: record.reference }]
      : [],
  );
  const lookup = await deps.store.lookupFor(references);
  return await pMap(
    records,
    async (record, index): Promise<Decided> => {
      if (record.type === "rejected") return { kind: "rejected", record };
      if (bank && record.kind === "payout" && record.direction === "credit") {
        return await decideBankCredit(record, context);
      }
      return await decideLine(record, context, { lookup, presumed: presumed[index] });
    },
    { concurrency },
  );
}

function presumeFor(line: SettlementLine, context: RunContext): Promise<PresumedSettlement | undefined> {
  const { input, termsOf } = context;
  return presumeSettlement(line, input.acquirer, {
    terms: termsOf,
    lineKey: settlementLineKey(line, input.acquirer),
  });
}

async function decideLine(
  line: SettlementLine,
  context: RunContext,
  found: { lookup: PaymentLookup; presumed: PresumedSettlement | undefined },
): Promise<Decided> {
  const { input, deps, termsOf } = context;
  const lineKey = settlementLineKey(line, input.acquirer);
  let lookup = found.lookup;
  if (found.presumed) {
    const { decision } = found.presumed;
    const outcome = await deps.store.applyPresumed(decision.update);
    if (outcome.applied) return { kind: "decision", decision, line, settledLate: [] };
    // Not the payment presumed (replayed, overdue, another amount, not confirmed yet): the item
    // returned with the failure decides, exactly as if it had been read first.
    lookup = knowing(lookup, outcome.current, { acquirer: input.acquirer, reference: line.reference });
  }
  for (let attempt = 1; ; attempt += 1) {
    const decision = await matchSettlementLine(line, input.acquirer, lookup, {
      terms: termsOf,
      lineKey,
      window: deps.matchWindow ?? DEFAULT_MATCH_WINDOW,
      isBatchCredited: async (batchKey) => (await deps.store.getBatch(batchKey))?.creditedBy !== undefined,
    });
    const settledLate: Payment[] = [];
    if (decision.update) {
      const applied = await deps.store.applyUpdate(decision.update);
      if (!applied) {
        if (attempt >= MAX_ATTEMPTS)
          throw new Error(`line ${line.source}: payment kept moving while it was settled`);
        // The payment moved since the batched read: decide again on a fresh read.
        lookup = await deps.store.lookupFor([]);
        continue;
      }
      if (decision.transition?.to === "SETTLED_LATE" && decision.payment) {
        const late = await deps.store.getPayment(decision.payment.acquirer, decision.payment.paymentId);
        if (late) settledLate.push(late);
      }
    }
    const late = await joinBatch(line, decision, deps);
    if (late) settledLate.push(late);
    await keep({ line, decision, lineKey }, context);
    return { kind: "decision", decision, line, settledLate };
  }
}

/** A lookup that answers one reference with the item already in hand (none: not there). */
function knowing(
  lookup: PaymentLookup,
  current: MatchablePayment | undefined,
  ref: { acquirer: string; reference: string | null },
): PaymentLookup {
  return {
    ...lookup,
    byReference: async (acquirer, reference) =>
      acquirer === ref.acquirer && reference === ref.reference
        ? current
        : await lookup.byReference(acquirer, reference),
  };
}

/**
 * Bank-credit mode: a payment tied to its batch is listed under the batch so the bank credit finds
 * it. The membership is written after the tie and the batch is read after the membership; the
 * credit marks the batch before listing its members - so whichever comes second sees the other,
 * and a credit that raced this line still settles the payment (here, conditionally).
 */
async function joinBatch(
  line: SettlementLine,
  decision: MatchDecision,
  deps: IngestSettlementFileDeps,
): Promise<Payment | undefined> {
  const tied = decision.reasonCode === "awaiting-bank-credit" || decision.reasonCode === "replay";
  if (line.kind !== "payment" || decision.outcome !== "matched" || !tied) return undefined;
  if (!decision.batchKey || !decision.payment) return undefined;
  await deps.store.addBatchMember(decision.batchKey, decision.payment);
  const batch = await deps.store.getBatch(decision.batchKey);
  if (batch?.creditedBy === undefined) return undefined;
  const settled = await settleMember(batch.batchKey, decision.payment, deps);
  return settled?.late;
}

/** Every line that did not simply match is kept with its reason; early lines also wait on the payment's key. */
async function keep(
  decided: { line: SettlementLine; decision: MatchDecision; lineKey: string },
  context: RunContext,
): Promise<void> {
  const { line, decision, lineKey } = decided;
  const { input, deps } = context;
  if (decision.outcome === "matched") return;
  const kept: KeptLine = {
    source: line.source,
    outcome: decision.outcome,
    reasonCode: decision.reasonCode,
    reason: decision.reason,
    line,
    ...(decision.payment
      ? { payment: { acquirer: decision.payment.acquirer, paymentId: decision.payment.paymentId } }
      : {}),
  };
  await deps.store.keepLine(input.fileId, kept);
  const waits =
    decision.reasonCode === "awaiting-confirmation" || decision.reasonCode === "awaiting-original";
  if (waits && line.reference) {
    await deps.store.holdForConfirmation({ line, acquirer: input.acquirer, lineKey }, line.reference);
  }
}
