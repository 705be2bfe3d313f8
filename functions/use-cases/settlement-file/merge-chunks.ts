import pMap from "p-map";
import type { ReasonCount } from "../../domain/matching/file-report.js";
import type { CurrencyTotals } from "../../domain/settlement-files/settlement-record.js";
import type { FileCounts, StoredFile } from "../settlement-ports.js";
import { storeBatches } from "./bank-credits.js";
import { BatchAggregate } from "./batch-aggregate.js";
import {
  type ChunkResult,
  DEFAULT_CONCURRENCY,
  type IngestSettlementFileDeps,
  runContext,
  type SettlementFileResult,
} from "./ingest-run.js";
import { beginRecord, chunkRecordId, emptyCounts, mergeCounts, mergeReasons } from "./progress-record.js";

/** Chunk records are kept this long after the merge (for a look at how the file was split), then the table's TTL deletes them. */
const CHUNK_RECORD_DAYS = 7;

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
  const merged = await foldChunkRecords(input, deps);
  const context = runContext({ ...input, open: () => [] as never }, deps);
  const settledLate = await storeBatches(merged.batches.batches(), context);
  const fileDay = input.fileDay ?? merged.latestValueDate;
  const done: Partial<StoredFile> = {
    status: "DONE",
    format: merged.format,
    control: "absent",
    controlDetail: `not checked: the file was read in ${input.chunks} chunks (the distributed path does not compare the file's control rows)`,
    totals: merged.totals,
    fileDay,
    checkpoint: merged.checkpoint,
    counts: merged.counts,
    topReasons: merged.reasons.slice(0, 10),
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.saveProgress(input.fileId, done);
  await expireChunkRecords(input, deps);
  if (fileDay) await deps.fileDays.recordFileDay(input.acquirer, fileDay);
  if (settledLate.length > 0) await deps.onSettledLate?.(settledLate, deps.clock);
  return { file: { ...begun.record, ...done } as StoredFile, duplicate: false, resumed: false };
}

/** The chunk records summed: what the file record is SET to. */
interface MergedChunks {
  counts: FileCounts;
  reasons: ReasonCount[];
  checkpoint: number;
  format: string | undefined;
  latestValueDate: string | undefined;
  totals: CurrencyTotals;
  batches: BatchAggregate;
}

/** Reads every chunk record (each must be DONE) and sums them. */
async function foldChunkRecords(
  input: MergeSettlementFileChunksInput,
  deps: IngestSettlementFileDeps,
): Promise<MergedChunks> {
  const merged: MergedChunks = {
    counts: emptyCounts(),
    reasons: [],
    checkpoint: 0,
    format: undefined,
    latestValueDate: undefined,
    totals: {},
    batches: new BatchAggregate(input.acquirer),
  };
  for (let index = 0; index < input.chunks; index += 1) {
    const chunk = (await deps.store.getFile(chunkRecordId(input.fileId, index))) as
      | (StoredFile & { chunk?: ChunkResult })
      | undefined;
    if (chunk?.status !== "DONE" || !chunk.chunk) {
      throw new Error(
        `file ${input.fileId}: chunk ${index} of ${input.chunks} is not done (${chunk?.status ?? "not started"})`,
      );
    }
    foldChunk(merged, chunk, chunk.chunk);
  }
  return merged;
}

function foldChunk(merged: MergedChunks, chunk: StoredFile, result: ChunkResult): void {
  merged.counts = mergeCounts(merged.counts, chunk.counts).counts;
  merged.reasons = mergeReasons(merged.reasons, chunk.topReasons);
  merged.checkpoint += chunk.checkpoint;
  merged.format ??= chunk.format;
  if (
    result.latestValueDate &&
    (!merged.latestValueDate || result.latestValueDate > merged.latestValueDate)
  ) {
    merged.latestValueDate = result.latestValueDate;
  }
  for (const [currency, total] of Object.entries(result.totals)) {
    const sum = merged.totals[currency] ?? { creditMinor: 0, debitMinor: 0 };
    merged.totals[currency] = sum;
    sum.creditMinor += total.creditMinor;
    sum.debitMinor += total.debitMinor;
  }
  for (const part of result.batches) merged.batches.addPart(part);
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
