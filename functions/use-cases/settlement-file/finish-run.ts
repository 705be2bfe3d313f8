import type { ParseSummary } from "../../domain/settlement-files/settlement-record.js";
import type { StoredFile } from "../settlement-ports.js";
import { storeBatches } from "./bank-credits.js";
import { BANK_FORMATS, type ChunkResult, type IngestRun } from "./ingest-run.js";
import { emitLineMetrics } from "./progress-record.js";

/** Every line the reader saw is accounted for exactly once, or the run fails loudly. */
export function checkReportAgainstReader(run: IngestRun, summary: ParseSummary): void {
  const { counts, limitRejected } = run;
  const linesCounted = counts.read - counts.rejected + limitRejected;
  if (linesCounted !== summary.lines || counts.rejected - limitRejected !== summary.rejected) {
    throw new Error(
      `file ${run.input.fileId}: report counts ${linesCounted} lines / ${counts.rejected} rejected, the reader ${summary.lines} / ${summary.rejected}`,
    );
  }
}

/** A chunk worker's end: its totals and batch parts go to the chunk record, for the merge. */
export async function finishChunk(run: IngestRun, summary: ParseSummary): Promise<StoredFile> {
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
  emitLineMetrics(deps, { acquirer: input.acquirer, counts: run.counts, before: run.start.counts });
  return { ...run.start, ...chunkDone } as StoredFile;
}

/** A whole file's end: its payout batches settled, the file DONE with its report, its day recorded. */
export async function finishFile(run: IngestRun, summary: ParseSummary): Promise<StoredFile> {
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
  emitLineMetrics(deps, { acquirer: input.acquirer, counts: run.counts, before: run.start.counts });
  if (summary.control === "mismatch") deps.metrics.count("SettlementFileControlMismatch", 1, input.acquirer);
  return { ...run.start, ...done } as StoredFile;
}
