/**
 * BAI2 record splitting. A record is `NN,field,…` ended by `/` and/or the end of a physical line;
 * real files put several `/`-terminated records on one line (moov-io sample3), end records with a
 * newline and no `/`, wrap one record over two physical lines, and pad with spaces. `88` records
 * continue the previous record. This module turns decoded text into logical records without ever
 * holding more than one record (a file with no line breaks at all is still split at each `/`).
 */

import { UnreadableFileError } from "../../settlement-record.js";

/** Record codes BAI2 defines; `/` followed by one of these (and a comma) starts a new record. */
export const RECORD_CODES = new Set(["01", "02", "03", "16", "49", "88", "98", "99"]);

/** A piece of text between record boundaries. */
export interface Segment {
  /** 1-based physical line where the segment starts. */
  readonly line: number;
  readonly text: string;
  /** Ended by `/` (rather than only by a line break). */
  readonly terminated: boolean;
}

/** A record longer than this without any `/` or line break is not BAI2 (and must not be buffered). */
const MAX_SEGMENT_LENGTH = 1_048_576;

const BOUNDARY = /\r\n|\r|\n|\/[ \t]*(?=(?:01|02|03|16|49|88|98|99),)/g;

/** Splits chunks at line breaks and at `/` + record code. */
export async function* segments(chunks: AsyncIterable<string>): AsyncGenerator<Segment> {
  let buffer = "";
  let line = 1;
  let first = true;
  const make = (raw: string, atLine: number, slash: boolean): Segment => {
    const trimmed = raw.replace(/\s+$/, "");
    if (trimmed.endsWith("/")) return { line: atLine, text: trimmed.slice(0, -1), terminated: true };
    return { line: atLine, text: trimmed, terminated: slash };
  };
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    buffer += chunk;
    let start = 0;
    BOUNDARY.lastIndex = 0;
    for (;;) {
      const match = BOUNDARY.exec(buffer);
      if (!match) break;
      const boundary = match[0];
      // Wait for more text when a boundary might continue in the next chunk (CR|LF, "/  " + code).
      if (boundary === "\r" && match.index === buffer.length - 1) break;
      const slash = boundary.startsWith("/");
      yield make(buffer.slice(start, match.index), line, slash);
      if (!slash) line += 1;
      start = match.index + boundary.length;
    }
    buffer = buffer.slice(start);
    if (buffer.length > MAX_SEGMENT_LENGTH) {
      throw new UnreadableFileError(
        `not BAI2: more than ${MAX_SEGMENT_LENGTH} characters without a record end`,
        line,
      );
    }
  }
  if (buffer.trim() !== "") yield make(buffer, line, false);
}

/** A logical record: its own text plus the text of the `88` records that continue it. */
export interface LogicalRecord {
  readonly code: string;
  /** 1-based position of the record among all records read (88s count, as in trailer counts). */
  readonly number: number;
  readonly line: number;
  /** The record's content after `NN,`, then each continuation's content after `88,`. */
  readonly parts: string[];
  /** How many physical records (the record plus its 88 continuations) this logical record spans. */
  continuations: number;
  terminated: boolean;
}

/** A segment that is not a record and cannot continue one. */
export interface StrayText {
  readonly code: null;
  readonly number: number;
  readonly line: number;
  readonly text: string;
}

const RECORD_START = /^\s*(\d\d)(?:,|$)/;

/**
 * Groups segments into logical records: `88` appends to the previous record; a segment with no
 * record code continues an unterminated record (a record wrapped over two physical lines) or is
 * stray text. Yields each record once the next one starts, so its continuations are complete.
 */
export async function* logicalRecords(
  chunks: AsyncIterable<string>,
): AsyncGenerator<LogicalRecord | StrayText> {
  let current: LogicalRecord | null = null;
  let number = 0;
  for await (const segment of segments(chunks)) {
    if (segment.text.trim() === "" && !segment.terminated) continue;
    const start = RECORD_START.exec(segment.text);
    const open = current !== null && !current.terminated;
    // An unknown two-digit code on an unterminated record's next line is more likely wrapped text.
    if (start && (RECORD_CODES.has(start[1] ?? "") || !open)) {
      const code = start[1] ?? "";
      const body = segment.text.slice(start[0].length);
      number += 1;
      if (code === "88" && current) {
        current.parts.push(body);
        current.continuations += 1;
        current.terminated = segment.terminated;
        continue;
      }
      if (current) yield current;
      current = {
        code,
        number,
        line: segment.line,
        parts: [body],
        continuations: 0,
        terminated: segment.terminated,
      };
      continue;
    }
    if (current && open) {
      // The record was wrapped onto the next physical line.
      const last = current.parts.length - 1;
      const joiner = current.code === "16" || current.continuations > 0 ? " " : "";
      current.parts[last] = `${current.parts[last] ?? ""}${joiner}${segment.text.trim()}`;
      current.terminated = segment.terminated;
      continue;
    }
    if (segment.text.trim() === "") continue;
    if (current) yield current;
    current = null;
    number += 1;
    yield { code: null, number, line: segment.line, text: segment.text };
  }
  if (current) yield current;
}
