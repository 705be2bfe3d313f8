import pMap from "p-map";
import {
  type ReasonCount,
  type ReportableDecision,
  SettlementFileReport,
} from "../domain/matching/file-report.js";
import { dateWindow, settlementLineKey } from "../domain/matching/line-identity.js";
import type { MatchDecision, MerchantMatchTerms } from "../domain/matching/match-decision.js";
import { matchSettlementLine } from "../domain/matching/match-ladder.js";
import type { PaymentLookup } from "../domain/matching/payment-lookup.js";
import type { PaymentIdentity } from "../domain/matching/payment-state.js";
import {
  type BankCreditDecision,
  collectPayoutBatches,
  matchBankCredit,
  type PayoutBatch,
  settleBatchPayments,
} from "../domain/matching/payout-batches.js";
import type { MerchantProfile } from "../domain/merchant/merchant-profile.js";
import type { Payment } from "../domain/payment/payment.js";
import type { AcquirerCsvMapping } from "../domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { readSettlementFile } from "../domain/settlement-files/decoding/read-settlement-file.js";
import {
  planRecordRanges,
  type RecordRange,
  type RecordRangePlan,
  readRecordRange,
} from "../domain/settlement-files/decoding/record-ranges.js";
import type { SettlementFormatParser } from "../domain/settlement-files/format-parser.js";
import { settlementFormatParsers } from "../domain/settlement-files/format-registry.js";
import type {
  CurrencyTotals,
  ParsedRecord,
  ParseSummary,
  RejectedRecord,
  SettlementFormat,
  SettlementLine,
} from "../domain/settlement-files/settlement-record.js";
import { checkDate, type InputLimits, settlementLineProblem } from "../domain/validation/input-limits.js";

import { ValidationError } from "./errors.js";
import type { BusinessMetrics, Clock, FileDayLedger, MerchantRepository, RunBudget } from "./ports.js";
import type { FileCounts, HeldCredit, KeptLine, SettlementStore, StoredFile } from "./settlement-ports.js";

/** Chunk records are kept this long after the merge (for a look at how the file was split), then the table's TTL deletes them. */
const CHUNK_RECORD_DAYS = 7;
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
/** Batch value dates a bank credit's window rung accepts around the credit's value date, ± days. */
const CREDIT_WINDOW_DAYS = 2;
/** A held credit (it came before the acquirer's file) is retried against batches dated within ± this. */
const HELD_CREDIT_DAYS = 7;
/** Reference candidates searched per bank credit, at most. */
const MAX_REFERENCE_CANDIDATES = 24;

export interface IngestSettlementFileInput {
  /** sha256 (hex) of the file's bytes. */
  fileId: string;
  acquirer: string;
  fileName?: string | undefined;
  format?: SettlementFormat | "auto" | undefined;
  /** The day the file settles (a bill's date); default: the latest value date of its lines. */
  fileDay?: string | undefined;
  /** The text encoding, when known (a chunk worker is told the plan's); default: detected from the bytes. */
  encoding?: string | undefined;
  /** Opens the bytes (again): a resumed run reads the file from the start and skips what is done. */
  open(): AsyncIterable<Uint8Array>;
  /** Opens bytes [start, end) of the same file (a ranged read): what a chunk worker reads. */
  openRange?: ((start: number, end: number) => AsyncIterable<Uint8Array>) | undefined;
  /**
   * A chunk worker of the distributed path: read only the file's prefix and the records of this range
   * (see record-ranges.ts), account for them in the chunk's own record ({@link chunkRecordId}) and
   * leave the file record to {@link mergeSettlementFileChunks}.
   */
  range?: ChunkRange | undefined;
}

/** One chunk worker's share, from the plan: where its records are and the lines before them. */
export type ChunkRange = RecordRange;

export type SettlementFilePlan = RecordRangePlan;

/**
 * The distributed path's first step: whether the file can be read in chunks and, if so, the ranges
 * of about `chunkBytes` each chunk worker reads - each starting on a record, outside any quoted
 * field, with its line offset. Reads the file once from the start, and only as far as the last
 * range start (a plan of one range reads the head only).
 */
export async function planSettlementFile(
  input: Pick<IngestSettlementFileInput, "open" | "format" | "fileName">,
  deps: Pick<IngestSettlementFileDeps, "acquirerCsv">,
  sizing: { size: number; chunkBytes: number },
): Promise<SettlementFilePlan> {
  return await planRecordRanges(input.open(), {
    format: input.format,
    fileName: input.fileName,
    acquirerCsv: deps.acquirerCsv,
    ...sizing,
  });
}

/** The record a chunk worker checkpoints in: `FILE#<fileId>#CHUNK#<index>` (its own partition). */
export function chunkRecordId(fileId: string, index: number): string {
  return `${fileId}#CHUNK#${String(index).padStart(5, "0")}`;
}

/** What a finished chunk leaves for the merge besides its counts: batches, totals, latest value date. */
export interface ChunkResult {
  totals: CurrencyTotals;
  latestValueDate: string | null;
  batches: BatchPart[];
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
  /** Amount bounds and plausible dates for the lines; absent = the defaults. */
  inputLimits?: InputLimits | undefined;
  /** Stop (as if the run died) after this many records; tests use it to prove resume. */
  stopAfterRecords?: number | undefined;
  /** Time left in this run: past it, stop at a window boundary; the next delivery resumes from the checkpoint. */
  budget?: RunBudget | undefined;
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
  | {
      kind: "decision";
      decision: ReportableDecision;
      line: SettlementLine;
      /** Payments this line moved OVERDUE → SETTLED_LATE (several for a bank credit). */
      settledLate: Payment[];
    }
  | { kind: "rejected"; record: RejectedRecord };

/** What one run needs beyond the deps: the merchant terms (cached) and the file being read. */
interface RunContext {
  input: IngestSettlementFileInput;
  deps: IngestSettlementFileDeps;
  termsOf: (merchantId: string) => Promise<MerchantMatchTerms>;
  profileOf: (merchantId: string) => Promise<MerchantProfile | undefined>;
}

/** One run over a file or a chunk: what it has read, decided and counted so far. */
interface IngestRun {
  input: IngestSettlementFileInput;
  deps: IngestSettlementFileDeps;
  context: RunContext;
  /** The progress record as this run found it (counts and checkpoint of earlier runs). */
  start: StoredFile;
  /** Where this run checkpoints: the file's record, or its chunk's. */
  recordId: string;
  report: SettlementFileReport;
  /** Leg 2: an acquirer file's payout batches, totalled over every line (also those before a resume checkpoint). */
  batches: BatchAggregate;
  /** Set by the reader when it picks a parser, before the first record. */
  format: SettlementFormat | undefined;
  /** Judged against when the file was first received, so a resumed run judges every line the same. */
  limitsAt: Date;
  ordinal: number;
  window: Array<SettlementLine | RejectedRecord>;
  counts: FileCounts;
  reasons: ReasonCount[];
  settledLate: Payment[];
  latestValueDate: string | undefined;
  limitRejected: number;
}

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
  if (input.fileDay !== undefined) {
    const day = checkDate(input.fileDay, { now: deps.clock.now(), limits: deps.inputLimits });
    if (!day.ok) throw new ValidationError([{ field: "fileDay", message: day.message }]);
  }
  if (input.range) {
    // Merged already: its chunk record may be gone (the table's TTL), and must not be made again.
    const file = await deps.store.getFile(input.fileId);
    if (file?.status === "DONE") return { file, duplicate: true, resumed: false };
  }
  const recordId = input.range ? chunkRecordId(input.fileId, input.range.index) : input.fileId;
  const begun = await beginRecord(recordId, input, deps);
  if (begun.done) return begun.done;
  const resumed = !begun.created && begun.record.checkpoint > 0;
  const run = newRun({ input, deps, start: begun.record, recordId });
  const summary = await readAndDecide(run);
  checkReportAgainstReader(run, summary);
  const file = input.range ? await finishChunk(run, summary) : await finishFile(run, summary);
  if (run.settledLate.length > 0) await deps.onSettledLate?.(run.settledLate, deps.clock);
  return { file, duplicate: false, resumed };
}

function newRun(options: Pick<IngestRun, "input" | "deps" | "start" | "recordId">): IngestRun {
  const { input, deps, start } = options;
  return {
    ...options,
    context: runContext(input, deps),
    report: new SettlementFileReport(),
    batches: new BatchAggregate(input.acquirer),
    format: undefined,
    limitsAt: new Date(Date.parse(start.receivedAt) || deps.clock.now().getTime()),
    ordinal: 0,
    window: [],
    counts: start.counts,
    reasons: start.topReasons,
    settledLate: [],
    latestValueDate: undefined,
    limitRejected: 0,
  };
}

function isBankRun(run: IngestRun): boolean {
  return run.format !== undefined && BANK_FORMATS.has(run.format);
}

/** The file's records (a chunk's: its prefix and range, with lines shifted back to the file's). */
async function* recordsOf(run: IngestRun): AsyncGenerator<ParsedRecord> {
  const { input, deps } = run;
  // The reader picks the parser; wrapping them tells us which one before the first record.
  const parsers: SettlementFormatParser[] = settlementFormatParsers.map((parser) => ({
    format: parser.format,
    sniff: (head, options) => parser.sniff(head, options),
    parse: (text, options) => {
      run.format = parser.format;
      return parser.parse(text, options);
    },
  }));
  const range = input.range;
  const bytes = range ? readRecordRange(rangeReader(input), range) : input.open();
  const offset = range?.lineOffset ?? 0;
  const records = readSettlementFile(bytes, {
    ...(input.format ? { format: input.format } : {}),
    ...(input.encoding ? { encoding: input.encoding } : {}),
    ...(input.fileName ? { fileName: input.fileName } : {}),
    ...(deps.acquirerCsv ? { acquirerCsv: deps.acquirerCsv } : {}),
    parsers,
  });
  for await (const record of records) {
    yield offset === 0 || record.type === "summary" ? record : { ...record, source: record.source + offset };
  }
}

/** Reads every record, deciding them a window at a time; a failure leaves the record FAILED with its reason. */
async function readAndDecide(run: IngestRun): Promise<ParseSummary> {
  let summary: ParseSummary | undefined;
  try {
    for await (const parsed of recordsOf(run)) {
      if (parsed.type === "summary") {
        summary = parsed;
        break;
      }
      await takeRecord(run, admitted(run, parsed));
    }
    await decideWindowOf(run);
  } catch (error) {
    if (!(error instanceof IngestInterruptedError)) {
      await run.deps.store.saveProgress(run.recordId, {
        status: "FAILED",
        error: (error as Error).message,
        updatedAt: run.deps.clock.now().toISOString(),
      });
    }
    throw error;
  }
  if (!summary) throw new Error("the settlement reader ended without a summary");
  return summary;
}

/**
 * A line beyond the input limits is kept as rejected, like an unreadable one (before the
 * checkpoint skip, so a resumed run counts the same ones). Lines also feed the file's latest value
 * date and (acquirer files) its payout batches.
 */
function admitted(run: IngestRun, parsed: SettlementLine | RejectedRecord): SettlementLine | RejectedRecord {
  let record = parsed;
  const problem =
    record.type === "line"
      ? settlementLineProblem(record, { now: run.limitsAt, limits: run.deps.inputLimits })
      : undefined;
  if (problem && record.type === "line") {
    run.limitRejected += 1;
    record = { type: "rejected", source: record.source, reason: `line ${record.source}: ${problem}` };
  }
  if (record.type === "line" && (!run.latestValueDate || record.valueDate > run.latestValueDate)) {
    run.latestValueDate = record.valueDate;
  }
  if (record.type === "line" && !isBankRun(run)) run.batches.add(record);
  return record;
}

/** Skips what an earlier run decided, windows the rest, and stops at a checkpoint when told to. */
async function takeRecord(run: IngestRun, record: SettlementLine | RejectedRecord): Promise<void> {
  const { deps } = run;
  // Records up to the checkpoint were decided and counted by an earlier run.
  if (run.ordinal + run.window.length < run.start.checkpoint) {
    run.ordinal += 1;
    return;
  }
  run.window.push(record);
  if (deps.stopAfterRecords !== undefined && run.ordinal + run.window.length > deps.stopAfterRecords) {
    run.window.pop();
    await decideWindowOf(run);
    throw new IngestInterruptedError(`stopped after ${run.ordinal} records`);
  }
  if (run.window.length >= (deps.windowSize ?? DEFAULT_WINDOW)) {
    await decideWindowOf(run);
    if (deps.budget?.pastDeadline()) {
      throw new IngestInterruptedError(`out of time after ${run.ordinal} records; the next delivery resumes`);
    }
  }
}

/** Decides and writes the window's records, then checkpoints the run's progress. */
async function decideWindowOf(run: IngestRun): Promise<void> {
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

/** Every line the reader saw is accounted for exactly once, or the run fails loudly. */
function checkReportAgainstReader(run: IngestRun, summary: ParseSummary): void {
  const { counts, limitRejected } = run;
  const linesCounted = counts.read - counts.rejected + limitRejected;
  if (linesCounted !== summary.lines || counts.rejected - limitRejected !== summary.rejected) {
    throw new Error(
      `file ${run.input.fileId}: report counts ${linesCounted} lines / ${counts.rejected} rejected, the reader ${summary.lines} / ${summary.rejected}`,
    );
  }
}

/** A chunk worker's end: its totals and batch parts go to the chunk record, for the merge. */
async function finishChunk(run: IngestRun, summary: ParseSummary): Promise<StoredFile> {
  const { deps, input } = run;
  if (BANK_FORMATS.has(summary.format)) throw new Error(`${summary.format} files are not read in chunks`);
  const chunk: ChunkResult = {
    totals: summary.totals,
    latestValueDate: run.latestValueDate ?? null,
    batches: run.batches.parts(),
  };
  const chunkDone: Partial<StoredFile> & { chunk: ChunkResult } = {
    status: "DONE",
    format: summary.format,
    checkpoint: run.ordinal,
    counts: run.counts,
    topReasons: run.reasons.slice(0, 10),
    updatedAt: deps.clock.now().toISOString(),
    chunk,
  };
  await deps.store.saveProgress(run.recordId, chunkDone);
  emitLineMetrics(deps, input.acquirer, run.counts, run.start.counts);
  return { ...run.start, ...chunkDone } as StoredFile;
}

/** A whole file's end: its payout batches settled, the file DONE with its report, its day recorded. */
async function finishFile(run: IngestRun, summary: ParseSummary): Promise<StoredFile> {
  const { deps, input } = run;
  const bank = BANK_FORMATS.has(summary.format);
  // Written before the file is DONE: a run that dies here is resumed and writes them again.
  if (!bank) run.settledLate.push(...(await storeBatches(run.batches.batches(), run.context)));
  const fileDay = input.fileDay ?? run.latestValueDate;
  const done: Partial<StoredFile> = {
    status: "DONE",
    format: summary.format,
    control: summary.control,
    controlDetail: summary.controlDetail,
    totals: summary.totals,
    fileDay,
    checkpoint: run.ordinal,
    counts: run.counts,
    topReasons: run.reasons.slice(0, 10),
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.saveProgress(input.fileId, done);
  if (fileDay && !bank) await deps.fileDays.recordFileDay(input.acquirer, fileDay);
  emitLineMetrics(deps, input.acquirer, run.counts, run.start.counts);
  if (summary.control === "mismatch") deps.metrics.count("SettlementFileControlMismatch", 1, input.acquirer);
  return { ...run.start, ...done } as StoredFile;
}

function rangeReader(
  input: IngestSettlementFileInput,
): (start: number, end: number) => AsyncIterable<Uint8Array> {
  if (!input.openRange)
    throw new Error(`file ${input.fileId}: a chunk worker reads byte ranges, and has no openRange`);
  return input.openRange;
}

function emitLineMetrics(
  deps: IngestSettlementFileDeps,
  acquirer: string,
  counts: FileCounts,
  before: FileCounts,
): void {
  for (const [outcome, metric] of [
    ["matched", "SettlementLinesMatched"],
    ["mismatched", "SettlementLinesMismatched"],
    ["unmatched", "SettlementLinesUnmatched"],
    ["rejected", "SettlementLinesRejected"],
  ] as const) {
    deps.metrics.count(metric, counts[outcome] - before[outcome], acquirer);
  }
}

export interface MergeSettlementFileChunksInput {
  fileId: string;
  acquirer: string;
  fileName?: string | undefined;
  fileDay?: string | undefined;
  /** How many ranges the plan made (chunk indexes 0 .. chunks - 1). */
  chunks: number;
}

/**
 * The distributed path's last step: once every chunk worker is DONE, sums their counts, reasons,
 * totals and payout batches into the file's record and marks it DONE - the batches and the file day
 * written once, for the whole file, as the single path does. The file record's figures are SET from
 * the chunk records (not incremented), so a merge run twice (a retried step) writes the same file;
 * a file already DONE is a duplicate and changes nothing. The file's own control rows (trailer
 * counts and sums) are not checked on this path: `control` is "absent" and says why.
 * Once the file is DONE the chunk records are left to the table's TTL ({@link CHUNK_RECORD_DAYS});
 * a retried merge marks them again (a mark already set is kept), so a merge that died in between
 * still gets them deleted.
 */
export async function mergeSettlementFileChunks(
  input: MergeSettlementFileChunksInput,
  deps: IngestSettlementFileDeps,
): Promise<SettlementFileResult> {
  const begun = await beginRecord(input.fileId, input, deps);
  if (begun.done) {
    await expireChunkRecords(input, deps);
    return begun.done;
  }
  const file = begun.record;
  let counts = emptyCounts();
  let reasons: ReasonCount[] = [];
  let checkpoint = 0;
  let format: string | undefined;
  let latestValueDate: string | undefined;
  const totals: CurrencyTotals = {};
  const batches = new BatchAggregate(input.acquirer);
  for (let index = 0; index < input.chunks; index += 1) {
    const chunk = (await deps.store.getFile(chunkRecordId(input.fileId, index))) as
      | (StoredFile & { chunk?: ChunkResult })
      | undefined;
    if (chunk?.status !== "DONE" || !chunk.chunk) {
      throw new Error(
        `file ${input.fileId}: chunk ${index} of ${input.chunks} is not done (${chunk?.status ?? "not started"})`,
      );
    }
    counts = mergeCounts(counts, chunk.counts).counts;
    reasons = mergeReasons(reasons, chunk.topReasons);
    checkpoint += chunk.checkpoint;
    format ??= chunk.format;
    const result = chunk.chunk;
    if (result.latestValueDate && (!latestValueDate || result.latestValueDate > latestValueDate)) {
      latestValueDate = result.latestValueDate;
    }
    for (const [currency, total] of Object.entries(result.totals)) {
      const sum = totals[currency] ?? { creditMinor: 0, debitMinor: 0 };
      totals[currency] = sum;
      sum.creditMinor += total.creditMinor;
      sum.debitMinor += total.debitMinor;
    }
    for (const part of result.batches) batches.addPart(part);
  }
  const context = runContext({ ...input, open: () => [] as never }, deps);
  const settledLate = await storeBatches(batches.batches(), context);
  const fileDay = input.fileDay ?? latestValueDate;
  const done: Partial<StoredFile> = {
    status: "DONE",
    format,
    control: "absent",
    controlDetail: `not checked: the file was read in ${input.chunks} chunks (the distributed path does not compare the file's control rows)`,
    totals,
    fileDay,
    checkpoint,
    counts,
    topReasons: reasons.slice(0, 10),
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.saveProgress(input.fileId, done);
  await expireChunkRecords(input, deps);
  if (fileDay) await deps.fileDays.recordFileDay(input.acquirer, fileDay);
  if (settledLate.length > 0) await deps.onSettledLate?.(settledLate, deps.clock);
  return { file: { ...file, ...done } as StoredFile, duplicate: false, resumed: false };
}

/** Only once the file record is DONE: until then the merge may need the chunk records again. */
async function expireChunkRecords(
  input: MergeSettlementFileChunksInput,
  deps: IngestSettlementFileDeps,
): Promise<void> {
  const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + CHUNK_RECORD_DAYS * 24 * 60 * 60;
  await pMap(
    Array.from({ length: input.chunks }, (_, index) => chunkRecordId(input.fileId, index)),
    (recordId) => deps.store.expireFile(recordId, expiresAt),
    { concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY },
  );
}

function runContext(input: IngestSettlementFileInput, deps: IngestSettlementFileDeps): RunContext {
  const profiles = new Map<string, Promise<MerchantProfile | undefined>>();
  const profileOf = (merchantId: string): Promise<MerchantProfile | undefined> => {
    let profile = profiles.get(merchantId);
    if (!profile) {
      profile = deps.merchants.get(merchantId);
      profiles.set(merchantId, profile);
    }
    return profile;
  };
  const termsOf = async (merchantId: string): Promise<MerchantMatchTerms> => {
    const found = await profileOf(merchantId);
    // Without a profile the fee rate is unknown: the fee check is skipped (and says so), not run against 0.
    return {
      feeRate: found?.settlement.feeRate ?? null,
      arrivalMode: found?.settlement.arrivalMode ?? "acquirer-file",
    };
  };
  return { input, deps, termsOf, profileOf };
}

async function decideWindow(
  records: ReadonlyArray<SettlementLine | RejectedRecord>,
  context: RunContext,
  bank: boolean,
): Promise<Decided[]> {
  const { input, deps } = context;
  const references = bank
    ? []
    : records.flatMap((record) =>
        record.type === "line" && record.reference
          ? [{ acquirer: input.acquirer, reference: record.reference }]
          : [],
      );
  const lookup = await deps.store.lookupFor(references);
  return await pMap(
    records,
    async (record): Promise<Decided> => {
      if (record.type === "rejected") return { kind: "rejected", record };
      if (bank && record.kind === "payout" && record.direction === "credit") {
        return await decideBankCredit(record, context);
      }
      return await decideLine(record, context, lookup);
    },
    { concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY },
  );
}

async function decideLine(
  line: SettlementLine,
  context: RunContext,
  batchedLookup: PaymentLookup,
): Promise<Decided> {
  const { input, deps, termsOf } = context;
  const lineKey = settlementLineKey(line, input.acquirer);
  let lookup = batchedLookup;
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
    await keep(line, decision, lineKey, input, deps);
    return { kind: "decision", decision, line, settledLate };
  }
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

/** Leg 2: one bank credit → its payout batch → the batch's payments; kept with its reason unless matched. */
async function decideBankCredit(line: SettlementLine, context: RunContext): Promise<Decided> {
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
async function settleMember(
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
async function storeBatches(batches: readonly PayoutBatch[], context: RunContext): Promise<Payment[]> {
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

/** One batch's running totals: the batch, and the latest value dates of its payout and other lines. */
export interface BatchPart {
  batch: PayoutBatch;
  payoutDate: string | null;
  lineDate: string | null;
}

/**
 * Per-batch totals of an acquirer file, folded line by line with {@link collectPayoutBatches}:
 * bounded by the number of batches, not of lines.
 */
class BatchAggregate {
  private readonly totals = new Map<string, BatchPart>();

  constructor(private readonly acquirer: string) {}

  add(line: SettlementLine): void {
    const [part] = collectPayoutBatches([line], this.acquirer);
    if (!part) return;
    const payout = line.kind === "payout";
    this.addPart({
      batch: part,
      payoutDate: payout ? part.valueDate : null,
      lineDate: payout ? null : part.valueDate,
    });
  }

  /** Folds in a part (one line's, or a whole chunk's for the same batch). */
  addPart(part: BatchPart): void {
    const entry = this.totals.get(part.batch.batchKey);
    if (!entry) {
      this.totals.set(part.batch.batchKey, { ...part, batch: { ...part.batch } });
      return;
    }
    const { batch } = entry;
    if (part.batch.declaredNetMinor !== null) {
      batch.declaredNetMinor = (batch.declaredNetMinor ?? 0) + part.batch.declaredNetMinor;
    }
    batch.computedNetMinor += part.batch.computedNetMinor;
    batch.lineCount += part.batch.lineCount;
    if (part.payoutDate !== null && (entry.payoutDate === null || part.payoutDate > entry.payoutDate)) {
      entry.payoutDate = part.payoutDate;
    }
    if (part.lineDate !== null && (entry.lineDate === null || part.lineDate > entry.lineDate)) {
      entry.lineDate = part.lineDate;
    }
  }

  /** The running totals as they are (a chunk's, for the merge to fold). */
  parts(): BatchPart[] {
    return [...this.totals.values()];
  }

  batches(): PayoutBatch[] {
    return [...this.totals.values()].map(({ batch, payoutDate, lineDate }) => ({
      ...batch,
      netTotalMinor: batch.declaredNetMinor ?? batch.computedNetMinor,
      valueDate: payoutDate ?? lineDate ?? batch.valueDate,
    }));
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
    reversed?: number | undefined;
    mismatched: number;
    unmatched: number;
    rejected: number;
  },
): { counts: FileCounts } {
  const reversed = (before.reversed ?? 0) + (now.reversed ?? 0);
  return {
    counts: {
      read: before.read + now.read,
      matched: before.matched + now.matched,
      settledLate: before.settledLate + now.settledLate,
      ...(reversed > 0 ? { reversed } : {}),
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

function emptyCounts(): FileCounts {
  return { read: 0, matched: 0, settledLate: 0, mismatched: 0, unmatched: 0, rejected: 0 };
}

/**
 * Creates the progress record of a file (or chunk) unless it exists. A record already DONE means
 * this delivery is a duplicate: its stored result is returned and nothing else happens.
 */
async function beginRecord(
  recordId: string,
  input: { acquirer: string; fileName?: string | undefined },
  deps: Pick<IngestSettlementFileDeps, "store" | "clock">,
): Promise<{ done?: SettlementFileResult; record: StoredFile; created: boolean }> {
  const now = deps.clock.now().toISOString();
  const fresh: StoredFile = {
    fileId: recordId,
    acquirer: input.acquirer,
    fileName: input.fileName ?? null,
    status: "PROCESSING",
    receivedAt: now,
    updatedAt: now,
    checkpoint: 0,
    counts: emptyCounts(),
    topReasons: [],
  };
  const begun = await deps.store.beginFile(fresh);
  if (!begun.created && begun.existing?.status === "DONE") {
    return {
      done: { file: begun.existing, duplicate: true, resumed: false },
      record: begun.existing,
      created: false,
    };
  }
  return { record: begun.existing ?? fresh, created: begun.created };
}
