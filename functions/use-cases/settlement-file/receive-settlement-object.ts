import { UnreadableFileError } from "../../domain/settlement-files/settlement-record.js";
import {
  type IngestSettlementFileDeps,
  ingestSettlementFile,
  planSettlementFile,
} from "../ingest-settlement-file.js";
import type { OperationLog } from "../ports.js";
import type { DistributedFile, DistributedIngestStarter } from "../settlement-ports.js";

/** What arrived in the bucket: a settlement file, or an object whose key is outside the layout. */
export type ReceivedSettlementObject =
  | { kind: "object"; file: DistributedFile; open: () => AsyncIterable<Uint8Array>; rawKey: string }
  | { kind: "outside-layout"; key: string; reason: string };

export interface ReceiveSettlementObjectDeps extends IngestSettlementFileDeps {
  log: OperationLog;
  /** Files over `thresholdBytes` that can be split go to the distributed ingest; absent = never. */
  distributed?: { starter: DistributedIngestStarter; thresholdBytes: number } | undefined;
}

export type ReceiveOutcome = "ignored" | "distributed" | "ingested" | "unreadable";

/**
 * One object from the bucket: a key outside the layout is reported and dropped (a retry cannot
 * fix it); a large splittable file is handed to the distributed ingest; anything else is read
 * here. An unreadable file is kept FAILED with its reason and reported; any other error is thrown
 * so the delivery is retried and resumes from its checkpoint.
 */
export async function receiveSettlementObject(
  received: ReceivedSettlementObject,
  deps: ReceiveSettlementObjectDeps,
): Promise<ReceiveOutcome> {
  if (received.kind === "outside-layout") {
    deps.log.error("settlement file ignored: key outside the layout", {
      key: received.key,
      reason: received.reason,
    });
    deps.metrics.count("SettlementFilesUnreadable", 1);
    return "ignored";
  }
  if (await handedToDistributedIngest(received, deps)) return "distributed";
  const { file, open, rawKey } = received;
  try {
    const result = await ingestSettlementFile(
      { fileId: file.fileId, acquirer: file.acquirer, fileName: file.fileName, fileDay: file.fileDay, open },
      deps,
    );
    deps.log.info("settlement file done", {
      fileId: file.fileId,
      key: rawKey,
      duplicate: result.duplicate,
      resumed: result.resumed,
      counts: result.file.counts,
      control: result.file.control,
    });
    return "ingested";
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) {
      deps.log.error("settlement file not finished; the message will be retried", {
        fileId: file.fileId,
        key: rawKey,
        error: error as Error,
      });
      throw error;
    }
    deps.log.error("settlement file unreadable", { fileId: file.fileId, key: rawKey, reason: error.message });
    deps.metrics.count("SettlementFilesUnreadable", 1, file.acquirer);
    return "unreadable";
  }
}

/**
 * True when the file went (or had already gone) to the distributed ingest: only when it is over
 * the threshold, not already done, and splittable (plain text of a line-based format, see
 * line-ranges.ts). XML, BAI2, MT940, WeChat/Alipay bills, gzip and zip stay on the single path.
 */
async function handedToDistributedIngest(
  received: Extract<ReceivedSettlementObject, { kind: "object" }>,
  deps: ReceiveSettlementObjectDeps,
): Promise<boolean> {
  const { file, open } = received;
  if (!deps.distributed || !(file.size > deps.distributed.thresholdBytes)) return false;
  if ((await deps.store.getFile(file.fileId))?.status === "DONE") return false; // the single path says "duplicate"
  let plan: Awaited<ReturnType<typeof planSettlementFile>>;
  try {
    plan = await planSettlementFile({ open, fileName: file.fileName }, deps, {
      size: file.size,
      chunkBytes: file.size,
    });
  } catch (error) {
    if (error instanceof UnreadableFileError) return false; // the single path reports it
    throw error;
  }
  if (!plan.splittable) {
    deps.log.info("large settlement file read by one run: it cannot be split", {
      fileId: file.fileId,
      format: plan.format,
    });
    return false;
  }
  const started = await deps.distributed.starter.start(file);
  deps.log.info(
    started === "started"
      ? "large settlement file handed to the distributed ingest"
      : "large settlement file already handed over",
    started === "started" ? { fileId: file.fileId, size: file.size } : { fileId: file.fileId },
  );
  return true;
}
