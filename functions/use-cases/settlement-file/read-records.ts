import { readSettlementFile } from "../../domain/settlement-files/decoding/read-settlement-file.js";
import { planRecordRanges, readRecordRange } from "../../domain/settlement-files/decoding/record-ranges.js";
import type { SettlementFormatParser } from "../../domain/settlement-files/format-parser.js";
import { settlementFormatParsers } from "../../domain/settlement-files/format-registry.js";
import type {
  ParsedRecord,
  ParseSummary,
  RejectedRecord,
  SettlementLine,
} from "../../domain/settlement-files/settlement-record.js";
import { settlementLineProblem } from "../../domain/validation/input-limits.js";
import {
  IngestInterruptedError,
  type IngestRun,
  type IngestSettlementFileDeps,
  type IngestSettlementFileInput,
  isBankRun,
  type SettlementFilePlan,
} from "./ingest-run.js";
import { decideWindowOf } from "./match-lines.js";

/** Lines decided together: one batched read of their payments, then bounded parallel writes. */
export const DEFAULT_WINDOW = 200;

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
export async function readAndDecide(run: IngestRun): Promise<ParseSummary> {
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
export function admitted(
  run: IngestRun,
  parsed: SettlementLine | RejectedRecord,
): SettlementLine | RejectedRecord {
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
export async function takeRecord(run: IngestRun, record: SettlementLine | RejectedRecord): Promise<void> {
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

export function rangeReader(
  input: IngestSettlementFileInput,
): (start: number, end: number) => AsyncIterable<Uint8Array> {
  if (!input.openRange)
    throw new Error(`file ${input.fileId}: a chunk worker reads byte ranges, and has no openRange`);
  return input.openRange;
}
