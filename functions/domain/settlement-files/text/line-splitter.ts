import { UnreadableFileError } from "../settlement-record.js";

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Cuts decoded text chunks into physical lines (CRLF, LF or a lone CR), whatever the chunk
 * boundaries - a CRLF split across two chunks is one break. Returns whole lines per chunk so a parser
 * loops over them synchronously (one `await` per chunk, not per line, keeps parsing fast).
 */
export class LineSplitter {
  private carry = "";
  /** Number of lines returned so far: the 1-based number of the last line handed out. */
  linesRead = 0;

  constructor(private readonly maxLineLength = 4 * 1024 * 1024) {}

  /** Lines completed by this chunk (without their terminators). */
  push(chunk: string): string[] {
    const text = this.carry + chunk;
    // A final CR may be the first half of a CRLF: hold it back until the next chunk.
    const end = text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
    // (lastIndexOf treats a negative start as 0, hence the guard.)
    const lastBreak =
      end === 0 ? -1 : Math.max(text.lastIndexOf("\n", end - 1), text.lastIndexOf("\r", end - 1));
    if (lastBreak < 0) {
      if (text.length > this.maxLineLength) {
        throw new UnreadableFileError(
          `line longer than ${this.maxLineLength} characters (not a line-based file?)`,
          this.linesRead + 1,
        );
      }
      this.carry = text;
      return [];
    }
    this.carry = text.slice(lastBreak + 1);
    const lines = text.slice(0, lastBreak + 1).split(LINE_BREAK);
    lines.pop(); // "" after the last break
    this.linesRead += lines.length;
    return lines;
  }

  /** The last line when the text does not end with a line break (empty when it does). */
  end(): string[] {
    const rest = this.carry.endsWith("\r") ? this.carry.slice(0, -1) : this.carry;
    this.carry = "";
    if (rest === "") return [];
    this.linesRead += 1;
    return [rest];
  }
}

/** A physical line with its 1-based number. */
export interface NumberedLine {
  text: string;
  line: number;
}

/**
 * The lines of a decoded text, in batches (one per chunk). Each batch is an array so the consumer
 * pays one `await` per chunk rather than per line.
 */
export async function* lineBatches(
  text: AsyncIterable<string>,
): AsyncGenerator<NumberedLine[], void, undefined> {
  const splitter = new LineSplitter();
  let line = 0;
  const number = (lines: string[]): NumberedLine[] => lines.map((t) => ({ text: t, line: ++line }));
  for await (const chunk of text) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield number(lines);
  }
  const last = splitter.end();
  if (last.length > 0) yield number(last);
}
