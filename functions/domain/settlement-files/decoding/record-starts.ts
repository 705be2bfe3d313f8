/**
 * One sequential pass over a plain CSV file's bytes that finds where chunk workers may start: the
 * byte offset of the first record (everything before it - preamble, header - is the prefix every
 * chunk reads), then, about every `chunkBytes`, the next line start that is between records
 * (record-boundaries.ts), with the number of lines before it so a chunk's records keep their line
 * numbers in the file.
 *
 * Lines are counted as the reader's LineSplitter counts them: a line ends at CRLF, LF or a lone CR.
 * Streaming: the pass holds one chunk and at most the current line; a chunk without quotes costs a
 * few `indexOf` calls, whatever its number of lines.
 */
import type { RecordBoundaryTracker } from "./record-boundaries.js";

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * A line longer than this is not followed (the reader rejects lines over 4 Mi characters anyway): no
 * chunk starts after it, the rest of the file stays in one range.
 */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface RecordStart {
  /** Byte offset of the line the record starts on. */
  at: number;
  /** Lines of the file before it. */
  linesBefore: number;
}

export interface RecordStartOptions {
  /** Lines before the file's first record (from the reader: its first record's line - 1). */
  headerLines: number;
  /** A chunk starts at the first record start at least this many bytes after the previous one. */
  chunkBytes: number;
  /** The file's size: once no further chunk can start before it, the pass is done. */
  size: number;
}

export class RecordStartScanner {
  /** The first record's offset: the header prefix's length. Known once the pass gets there. */
  headerBytes: number | undefined;
  /** Where chunks start, the first record first. */
  readonly starts: RecordStart[] = [];
  /** True once no further chunk can start: the caller may stop reading. */
  done = false;
  /** Bytes seen. */
  position = 0;

  private lines = 0;
  private atLineStart = true;
  /** The previous chunk ended with a CR: an LF first in this one belongs to it (one CRLF). */
  private afterCR = false;
  private nextStart = Number.POSITIVE_INFINITY;
  private lineHasQuote = false;
  /** The current line's bytes from earlier chunks (copied: a source may reuse its buffers). */
  private lineParts: Uint8Array[] = [];
  private lineBytes = 0;

  constructor(
    private readonly options: RecordStartOptions,
    private readonly tracker: RecordBoundaryTracker,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let at = 0;
    if (this.afterCR) {
      this.afterCR = false;
      if (chunk[0] === LF) at = 1;
    }
    // Next LF, CR and quote at or after `at` (-1: none left in this chunk; -2: not searched yet).
    let lf = -2;
    let cr = -2;
    let quote = -2;
    while (at < chunk.length && !this.done) {
      if (this.atLineStart) {
        this.atLineStart = false;
        this.lineStart(this.position + at, chunk[at] as number);
        if (this.done) break;
      }
      if (lf !== -1 && lf < at) lf = chunk.indexOf(LF, at);
      if (cr !== -1 && cr < at) cr = chunk.indexOf(CR, at);
      if (quote !== -1 && quote < at) quote = chunk.indexOf(QUOTE, at);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (quote >= 0 && (end < 0 || quote < end)) this.lineHasQuote = true;
      if (end < 0) {
        this.keep(chunk.subarray(at));
        break;
      }
      this.endLine(chunk.subarray(at, end));
      if (chunk[end] === CR) {
        if (end + 1 === chunk.length) this.afterCR = true;
        at = chunk[end + 1] === LF ? end + 2 : end + 1;
      } else at = end + 1;
      this.atLineStart = true;
    }
    this.position += chunk.length;
  }

  private lineStart(at: number, firstByte: number): void {
    const { headerLines, chunkBytes, size } = this.options;
    if (this.headerBytes === undefined) {
      if (this.lines < headerLines) return;
      this.headerBytes = at;
    } else if (
      at < this.nextStart ||
      !this.tracker.betweenRecords ||
      // Not on an LF-ended blank line: after a prefix ending in a lone CR it would read as one CRLF.
      firstByte === LF
    ) {
      return;
    }
    this.starts.push({ at, linesBefore: this.lines });
    this.nextStart = at + chunkBytes;
    if (this.nextStart >= size) this.done = true;
  }

  private keep(part: Uint8Array): void {
    this.lineBytes += part.length;
    if (this.lineBytes <= MAX_LINE_BYTES) this.lineParts.push(part.slice());
  }

  private endLine(last: Uint8Array): void {
    this.lines += 1;
    // Before the first record the reader's own reading is known (it found the record): nothing to follow.
    if (this.headerBytes !== undefined && this.tracker.needsLine(this.lineHasQuote)) {
      if (this.lineBytes + last.length > MAX_LINE_BYTES) this.tracker.giveUp();
      else {
        const bytes = this.lineParts.length === 0 ? last : Buffer.concat([...this.lineParts, last]);
        this.tracker.line(
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"),
          this.lines,
        );
      }
    }
    this.lineParts = [];
    this.lineBytes = 0;
    this.lineHasQuote = false;
  }
}
