/**
 * The distributed path's plan (Step Functions Distributed Map): the byte ranges of a plain CSV
 * settlement file that chunk workers read, found in ONE sequential, streamed pass over the file.
 *
 * - The reader runs on the file's start until its first record: the format, the lines before the
 *   first record (preamble, header) and the CSV layout (an acquirer's mapping gives its delimiter).
 * - The same bytes, then the rest of the stream, go through the record-start scanner
 *   (record-starts.ts): the first record's offset (`headerBytes`, the prefix every chunk reads),
 *   then about every `chunkBytes` a line start that is between records - never inside a quoted
 *   field - with the lines before it.
 * - A range is [start, end): a record start up to the next range's start (the last one: the end of
 *   the file). A chunk worker reads [0, headerBytes) and [start, end) with two ranged reads
 *   ({@link readRecordRange}) and adds `lineOffset` to its records' lines, so they keep the line
 *   numbers the single-Lambda reader gives them.
 *
 * The pass stops as soon as no further range can start (a plan of one range reads only the head).
 */

import { chooseAcquirerMapping } from "../acquirer/acquirer-csv.js";
import type { AcquirerCsvMapping } from "../acquirer/acquirer-csv-mapping.js";
import type { ParseOptions, SettlementFormatParser } from "../format-parser.js";
import { settlementFormatParsers } from "../format-registry.js";
import { type SettlementFormat, UnreadableFileError } from "../settlement-record.js";
import { readSettlementFile } from "./read-settlement-file.js";
import { type CsvLayout, RecordBoundaryTracker } from "./record-boundaries.js";
import { RecordStartScanner } from "./record-starts.js";
import { AdaptiveTextDecoder } from "./text-decoding.js";

/**
 * The formats a chunk worker may read, with the CSV layout their reader uses on a file (found from
 * the head the reader chose its layout by): all are CSV read by text/csv-table.ts, whose only state
 * across lines is an open quoted field, which the plan follows. Bank statements (XML, BAI2, MT940),
 * Alipay and WeChat bills (summaries checked against the whole detail) are always read by the
 * single-Lambda path, as are gzipped and zipped files (the plain text's offsets are not known
 * without decompressing) and UTF-16 text.
 */
const SPLITTABLE_LAYOUTS: Partial<
  Record<SettlementFormat, (head: string, options: ParseOptions) => CsvLayout | undefined>
> = {
  "acquirer-csv": (head, options) => {
    const mapping = chooseAcquirerMapping(head, options);
    if (!mapping) return undefined;
    // Its reader skips the ignored lines and the control line (acquirer-csv.ts, parseWithMapping).
    const skipsLines = mapping.ignoreLines.length > 0 || mapping.controlLine !== undefined;
    return { delimiter: mapping.delimiter, skipsLines };
  },
  // Fixed in their readers (stripe-payout-reconciliation.ts, adyen-settlement-details.ts): no skipped lines.
  "stripe-payout": () => ({ delimiter: ",", skipsLines: false }),
  "adyen-settlement": () => ({ delimiter: ",", skipsLines: false }),
};

export const SPLITTABLE_FORMATS: ReadonlySet<SettlementFormat> = new Set(
  Object.keys(SPLITTABLE_LAYOUTS) as SettlementFormat[],
);

/** Whether a plain file can be split: not gzip/zip, not UTF-16, and a splittable format. */
export function isSplittable(head: Uint8Array, format: SettlementFormat | undefined): boolean {
  if (format === undefined || !SPLITTABLE_FORMATS.has(format)) return false;
  const [a, b] = head;
  if (a === 0x1f && b === 0x8b) return false; // gzip
  if (a === 0x50 && b === 0x4b) return false; // zip
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return false; // UTF-16 BOM
  return true;
}

/** One chunk worker's share of the file: a few numbers (the plan is the Map's item list, 256 KB at most). */
export interface RecordRange {
  /** 0-based position of the range in the plan. */
  index: number;
  /** Byte offset of the range's first record: a line start between records. */
  start: number;
  /** Byte offset after its last record (exclusive): the next range's start, or the file's size. */
  end: number;
  /** The file's data lines (after the prefix) before `start`: added to a chunk's record lines. */
  lineOffset: number;
  /** Bytes before the file's first record (preamble, header): the prefix every chunk reads first. */
  headerBytes: number;
}

export interface RecordRangePlan {
  /** False: the file is read by the single-Lambda path (`reason` says why). */
  splittable: boolean;
  format?: SettlementFormat | undefined;
  /**
   * The text encoding the plan's pass settled on, for every chunk worker to use (a chunk alone would
   * judge its own first non-ASCII bytes); undefined while the file read as ASCII.
   */
  encoding?: string | undefined;
  /** What each chunk worker reads; empty when not splittable. */
  ranges: RecordRange[];
  reason?: string | undefined;
}

export interface PlanRecordRangesOptions {
  format?: SettlementFormat | "auto" | undefined;
  fileName?: string | undefined;
  acquirerCsv?: readonly AcquirerCsvMapping[] | undefined;
  /** The file's size in bytes (the object's): the last range ends there. */
  size: number;
  /** A range is at least this long (the last one excepted), and no longer than needed to end its last record. */
  chunkBytes: number;
}

/**
 * The bytes the reader may take to reach the first record; beyond, the file is not split (its head
 * is replayed to the scanner from memory, so it must stay small).
 */
const HEAD_LIMIT = 64 * 1024 * 1024;

class HeadTooLong extends Error {}

/**
 * Plans the ranges of a file, reading `bytes` once from the start (and closing it when done, often
 * before its end: see the module comment). Throws UnreadableFileError as the reader does when its
 * head is not a settlement file, and Error when the stream's length disagrees with `size`.
 */
export async function planRecordRanges(
  bytes: AsyncIterable<Uint8Array>,
  options: PlanRecordRangesOptions,
): Promise<RecordRangePlan> {
  const { size, chunkBytes } = options;
  if (!Number.isInteger(size) || size < 0) throw new Error(`file size ${size} is not a byte count`);
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new Error(`chunk size ${chunkBytes} is not ≥ 1`);
  const source = bytes[Symbol.asyncIterator]();
  try {
    const head = await readHead(source, options);
    const { format } = head;
    if (head.reason !== undefined) return { splittable: false, format, ranges: [], reason: head.reason };
    const headerLines = head.firstRecordLine - 1;
    const tracker = new RecordBoundaryTracker(head.layout);
    const scanner = new RecordStartScanner({ headerLines, chunkBytes, size }, tracker);
    const decoder = new AdaptiveTextDecoder();
    let reachedEnd = true;
    for await (const chunk of replay(head.seen, source)) {
      scanner.push(chunk);
      decoder.observe(chunk);
      if (scanner.done && !decoder.deciding) {
        reachedEnd = false;
        break;
      }
    }
    if (reachedEnd ? scanner.position !== size : scanner.position > size) {
      throw new Error(
        `the file's bytes (${scanner.position}${reachedEnd ? "" : " or more"}) disagree with its size (${size})`,
      );
    }
    if (decoder.deciding) decoder.end();
    const encoding = decoder.encoding ?? undefined;
    const { headerBytes } = scanner;
    if (headerBytes === undefined) throw new Error("the file ended before the first record the reader found");
    const notSplit = (reason: string): RecordRangePlan => ({ splittable: false, format, ranges: [], reason });
    const { delimiter } = head.layout;
    if (!neverInsideACharacter(delimiter) && encoding !== undefined && !ASCII_SAFE.has(encoding)) {
      return notSplit(`the delimiter ${JSON.stringify(delimiter)} can be part of a ${encoding} character`);
    }
    const prefix = firstBytes(head.seen, headerBytes);
    if (!(await readsAsPrefix(prefix, { ...options, format, encoding }))) {
      return notSplit("the lines before the first record do not read as a file of no records on their own");
    }
    const end = reachedEnd ? scanner.position : size;
    const ranges = scanner.starts.map(
      (start, index): RecordRange => ({
        index,
        start: start.at,
        end: scanner.starts[index + 1]?.at ?? end,
        lineOffset: start.linesBefore - headerLines,
        headerBytes,
      }),
    );
    return { splittable: true, format, ...(encoding !== undefined ? { encoding } : {}), ranges };
  } finally {
    await source.return?.();
  }
}

/** Encodings in which every byte below 0x80 is that ASCII character. */
const ASCII_SAFE: ReadonlySet<string> = new Set(["utf-8", "windows-1252"]);

/**
 * GB18030 (and GBK, Big5, Shift_JIS) use 0x40 and above as a character's second byte, GB18030 also
 * 0x30-0x39 in its four-byte characters: a delimiter among those bytes cannot be found in raw bytes.
 * Quotes and line breaks are below 0x30.
 */
function neverInsideACharacter(delimiter: string): boolean {
  const code = delimiter.charCodeAt(0);
  return code < 0x30 || (code > 0x39 && code < 0x40);
}

type Head =
  | { format: SettlementFormat | undefined; reason: string }
  | {
      format: SettlementFormat;
      reason?: undefined;
      firstRecordLine: number;
      layout: CsvLayout;
      /** The chunks the reader took, in order: replayed to the scanner. */
      seen: Uint8Array[];
    };

/** Runs the reader until the file's first record, keeping the bytes it took. */
async function readHead(source: AsyncIterator<Uint8Array>, options: PlanRecordRangesOptions): Promise<Head> {
  const seen: Uint8Array[] = [];
  let seenBytes = 0;
  // Not closing `source` when the reader stops: the scan goes on with it.
  const tap = async function* (): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      seen.push(next.value);
      seenBytes += next.value.length;
      if (seenBytes > HEAD_LIMIT) throw new HeadTooLong();
      yield next.value;
    }
  };
  // The reader picks the parser; wrapping them tells which one.
  let format: SettlementFormat | undefined;
  const parsers: SettlementFormatParser[] = settlementFormatParsers.map((parser) => ({
    format: parser.format,
    sniff: (head, parseOptions) => parser.sniff(head, parseOptions),
    parse: (text, parseOptions) => {
      format = parser.format;
      return parser.parse(text, parseOptions);
    },
  }));
  let text = "";
  let firstRecordLine: number | undefined;
  const parseOptions = readerOptions(options);
  try {
    for await (const record of readSettlementFile(tap(), {
      ...parseOptions,
      parsers,
      onDecoded: (info) => {
        text = info.head;
      },
    })) {
      if (record.type !== "summary") firstRecordLine = record.source;
      break;
    }
  } catch (error) {
    if (error instanceof HeadTooLong) {
      return { format, reason: `no record in the first ${HEAD_LIMIT} bytes` };
    }
    throw error;
  }
  if (!isSplittable(firstBytes(seen, 4), format) || format === undefined) {
    return { format, reason: "a gzip/zip container, UTF-16 text, or a format read whole" };
  }
  if (firstRecordLine === undefined) return { format, reason: "no records" };
  // A headerless file (its first line a record): a chunk of it would be a file of no known layout.
  if (firstRecordLine < 2) return { format, reason: "no header before the first record" };
  const layout = SPLITTABLE_LAYOUTS[format]?.(text, parseOptions);
  if (layout === undefined) return { format, reason: "no CSV layout known for this file" };
  return { format, firstRecordLine, layout, seen };
}

function readerOptions(options: Pick<PlanRecordRangesOptions, "format" | "fileName" | "acquirerCsv">) {
  return {
    ...(options.format ? { format: options.format } : {}),
    ...(options.fileName ? { fileName: options.fileName } : {}),
    ...(options.acquirerCsv ? { acquirerCsv: options.acquirerCsv } : {}),
  };
}

async function* replay(
  seen: readonly Uint8Array[],
  source: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield* seen;
  for (;;) {
    const next = await source.next();
    if (next.done) return;
    yield next.value;
  }
}

function firstBytes(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let filled = 0;
  for (const chunk of chunks) {
    if (filled >= length) break;
    const part = chunk.subarray(0, length - filled);
    out.set(part, filled);
    filled += part.length;
  }
  return out.subarray(0, filled);
}

/**
 * Every chunk reads the prefix first: it must read alone as a file of no records (the header found,
 * nothing rejected). A stray quote before the header, say, makes the reader's first record come
 * before the header, and chunks of that file would have no header.
 */
async function readsAsPrefix(
  prefix: Uint8Array,
  options: PlanRecordRangesOptions & { encoding: string | undefined },
): Promise<boolean> {
  try {
    for await (const record of readSettlementFile(once(prefix), {
      ...readerOptions(options),
      ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
    })) {
      return record.type === "summary" && record.lines === 0 && record.rejected === 0;
    }
    return false;
  } catch (error) {
    if (error instanceof UnreadableFileError) return false;
    throw error;
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  yield bytes;
}

/** True for an item made by this plan (a range of an older plan has no line offset and must not be read as one). */
export function isRecordRange(value: unknown): value is RecordRange {
  if (typeof value !== "object" || value === null) return false;
  const range = value as Record<string, unknown>;
  const whole = (key: string) => Number.isInteger(range[key]) && (range[key] as number) >= 0;
  return (
    ["index", "start", "end", "lineOffset", "headerBytes"].every(whole) &&
    (range.headerBytes as number) <= (range.start as number) &&
    (range.start as number) < (range.end as number)
  );
}

/**
 * A chunk's bytes: the file's prefix, then its records. Two ranged reads, or one for the range that
 * follows the prefix; nothing before or after is read.
 */
export async function* readRecordRange(
  openRange: (start: number, end: number) => AsyncIterable<Uint8Array>,
  range: Pick<RecordRange, "start" | "end" | "headerBytes">,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (range.start === range.headerBytes) {
    yield* openRange(0, range.end);
    return;
  }
  yield* openRange(0, range.headerBytes);
  yield* openRange(range.start, range.end);
}
