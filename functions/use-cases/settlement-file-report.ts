import { NotFoundError } from "./errors.js";
import type { KeptLine, SettlementStore, StoredFile } from "./settlement-ports.js";

/** The most kept lines a report lists; the counts always cover the whole file. */
const KEPT_LINES_SHOWN = 200;

export interface SettlementFileReportView extends StoredFile {
  /** Lines that did not simply match (mismatched, unmatched, rejected), with their reasons, first ones first. */
  keptLines: KeptLine[];
  /** True when the file kept more lines than `keptLines` lists. */
  keptLinesTruncated: boolean;
}

/** GET /v1/settlement-files/{fileId}: what became of every line of one file. */
export async function getSettlementFileReport(
  fileId: string,
  deps: { settlementFiles?: Pick<SettlementStore, "getFile" | "keptLines"> | undefined },
): Promise<SettlementFileReportView> {
  if (!/^[0-9a-f]{64}$/.test(fileId))
    throw new NotFoundError(`no settlement file ${fileId} (ids are sha256 hex)`);
  const file = await deps.settlementFiles?.getFile(fileId);
  if (!file) throw new NotFoundError(`no settlement file ${fileId}`);
  const kept = (await deps.settlementFiles?.keptLines(fileId, KEPT_LINES_SHOWN + 1)) ?? [];
  return {
    ...file,
    keptLines: kept.slice(0, KEPT_LINES_SHOWN),
    keptLinesTruncated: kept.length > KEPT_LINES_SHOWN,
  };
}
