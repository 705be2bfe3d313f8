/**
 * Bytes the file's encoding cannot decode (one corrupted byte in a UTF-8 file) arrive as U+FFFD.
 * The reader rejects the record of such a line, naming the line, and reads the rest of the file:
 * one bad byte must not cost the whole file, and a reference with a hole in it must not be matched
 * or stored as if it were whole. (A U+FFFD written on purpose in the file counts too: it is the
 * mark of an earlier botched conversion.)
 */
import type { RejectedRecord, SettlementFormat, SettlementLine } from "../settlement-record.js";

const REPLACEMENT = "\uFFFD";
const BREAK_OR_REPLACEMENT = /\r\n|\r|\n|\uFFFD/g;

/** Formats whose `source` is an entry or record number, not a physical line. */
const ENTRY_NUMBERED: ReadonlySet<SettlementFormat> = new Set(["camt053", "camt054", "bai2"]);

/** Follows the decoded text chunk by chunk and keeps the 1-based numbers of the lines holding U+FFFD. */
export class UndecodableLines {
  private line = 1;
  /** The previous chunk ended with CR: an LF starting this one is the rest of that CRLF. */
  private pendingCr = false;
  private readonly lines = new Set<number>();
  private readonly ordered: number[] = [];

  scan(chunk: string): void {
    if (chunk === "") return;
    let start = 0;
    if (this.pendingCr && chunk.charCodeAt(0) === 10) start = 1;
    this.pendingCr = false;
    if (chunk.indexOf("\r", start) === -1 && chunk.indexOf(REPLACEMENT, start) === -1) {
      // The common case: LF only, nothing undecodable.
      for (let i = chunk.indexOf("\n", start); i !== -1; i = chunk.indexOf("\n", i + 1)) this.line++;
      return;
    }
    BREAK_OR_REPLACEMENT.lastIndex = start;
    for (let match = BREAK_OR_REPLACEMENT.exec(chunk); match; match = BREAK_OR_REPLACEMENT.exec(chunk)) {
      if (match[0] === REPLACEMENT) this.mark(this.line);
      else {
        this.line++;
        if (match[0] === "\r" && match.index === chunk.length - 1) this.pendingCr = true;
      }
    }
  }

  get found(): boolean {
    return this.ordered.length > 0;
  }

  /**
   * The rejection for a `line` record the reader is about to hand out, or null when it is whole:
   * its own line holds an undecodable byte (line-numbered formats), or its text does (a `:86:`
   * continuation, a BAI2 88 record, an XML entry).
   */
  rejection(record: SettlementLine, format: SettlementFormat, encoding: string): RejectedRecord | null {
    if (!this.found) return null;
    const what = `a byte that is not valid ${encoding.toUpperCase()} (read as U+FFFD)`;
    const lineNumbered = !ENTRY_NUMBERED.has(format);
    if (lineNumbered && this.lines.has(record.source)) {
      // No line number in the text: `source` names the line (a chunk worker shifts it by its offset).
      return { type: "rejected", source: record.source, reason: `the line holds ${what}` };
    }
    const texts = [record.reference, record.merchantReference, record.batchReference, record.merchantId];
    if (!texts.some((text) => text?.includes(REPLACEMENT))) return null;
    const near = lineNumbered ? this.ordered.find((line) => line > record.source) : undefined;
    return {
      type: "rejected",
      source: record.source,
      reason: `its text holds ${what}${near === undefined ? "" : ` (line ${near})`}`,
    };
  }

  private mark(line: number): void {
    if (this.lines.has(line)) return;
    this.lines.add(line);
    this.ordered.push(line);
  }
}
