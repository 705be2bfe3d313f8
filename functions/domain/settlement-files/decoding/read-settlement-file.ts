/**
 * The one entry point for reading a settlement file: bytes in (a stream of any chunk size), records
 * out (JSON-Lines-ready `line` / `rejected` objects, then one `summary`). Streaming end to end: gzip
 * and the text decoding are streamed, the parser pulls lines as the consumer pulls records, so memory
 * stays flat whatever the file size (zip is the exception: its compressed bytes are held, see
 * containers.ts).
 */
import type { AcquirerCsvMapping } from "../acquirer/acquirer-csv-mapping.js";
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import { detectFormat, parserFor, settlementFormatParsers } from "../format-registry.js";
import {
  type CurrencyTotals,
  type ParsedRecord,
  type ParseSummary,
  type SettlementFormat,
  UnreadableFileError,
} from "../settlement-record.js";
import { prefetch } from "../text/prefetch.js";
import { containerOf, gunzip, openZipEntry, peekBytes } from "./containers.js";
import { type DetectedEncoding, decodeText } from "./text-decoding.js";
import { UndecodableLines } from "./undecodable-lines.js";

export interface ReadSettlementFileOptions {
  /** The format, or "auto" (default) to sniff it from the first ~16 KB of text. */
  format?: SettlementFormat | "auto";
  /** Acquirer CSV mappings from config; tried before the built-in ones. */
  acquirerCsv?: readonly AcquirerCsvMapping[];
  /** Original file name (e.g. the S3 key's last part): some formats need it (UnionPay ZM's date). */
  fileName?: string;
  /** Force a text encoding (a WHATWG label such as "gb18030" or "windows-1250"; iconv-lite names where it is installed). */
  encoding?: string;
  /** For zips: read the entry whose name contains this (default: the one detail entry). */
  zipEntry?: string;
  /** For zips: refuse zips larger than this many bytes (default 256 MiB). */
  maxZipBytes?: number;
  /** The parsers to choose from (default: all registered ones). */
  parsers?: readonly SettlementFormatParser[];
  /** Told how the bytes were unwrapped and decoded (for logs), and the text head the format was chosen by. */
  onDecoded?: (info: {
    container: "gzip" | "zip" | "none";
    entry?: string;
    encoding: DetectedEncoding;
    /** The first ~16 KB of text (BOM removed): what the parsers sniffed and chose their layout by. */
    head: string;
  }) => void;
}

const HEAD_CHARS = 16 * 1024;

/**
 * Bytes are decoded and split into lines 16 KB at a time, whatever size the caller's chunks are
 * (fs streams give 64 KB, S3 bodies more). A chunk's lines stay alive until its last record is
 * consumed; with big chunks they outlive V8's young-generation collections and get promoted, and
 * peak RSS grows with the chunk size (measured: 1M lines, 256 KB chunks 236 MB, 16 KB chunks 105 MB)
 * although the live heap stays ~10 MB either way.
 */
const DECODE_CHUNK = 16 * 1024;

async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of source) {
    if (chunk.length <= size) yield chunk;
    else
      for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, Math.min(chunk.length, i + size));
  }
}

/** The decoded text, passed on unchanged while `lines` notes where undecodable bytes are. */
async function* scanned(
  text: AsyncIterable<string>,
  lines: UndecodableLines,
): AsyncGenerator<string, void, undefined> {
  for await (const chunk of text) {
    lines.scan(chunk);
    yield chunk;
  }
}

/**
 * Reads a settlement file: detects gzip/zip, the text encoding and (unless forced) the format, then
 * yields one record per data record of the file and finally the summary (counts, totals per currency
 * of the `line` records, and the control verdict). A record whose line holds a byte the encoding
 * cannot decode is rejected, naming the line (undecodable-lines.ts). Throws UnreadableFileError
 * (naming the line when known) when the bytes are not a readable file of the format.
 */
export async function* readSettlementFile(
  bytes: AsyncIterable<Uint8Array>,
  options: ReadSettlementFileOptions = {},
): AsyncGenerator<ParsedRecord, void, undefined> {
  const { head: magic, rest } = await peekBytes(bytes, 4);
  if (magic.length === 0) throw new UnreadableFileError("empty file (0 bytes)");
  const container = containerOf(magic);
  let fileBytes: AsyncIterable<Uint8Array> = rest;
  let fileName = options.fileName;
  let entry: string | undefined;
  if (container === "gzip") {
    fileBytes = gunzip(rest);
    if (fileName) fileName = fileName.replace(/\.gz$/i, "");
  } else if (container === "zip") {
    const opened = await openZipEntry(rest, {
      ...(options.zipEntry !== undefined ? { entry: options.zipEntry } : {}),
      ...(options.maxZipBytes !== undefined ? { maxBytes: options.maxZipBytes } : {}),
    });
    fileBytes = opened.bytes;
    entry = opened.name;
    fileName = opened.name.split("/").pop() ?? opened.name;
  }

  let encoding: DetectedEncoding = "utf-8";
  const undecodable = new UndecodableLines();
  const text = scanned(
    decodeText(rechunk(fileBytes, DECODE_CHUNK), {
      ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
      onEncoding: (e) => {
        encoding = e;
      },
    }),
    undecodable,
  );
  const { head: headChunks, replay: chunks } = await prefetch(text, (chunk) => chunk.length, HEAD_CHARS);
  const head = headChunks.join("").replace(/^\uFEFF/, "");
  if (head.trim() === "")
    throw new UnreadableFileError("the file holds no text (empty or only blank lines)", 1);

  const parseOptions: ParseOptions = {
    ...(options.acquirerCsv !== undefined ? { acquirerCsv: options.acquirerCsv } : {}),
    ...(fileName !== undefined ? { fileName } : {}),
  };
  const parsers = options.parsers ?? settlementFormatParsers;
  const parser =
    options.format === undefined || options.format === "auto"
      ? detectFormat(head, parseOptions, parsers)
      : parserFor(options.format, parsers);
  options.onDecoded?.({ container, ...(entry !== undefined ? { entry } : {}), encoding, head });

  const totals: CurrencyTotals = {};
  let lines = 0;
  let rejectedCount = 0;
  const run = parser.parse(chunks, parseOptions);
  let step: IteratorResult<ParserOutput, ParseResult> = await run.next();
  try {
    while (!step.done) {
      let record = step.value;
      if (record.type === "line") record = undecodable.rejection(record, parser.format, encoding) ?? record;
      if (record.type === "line") {
        lines++;
        let total = totals[record.currency];
        if (total === undefined) {
          total = { creditMinor: 0, debitMinor: 0 };
          totals[record.currency] = total;
        }
        if (record.direction === "credit") total.creditMinor += record.netMinor;
        else total.debitMinor += record.netMinor;
      } else {
        rejectedCount++;
      }
      yield record;
      step = await run.next();
    }
  } finally {
    // The consumer stopped early (or a parser threw): close the parser and with it the byte source.
    if (!step.done) await run.return(undefined as never);
  }
  const result = step.value;
  const summary: ParseSummary = {
    type: "summary",
    format: parser.format,
    ...(result.variant !== undefined ? { variant: result.variant } : {}),
    lines,
    rejected: rejectedCount,
    totals,
    control: result.control,
    controlDetail: result.controlDetail,
  };
  yield summary;
}
