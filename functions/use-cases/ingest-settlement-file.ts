import pMap from "p-map";
import { type ReasonCount, SettlementFileReport } from "../domain/matching/file-report.js";
import { settlementLineKey } from "../domain/matching/line-identity.js";
import type { MatchDecision, MerchantMatchTerms } from "../domain/matching/match-decision.js";
import { matchSettlementLine } from "../domain/matching/match-ladder.js";
import type { PaymentLookup } from "../domain/matching/payment-lookup.js";
import type { MerchantProfile } from "../domain/merchant/merchant-profile.js";
import type { Payment } from "../domain/payment/payment.js";
import type { AcquirerCsvMapping } from "../domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { readSettlementFile } from "../domain/settlement-files/decoding/read-settlement-file.js";
import type {
  ParseSummary,
  RejectedRecord,
  SettlementFormat,
  SettlementLine,
} from "../domain/settlement-files/settlement-record.js";
import type { BusinessMetrics, Clock, FileDayLedger, MerchantRepository } from "./ports.js";
import type { FileCounts, KeptLine, SettlementStore, StoredFile } from "./settlement-ports.js";

/** Bank statements are leg 2 (payout → bank account); everything else is an acquirer's file (leg 1). */
const BANK_FORMATS: ReadonlySet<string> = new Set(["camt053", "camt054", "mt940", "mt942", "bai2"]);
/** Lines decided together: one batched read of their payments, then bounded parallel writes. */
const DEFAULT_WINDOW = 200;
const DEFAULT_CONCURRENCY = 16;
/**
 * Trade dates the window rung looks at, before a line's value date: T+1 over China's Golden Week
 * settles 8-9 calendar days after the trade, so a week is not enough.
 */
const DEFAULT_MATCH_WINDOW = { daysBefore: 14, daysAfter: 1 } as const;
/** A decision whose condition failed is re-read and re-decided; a payment moving this often is a bug. */
const MAX_ATTEMPTS = 4;

export interface IngestSettlementFileInput {
  /** sha256 (hex) of the file's bytes. */
  fileId: string;
  acquirer: string;
  fileName?: string | undefined;
  format?: SettlementFormat | "auto" | undefined;
  /** The day the file settles (a bill's date); default: the latest value date of its lines. */
  fileDay?: string | undefined;
  /** Opens the bytes (again): a resumed run reads the file from the start and skips what is done. */
  open(): AsyncIterable<Uint8Array>;
}

export interface IngestSettlementFileDeps {
  store: SettlementStore;
  merchants: MerchantRepository;
  fileDays: FileDayLedger;
  clock: Clock;
  metrics: BusinessMetrics;
  acquirerCsv?: readonly AcquirerCsvMapping[] | undefined;
  /** Told which payments a file settled late, to send each merchant one "arrived" notice. */
  onSettledLate?: ((payments: Payment[], clock: Clock) => Promise<unknown>) | undefined;
  windowSize?: number | undefined;
  concurrency?: number | undefined;
  /** Days of trade dates the amount-window rung considers around a line's value date. */
  matchWindow?: { daysBefore: number; daysAfter: number } | undefined;
  /** Stop (as if the run died) after this many records; tests use it to prove resume. */
  stopAfterRecords?: number | undefined;
  /** Epoch ms: stop at a window boundary after this; the next delivery resumes from the checkpoint. */
  deadline?: number | undefined;
}

export interface SettlementFileResult {
  file: StoredFile;
  /** True when this delivery found the file already done: nothing changed. */
  duplicate: boolean;
  /** True when this run picked up a run that had stopped half way. */
  resumed: boolean;
}

/** The run stopped before the end of the file (a deadline, or a test's simulated crash). */
export class IngestInterruptedError extends Error {
  override name = "IngestInterruptedError";
}

type Decided =
  | { kind: "decision"; decision: MatchDecision; line: SettlementLine; settledLate?: Payment | undefined }
  | { kind: "rejected"; record: RejectedRecord };

/**
 * Reads a settlement file as a stream, matches every line and accounts for every record: each ends
 * as exactly one of matched, mismatched, unmatched (kept) or rejected (kept). Idempotent per file
 * (its sha256): a re-delivery of a finished file changes nothing, and a run that died half way
 * resumes after its last checkpoint without counting any line twice (the payment writes are
 * conditional, so re-deciding a line after the checkpoint is a replay).
 */
export async function ingestSettlementFile(
  input: IngestSettlementFileInput,
  deps: IngestSettlementFileDeps,
): Promise<SettlementFileResult> {
  const now = deps.clock.now().toISOString();
  const fresh: StoredFile = {
    fileId: input.fileId,
    acquirer: input.acquirer,
    fileName: input.fileName ?? null,
    status: "PROCESSING",
    receivedAt: now,
    updatedAt: now,
    checkpoint: 0,
    counts: { read: 0, matched: 0, settledLate: 0, mismatched: 0, unmatched: 0, rejected: 0 },
    topReasons: [],
  };
  const begun = await deps.store.beginFile(fresh);
  if (!begun.created && begun.existing?.status === "DONE") {
    return { file: begun.existing, duplicate: true, resumed: false };
  }
  const start = begun.existing ?? fresh;
  const resumed = !begun.created && start.checkpoint > 0;

  const windowSize = deps.windowSize ?? DEFAULT_WINDOW;
  const report = new SettlementFileReport();
  const profiles = new Map<string, Promise<MerchantProfile | undefined>>();
  const termsOf = async (merchantId: string): Promise<MerchantMatchTerms> => {
    let profile = profiles.get(merchantId);
    if (!profile) {
      profile = deps.merchants.get(merchantId);
      profiles.set(merchantId, profile);
    }
    const found = await profile;
    // Without a profile the fee rate is unknown: the fee check is skipped (and says so), not run against 0.
    return { feeRate: found?.settlement.feeRate ?? null, arrivalMode: "acquirer-file" };
  };

  let ordinal = 0;
  let latestValueDate: string | undefined;
  let summary: ParseSummary | undefined;
  let window: Array<SettlementLine | RejectedRecord> = [];
  const settledLate: Payment[] = [];
  let counts = start.counts;
  let reasons = start.topReasons;

  const flush = async () => {
    if (window.length === 0) return;
    const decided = await decideWindow(window, input, deps, termsOf);
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
      if (entry.settledLate) settledLate.push(entry.settledLate);
    }
    ordinal += window.length;
    window = [];
    const merged = mergeCounts(start.counts, report.summary(50));
    counts = merged.counts;
    reasons = mergeReasons(start.topReasons, report.topReasons(50));
    await deps.store.saveProgress(input.fileId, {
      checkpoint: ordinal,
      counts,
      topReasons: reasons.slice(0, 10),
      updatedAt: deps.clock.now().toISOString(),
    });
  };

  try {
    for await (const record of readSettlementFile(input.open(), {
      ...(input.format ? { format: input.format } : {}),
      ...(input.fileName ? { fileName: input.fileName } : {}),
      ...(deps.acquirerCsv ? { acquirerCsv: deps.acquirerCsv } : {}),
    })) {
      if (record.type === "summary") {
        summary = record;
        break;
      }
      if (record.type === "line" && (!latestValueDate || record.valueDate > latestValueDate)) {
        latestValueDate = record.valueDate;
      }
      // Records up to the checkpoint were decided and counted by an earlier run.
      if (ordinal + window.length < start.checkpoint) {
        ordinal += 1;
        continue;
      }
      window.push(record);
      if (deps.stopAfterRecords !== undefined && ordinal + window.length > deps.stopAfterRecords) {
        window.pop();
        await flush();
        throw new IngestInterruptedError(`stopped after ${ordinal} records`);
      }
      if (window.length >= windowSize) {
        await flush();
        if (deps.deadline !== undefined && Date.now() > deps.deadline) {
          throw new IngestInterruptedError(`out of time after ${ordinal} records; the next delivery resumes`);
        }
      }
    }
    await flush();
  } catch (error) {
    if (!(error instanceof IngestInterruptedError)) {
      await deps.store.saveProgress(input.fileId, {
        status: "FAILED",
        error: (error as Error).message,
        updatedAt: deps.clock.now().toISOString(),
      });
    }
    throw error;
  }
  if (!summary) throw new Error("the settlement reader ended without a summary");

  const linesCounted = counts.read - counts.rejected;
  if (linesCounted !== summary.lines || counts.rejected !== summary.rejected) {
    throw new Error(
      `file ${input.fileId}: report counts ${linesCounted} lines / ${counts.rejected} rejected, the reader ${summary.lines} / ${summary.rejected}`,
    );
  }
  const fileDay = input.fileDay ?? latestValueDate;
  const done: Partial<StoredFile> = {
    status: "DONE",
    format: summary.format,
    control: summary.control,
    controlDetail: summary.controlDetail,
    totals: summary.totals,
    fileDay,
    checkpoint: ordinal,
    counts,
    topReasons: reasons.slice(0, 10),
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.saveProgress(input.fileId, done);
  if (fileDay && !BANK_FORMATS.has(summary.format))
    await deps.fileDays.recordFileDay(input.acquirer, fileDay);
  for (const [outcome, metric] of [
    ["matched", "SettlementLinesMatched"],
    ["mismatched", "SettlementLinesMismatched"],
    ["unmatched", "SettlementLinesUnmatched"],
    ["rejected", "SettlementLinesRejected"],
  ] as const) {
    deps.metrics.count(metric, counts[outcome] - start.counts[outcome], input.acquirer);
  }
  if (summary.control === "mismatch") deps.metrics.count("SettlementFileControlMismatch", 1, input.acquirer);
  if (settledLate.length > 0) await deps.onSettledLate?.(settledLate, deps.clock);
  return { file: { ...start, ...done } as StoredFile, duplicate: false, resumed };
}

async function decideWindow(
  records: ReadonlyArray<SettlementLine | RejectedRecord>,
  input: IngestSettlementFileInput,
  deps: IngestSettlementFileDeps,
  termsOf: (merchantId: string) => Promise<MerchantMatchTerms>,
): Promise<Decided[]> {
  const references = records.flatMap((record) =>
    record.type === "line" && record.reference
      ? [{ acquirer: input.acquirer, reference: record.reference }]
      : [],
  );
  const lookup = await deps.store.lookupFor(references);
  return await pMap(
    records,
    async (record): Promise<Decided> => {
      if (record.type === "rejected") return { kind: "rejected", record };
      return await decideLine(record, input, deps, lookup, termsOf);
    },
    { concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY },
  );
}

async function decideLine(
  line: SettlementLine,
  input: IngestSettlementFileInput,
  deps: IngestSettlementFileDeps,
  batchedLookup: PaymentLookup,
  termsOf: (merchantId: string) => Promise<MerchantMatchTerms>,
): Promise<Decided> {
  const lineKey = settlementLineKey(line, input.acquirer);
  let lookup = batchedLookup;
  for (let attempt = 1; ; attempt += 1) {
    const decision = await matchSettlementLine(line, input.acquirer, lookup, {
      terms: termsOf,
      lineKey,
      window: deps.matchWindow ?? DEFAULT_MATCH_WINDOW,
    });
    let settledLate: Payment | undefined;
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
        settledLate = await deps.store.getPayment(decision.payment.acquirer, decision.payment.paymentId);
      }
    }
    await keep(line, decision, lineKey, input, deps);
    return { kind: "decision", decision, line, settledLate };
  }
}

/** Every line that did not simply match is kept with its reason; early lines also wait on the payment's key. */
async function keep(
  line: SettlementLine,
  decision: MatchDecision,
  lineKey: string,
  input: IngestSettlementFileInput,
  deps: IngestSettlementFileDeps,
): Promise<void> {
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

function mergeCounts(
  before: FileCounts,
  now: {
    read: number;
    matched: number;
    settledLate: number;
    mismatched: number;
    unmatched: number;
    rejected: number;
  },
): { counts: FileCounts } {
  return {
    counts: {
      read: before.read + now.read,
      matched: before.matched + now.matched,
      settledLate: before.settledLate + now.settledLate,
      mismatched: before.mismatched + now.mismatched,
      unmatched: before.unmatched + now.unmatched,
      rejected: before.rejected + now.rejected,
    },
  };
}

function mergeReasons(before: readonly ReasonCount[], now: readonly ReasonCount[]): ReasonCount[] {
  const merged = new Map<string, ReasonCount>();
  for (const reason of [...before, ...now]) {
    const key = `${reason.outcome}\u0000${reason.reasonCode}`;
    const entry = merged.get(key);
    if (entry) entry.count += reason.count;
    else merged.set(key, { ...reason });
  }
  return [...merged.values()].sort((a, b) => b.count - a.count || a.reasonCode.localeCompare(b.reasonCode));
}
