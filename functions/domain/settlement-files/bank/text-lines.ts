import { UnreadableFileError } from "../settlement-record.js";

/** One physical line of a text file, without its terminator. */
export interface PhysicalLine {
  /** 1-based. */
  readonly number: number;
  readonly text: string;
}

/**
 * Splits decoded text chunks (split anywhere) into physical lines. CRLF, LF and lone CR all end a
 * line; a missing final newline is fine; a leading BOM is dropped. Holds at most one line, and
 * refuses a line longer than `maxLineLength` (a binary or line-less file) instead of buffering it.
 */
export async function* physicalLines(
  chunks: AsyncIterable<string>,
  maxLineLength = 1_048_576,
): AsyncGenerator<PhysicalLine> {
  let buffer = "";
  let number = 0;
  let first = true;
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    buffer += chunk;
    let start = 0;
    const terminator = /\r\n|\r|\n/g;
    for (;;) {
      const match = terminator.exec(buffer);
      if (!match) break;
      // A CR as the very last character may be the first half of a CRLF split across chunks.
      if (match[0] === "\r" && match.index === buffer.length - 1) break;
      number += 1;
      yield { number, text: buffer.slice(start, match.index) };
      start = match.index + match[0].length;
    }
    buffer = buffer.slice(start);
    if (buffer.length > maxLineLength) {
      throw new UnreadableFileError(`line longer than ${maxLineLength} characters`, number + 1);
    }
  }
  if (buffer.endsWith("\r")) buffer = buffer.slice(0, -1);
  if (buffer.length > 0) {
    number += 1;
    yield { number, text: buffer };
  }
}

/** Wraps a string as the async chunk stream parsers read (tests, small inputs). */
export async function* textChunks(text: string, chunkSize = 65_536): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
}
