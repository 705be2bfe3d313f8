import type { ReasonCount } from "../../domain/matching/file-report.js";
import type { FileCounts, StoredFile } from "../settlement-ports.js";
import type { IngestSettlementFileDeps, SettlementFileResult } from "./ingest-run.js";

/** The id of the record a chunk worker checkpoints in (a file record of its own, `<fileId>#CHUNK#<index>`). */
export function chunkRecordId(fileId: string, index: number): string {
  return `${fileId}#CHUNK#${String(index).padStart(5, "0")}`;
}

/** Each outcome's lines this run added (the record's counts minus those it started from). */
export function emitLineMetrics(
  deps: Pick<IngestSettlementFileDeps, "metrics">,
  run: { acquirer: string; counts: FileCounts; before: FileCounts },
): void {
  for (const [outcome, metric] of [
    ["matched", "SettlementLinesMatched"],
    ["mismatched", "SettlementLinesMismatched"],
    ["unmatched", "SettlementLinesUnmatched"],
    ["rejected", "SettlementLinesRejected"],
  ] as const) {
    deps.metrics.count(metric, run.counts[outcome] - run.before[outcome], run.acquirer);
  }
}

export function mergeCounts(
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

export function mergeReasons(before: readonly ReasonCount[], now: readonly ReasonCount[]): ReasonCount[] {
  const merged = new Map<string, ReasonCount>();
  for (const reason of [...before, ...now]) {
    const key = `${reason.outcome}\u0000${reason.reasonCode}`;
    const entry = merged.get(key);
    if (entry) entry.count += reason.count;
    else merged.set(key, { ...reason });
  }
  return [...merged.values()].sort((a, b) => b.count - a.count || a.reasonCode.localeCompare(b.reasonCode));
}

export function emptyCounts(): FileCounts {
  return { read: 0, matched: 0, settledLate: 0, mismatched: 0, unmatched: 0, rejected: 0 };
}

/**
 * Creates the progress record of a file (or chunk) unless it exists. A record already DONE means
 * this delivery is a duplicate: its stored result is returned and nothing else happens.
 */
export async function beginRecord(
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
