import { isRecordRange } from "../../domain/settlement-files/decoding/record-ranges.js";
import {
  type ChunkRange,
  type IngestSettlementFileDeps,
  ingestSettlementFile,
  mergeSettlementFileChunks,
  planSettlementFile,
} from "../ingest-settlement-file.js";
import type { OperationLog } from "../ports.js";
import type { DistributedFile, SettlementFileReader } from "../settlement-ports.js";

/** One step of the distributed-ingest state machine, as its task sends it. */
export type DistributedIngestEvent =
  | { step: "plan"; file: DistributedFile }
  | { step: "chunk"; file: DistributedFile; range: ChunkRange }
  | { step: "merge"; file: DistributedFile; chunks: number };

export interface DistributedIngestDeps extends IngestSettlementFileDeps {
  files: SettlementFileReader;
  log: OperationLog;
}

function inputOf(file: DistributedFile, files: SettlementFileReader) {
  return {
    fileId: file.fileId,
    acquirer: file.acquirer,
    fileName: file.fileName,
    fileDay: file.fileDay,
    format: file.format,
    encoding: file.encoding,
    open: files.open(file),
    openRange: files.openRange(file),
  };
}

/**
 * plan: one read of the file; the ranges (the state machine Map's items) and the format and
 * encoding it found (added to `file`, which every chunk gets). A file that cannot be split fails.
 */
export async function planDistributedFile(
  file: DistributedFile,
  deps: DistributedIngestDeps & { chunkBytes: number },
) {
  const plan = await planSettlementFile(inputOf(file, deps.files), deps, {
    size: file.size,
    chunkBytes: deps.chunkBytes,
  });
  if (!plan.splittable) {
    throw new Error(`file ${file.fileId} (${plan.format}) cannot be split: ${plan.reason}`);
  }
  deps.log.info("settlement file planned", { fileId: file.fileId, chunks: plan.ranges.length });
  const planned: DistributedFile = { ...file, format: plan.format, encoding: plan.encoding };
  return { file: planned, chunks: plan.ranges.length, ranges: plan.ranges };
}

/**
 * chunk: one chunk worker (ranged reads of the prefix and the range); a run past its budget stops
 * at a checkpoint and throws, and the state machine's retry resumes it.
 */
export async function ingestDistributedChunk(
  input: { file: DistributedFile; range: ChunkRange },
  deps: DistributedIngestDeps,
) {
  const { file, range } = input;
  if (!isRecordRange(range)) {
    // An item of an older plan (byte ranges without line offsets) cannot be read as a record range.
    throw new Error(
      `file ${file.fileId}: ${JSON.stringify(range)} is not a record range of this version's plan; start the file's execution again`,
    );
  }
  const result = await ingestSettlementFile({ ...inputOf(file, deps.files), range }, deps);
  return { index: range.index, duplicate: result.duplicate, counts: result.file.counts };
}

/** merge: the chunk records into the file record, once. */
export async function mergeDistributedFile(
  input: { file: DistributedFile; chunks: number },
  deps: DistributedIngestDeps,
) {
  const { file, chunks } = input;
  const result = await mergeSettlementFileChunks({ ...inputOf(file, deps.files), chunks }, deps);
  deps.log.info("settlement file done", {
    fileId: file.fileId,
    key: file.key,
    chunks,
    duplicate: result.duplicate,
    counts: result.file.counts,
  });
  return { fileId: file.fileId, status: result.file.status, counts: result.file.counts };
}
