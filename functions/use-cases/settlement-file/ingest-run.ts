import {
  type ReasonCount,
  type ReportableDecision,
  SettlementFileReport,
} from "../../domain/matching/file-report.js";
import type { MerchantMatchTerms } from "../../domain/matching/match-decision.js";
import type { MerchantProfile } from "../../domain/merchant/merchant-profile.js";
import type { Payment } from "../../domain/payment/payment.js";
import type { AcquirerCsvMapping } from "../../domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import type { RecordRange, RecordRangePlan } from "../../domain/settlement-files/decoding/record-ranges.js";
import type {
  CurrencyTotals,
  RejectedRecord,
  SettlementFormat,
  SettlementLine,
} from "../../domain/settlement-files/settlement-record.js";
import type { InputLimits } from "../../domain/validation/input-limits.js";
import type { BusinessMetrics, Clock, FileDayLedger, MerchantRepository, RunBudget } from "../ports.js";
import type { FileCounts, SettlementStore, StoredFile } from "../settlement-ports.js";
import { BatchAggregate, type BatchPart } from "./batch-aggregate.js";
import { mergeSettlementFileChunks } from "./merge-chunks.js";
import { chunkRecordId } from "./progress-record.js";

/** Bank statements are leg 2 (payout → bank account); everything else is an acquirer's file (leg 1). */
export const BANK_FORMATS: ReadonlySet<string> = new Set(["camt053", "camt054", "mt940", "mt942", "bai2"]);
export const DEFAULT_CONCURRENCY = 16;
/** A decision whose condition failed is re-read and re-decided; a payment moving this often is a bug. */
export const MAX_ATTEMPTS = 4;

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

export type Decided =
  | {
      kind: "decision";
      decision: ReportableDecision;
      line: SettlementLine;
      /** Payments this line moved OVERDUE → SETTLED_LATE (several for a bank credit). */
      settledLate: Payment[];
    }
  | { kind: "rejected"; record: RejectedRecord };

/** What one run needs beyond the deps: the merchant terms (cached) and the file being read. */
export interface RunContext {
  input: IngestSettlementFileInput;
  deps: IngestSettlementFileDeps;
  termsOf: (merchantId: string) => Promise<MerchantMatchTerms>;
  profileOf: (merchantId: string) => Promise<MerchantProfile | undefined>;
}

/** One run over a file or a chunk: what it has read, decided and counted so far. */
export interface IngestRun {
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

export function newRun(options: Pick<IngestRun, "input" | "deps" | "start" | "recordId">): IngestRun {
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

export function isBankRun(run: IngestRun): boolean {
  return run.format !== undefined && BANK_FORMATS.has(run.format);
}

export function runContext(input: IngestSettlementFileInput, deps: IngestSettlementFileDeps): RunContext {
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
