/**
 * Splitting a plain (not gzipped, not zipped) line-based settlement file into byte ranges that
 * chunk workers read independently (the Step Functions Distributed Map path, issue 5).
 *
 * The rule that makes the ranges tile the file: a line belongs to the range in which it STARTS.
 * With L(x) = the first line start at or after byte x (0, a byte after a '\n', or the end of the
 * file), range [start, end) reads the bytes [L(start), L(end)): it skips the partial first line
 * (unless start is 0) and reads past `end` to finish its last line. Consecutive ranges meet at
 * L(end) = L(next start), so every line is read by exactly one range whatever the range size.
 *
 * Only formats whose records are single lines after a preamble/header can be split:
 * {@link SPLITTABLE_FORMATS}. Every chunk gets the file's lines before its first record (the
 * plan counts them) prepended, so header-mapped parsers read it like a whole file; its records'
 * `source`s are shifted back to file-absolute line numbers with {@link LineRangeRead.lineOffset}.
 */
import type { SettlementFormat } from "../settlement-record.js";

/**
 * Formats a chunk worker may read: one record per line after a preamble/header, no record that
 * spans lines (a quoted field with a line break would be cut at a range boundary), no summary
 * that spans lines. Bank statements (XML, BAI2, MT940), Alipay bills (a `#` preamble before
 * the header) and WeChat bills (summary rows after the detail that the parser checks against the
 * whole detail) are always read by the single-Lambda path, as are gzipped and zipped files (the
 * byte offsets of the plain text are not known without decompressing) and UTF-16 text.
 */
export const SPLITTABLE_FORMATS: ReadonlySet<SettlementFormat> = new Set<SettlementFormat>([
  "acquirer-csv",
  "stripe-payout",
  "adyen-settlement",
]);

export interface ByteRange {
  /** 0-based position of the range in the plan. */
  index: number;
  /** First byte (inclusive) of the range in the plain file. */
  start: number;
  /** Last byte (exclusive). */
  end: number;
}

/** Ranges of `chunkBytes` (the last one shorter) covering a file of `size` bytes; at least one. */
export function planByteRanges(size: number, chunkBytes: number): ByteRange[] {
  if (!Number.isInteger(size) || size < 0) throw new Error(`file size ${size} is not a byte count`);
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new Error(`chunk size ${chunkBytes} is not ≥ 1`);
  const ranges: ByteRange[] = [];
  for (let start = 0, index = 0; start < size || index === 0; start += chunkBytes, index += 1) {
    ranges.push({ index, start, end: Math.min(size, start + chunkBytes) });
  }
  return ranges;
}

/** Whether a plain file can be split: not gzip/zip, not UTF-16, and a splittable format. */
export function isSplittable(head: Uint8Array, format: SettlementFormat | undefined): boolean {
  if (format === undefined || !SPLITTABLE_FORMATS.has(format)) return false;
  const [a, b] = head;
  if (a === 0x1f && b === 0x8b) return false; // gzip
  if (a === 0x50 && b === 0x4b) return false; // zip
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return false; // UTF-16 BOM
  return true;
}

export interface LineRangeRead {
  /** The file's first `headerLines` lines, then the lines that start in the range. */
  bytes: AsyncIterable<Uint8Array>;
  /**
   * Add to a record's `source` (its line in `bytes`) to get its line in the file: the data lines
   * before the range. Known once the first byte of `bytes` has been read.
   */
  lineOffset(): number;
}

const NEWLINE = 0x0a;

/** Index in `chunk` of the first line start at or after byte `target` (and `from`); -1: not in this chunk. */
function lineStartIn(
  chunk: Uint8Array,
  from: number,
  target: number,
  position: number,
  previous: number,
): number {
  const at = Math.max(from, target - position);
  if (at >= chunk.length) return -1;
  if (at === 0 ? position === 0 || previous === NEWLINE : chunk[at - 1] === NEWLINE) return at;
  const newline = chunk.indexOf(NEWLINE, at);
  // A '\n' ending the chunk makes index 0 of the next chunk a line start.
  return newline < 0 || newline + 1 >= chunk.length ? -1 : newline + 1;
}

function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) count += 1;
  return count;
}

/**
 * Reads the lines of `range` out of the whole plain file's bytes, streamed from byte 0: the first
 * `headerLines` lines (preamble and header: everything before the first record) are the prefix
 * every range gets; the data lines before the range are counted, not kept.
 *
 * Ranges are of the whole file but apply to the data after the prefix (P bytes): range
 * [start, end) reads the data lines starting in [max(0, start - P), max(0, end - P)), so ranges
 * that fall inside the prefix read no lines, and consecutive ranges still tile the data.
 */
export function readLineRange(
  file: AsyncIterable<Uint8Array>,
  range: Pick<ByteRange, "start" | "end">,
  headerLines = 1,
): LineRangeRead {
  let offset: number | undefined;
  async function* bytes(): AsyncGenerator<Uint8Array, void, undefined> {
    const prefix: Uint8Array[] = [];
    let prefixBytes = 0;
    let prefixLines = 0;
    let position = 0; // data position of the current chunk's first byte
    let previous = NEWLINE; // the data starts on a line start
    let newlines = 0; // data '\n' bytes before the emitted part
    let emitting = false;
    let start = range.start;
    let end = range.end;
    for await (const whole of file) {
      let chunk = whole;
      if (prefixLines < headerLines) {
        let cut = 0;
        while (prefixLines < headerLines && cut < chunk.length) {
          const newline = chunk.indexOf(NEWLINE, cut);
          if (newline < 0) cut = chunk.length;
          else {
            cut = newline + 1;
            prefixLines += 1;
          }
        }
        prefix.push(chunk.subarray(0, cut));
        prefixBytes += cut;
        chunk = chunk.subarray(cut);
        if (prefixLines < headerLines) continue;
        start = Math.max(0, range.start - prefixBytes);
        end = Math.max(0, range.end - prefixBytes);
      }
      if (chunk.length === 0) continue;
      let from = 0;
      if (!emitting) {
        const begin = lineStartIn(chunk, 0, start, position, previous);
        newlines += countNewlines(begin < 0 ? chunk : chunk.subarray(0, begin));
        if (begin >= 0) {
          emitting = true;
          from = begin;
          offset = newlines;
          if (prefixBytes > 0) yield Buffer.concat(prefix);
        }
      }
      if (emitting) {
        const stop = lineStartIn(chunk, from, end, position, previous);
        if (stop >= 0) {
          if (stop > from) yield chunk.subarray(from, stop);
          return;
        }
        yield from === 0 ? chunk : chunk.subarray(from);
      }
      position += chunk.length;
      previous = chunk[chunk.length - 1] as number;
    }
    if (!emitting) {
      // No data line starts in the range: the prefix alone, a chunk of no records.
      offset = newlines;
      if (prefixBytes > 0) yield Buffer.concat(prefix);
    }
  }
  return {
    bytes: bytes(),
    lineOffset: () => {
      if (offset === undefined) throw new Error("the range's line offset is known once its bytes are read");
      return offset;
    },
  };
}
