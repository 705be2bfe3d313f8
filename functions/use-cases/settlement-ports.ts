import type { ReasonCount } from "../domain/matching/file-report.js";
import type { PaymentLookup } from "../domain/matching/payment-lookup.js";
import type { MatchablePayment, PaymentIdentity, PaymentUpdate } from "../domain/matching/payment-state.js";
import type { BatchUpdate, PayoutBatch } from "../domain/matching/payout-batches.js";
import type { StoredLine } from "../domain/matching/pending-lines.js";
import type {
  CurrencyTotals,
  SettlementFormat,
  SettlementLine,
} from "../domain/settlement-files/settlement-record.js";

export interface FileCounts {
  read: number;
  matched: number;
  /** Subset of matched: OVERDUE → SETTLED_LATE. */
  settledLate: number;
  /** Subset of matched: reversal lines that closed their sale as REVERSED (present when not 0). */
  reversed?: number;
  mismatched: number;
  unmatched: number;
  rejected: number;
}

/** A settlement file as stored: identity, progress (for resume) and, once done, its report. */
export interface StoredFile {
  /** sha256 of the file's bytes: the same file delivered twice is one file. */
  fileId: string;
  acquirer: string;
  fileName: string | null;
  status: "PROCESSING" | "DONE" | "FAILED";
  receivedAt: string;
  updatedAt: string;
  /** Records (lines and rejected records, in file order) already decided and counted in `counts`. */
  checkpoint: number;
  counts: FileCounts;
  topReasons: ReasonCount[];
  format?: string | undefined;
  control?: "ok" | "mismatch" | "absent" | undefined;
  controlDetail?: string | undefined;
  totals?: CurrencyTotals | undefined;
  fileDay?: string | undefined;
  error?: string | undefined;
  /** Epoch seconds after which the table's TTL deletes the record (set on chunk records once merged). */
  expiresAt?: number | undefined;
}

/** A line that did not simply match, kept with its reason (and its content, to look at or match later). */
export interface KeptLine {
  source: number;
  outcome: "mismatched" | "unmatched" | "rejected";
  reasonCode: string;
  reason: string;
  line?: SettlementLine | undefined;
  payment?: { acquirer: string; paymentId: string } | undefined;
}

/** A bank credit that found no payout batch yet: retried when an acquirer file writes its batch. */
export interface HeldCredit {
  creditKey: string;
  /** The bank file it was read from, and its line there (kept as unmatched "no-batch"). */
  fileId: string;
  line: SettlementLine;
}

/** What applying a presumed settlement did. */
export type PresumedOutcome = { applied: true } | { applied: false; current: MatchablePayment | undefined };

export interface SettlementStore {
  /** A payment lookup for a window of lines; `byReference` answers from one batched read. */
  lookupFor(references: ReadonlyArray<{ acquirer: string; reference: string }>): Promise<PaymentLookup>;
  getPayment(acquirer: string, paymentId: string): Promise<MatchablePayment | undefined>;
  /** Applies one decision's conditional write; false when the payment moved since it was read. */
  applyUpdate(update: PaymentUpdate): Promise<boolean>;
  /**
   * Applies a presumed settlement's write (no read before it); when its condition fails, answers
   * the stored payment as it is (undefined: none yet, or only a placeholder holding early lines).
   */
  applyPresumed(update: PaymentUpdate): Promise<PresumedOutcome>;
  /** Keeps a line whose payment has not been confirmed yet where the confirmation will meet it. */
  holdForConfirmation(stored: StoredLine & { lineKey: string }, reference: string): Promise<void>;
  keepLine(fileId: string, kept: KeptLine): Promise<void>;
  beginFile(file: StoredFile): Promise<{ created: boolean; existing?: StoredFile }>;
  saveProgress(fileId: string, progress: Partial<StoredFile>): Promise<void>;
  getFile(fileId: string): Promise<StoredFile | undefined>;
  /**
   * Lets the table's TTL delete a file (or chunk) record after `expiresAt` (epoch seconds). Idempotent:
   * a record already marked keeps its time, a missing record is not created.
   */
  expireFile(fileId: string, expiresAt: number): Promise<void>;
  keptLines(fileId: string, limit?: number): Promise<KeptLine[]>;
  /** Writes (or rewrites, idempotently) a payout batch and its lookup keys; never touches `creditedBy`. */
  putBatch(batch: PayoutBatch): Promise<void>;
  getBatch(batchKey: string): Promise<PayoutBatch | undefined>;
  /** Batches whose acquirer-given reference is one of `references`. */
  batchesByReference(references: readonly string[]): Promise<PayoutBatch[]>;
  /** Batches paid to `account` in `currency` for exactly `netMinor`, value date within [from, to]. */
  batchesByAmount(query: {
    account: string;
    currency: string;
    netMinor: number;
    from: string;
    to: string;
  }): Promise<PayoutBatch[]>;
  /** Marks a batch credited by one bank line; true also when this same line already did (a replay). */
  markBatchCredited(update: BatchUpdate): Promise<boolean>;
  /** Records that a payment waits for its batch's bank credit (idempotent). */
  addBatchMember(batchKey: string, payment: PaymentIdentity): Promise<void>;
  /** The payments tied to a batch, one page at a time. */
  batchMembers(
    batchKey: string,
    cursor?: string,
  ): Promise<{ members: PaymentIdentity[]; cursor?: string | undefined }>;
  holdCredit(held: HeldCredit): Promise<void>;
  /** Held credits in `currency` with value dates within [from, to]. */
  heldCredits(currency: string, from: string, to: string): Promise<HeldCredit[]>;
  releaseCredit(held: HeldCredit): Promise<void>;
}

/**
 * A settlement file as it arrived in the bucket: where it is and who it is, what the
 * distributed-ingest state machine starts with and hands to every chunk worker.
 */
export interface DistributedFile {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  fileId: string;
  acquirer: string;
  fileName: string;
  fileDay?: string | undefined;
  size: number;
  /** Set by the plan for the chunk workers: the format and the text encoding it read the file as. */
  format?: SettlementFormat | undefined;
  encoding?: string | undefined;
}

/** Hands a file too big for one run to the distributed ingest (Step Functions in AWS). */
export interface DistributedIngestStarter {
  /** Idempotent per file: a second start of the same file says "already-started". */
  start(file: DistributedFile): Promise<"started" | "already-started">;
}

/** Reads a stored settlement file (S3 in AWS), whole or a byte range, always the same version. */
export interface SettlementFileReader {
  open(file: DistributedFile): () => AsyncIterable<Uint8Array>;
  openRange(file: DistributedFile): (start: number, end: number) => AsyncIterable<Uint8Array>;
}
