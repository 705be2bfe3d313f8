import { checkDate } from "../domain/validation/input-limits.js";
import { ValidationError } from "./errors.js";
import { checkReportAgainstReader, finishChunk, finishFile } from "./settlement-file/finish-run.js";
import {
  type IngestSettlementFileDeps,
  type IngestSettlementFileInput,
  newRun,
  type SettlementFileResult,
} from "./settlement-file/ingest-run.js";
import { beginRecord, chunkRecordId } from "./settlement-file/progress-record.js";
import { readAndDecide } from "./settlement-file/read-records.js";

export { referenceCandidates } from "./settlement-file/bank-credits.js";
export {
  type ChunkRange,
  type ChunkResult,
  IngestInterruptedError,
  type IngestSettlementFileDeps,
  type IngestSettlementFileInput,
  type SettlementFilePlan,
  type SettlementFileResult,
} from "./settlement-file/ingest-run.js";
export {
  type MergeSettlementFileChunksInput,
  mergeSettlementFileChunks,
} from "./settlement-file/merge-chunks.js";
export { chunkRecordId } from "./settlement-file/progress-record.js";
export { planSettlementFile } from "./settlement-file/read-records.js";

/*
 * The settlement-file use case, one file per step (settlement-file/): read and parse the records
 * (read-records.ts), match each window of lines (match-lines.ts; bank credits in bank-credits.ts),
 * write the result and report (finish-run.ts); the distributed path plans, reads chunks and merges
 * them (distributed-ingest-steps.ts, merge-chunks.ts).
 */

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
