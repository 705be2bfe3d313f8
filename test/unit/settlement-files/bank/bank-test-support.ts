import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type {
  ParserOutput,
  SettlementFormatParser,
} from "../../../../functions/domain/settlement-files/format-parser.js";
import type {
  ControlResult,
  RejectedRecord,
  SettlementLine,
} from "../../../../functions/domain/settlement-files/settlement-record.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/settlement-files/bank/", import.meta.url));

/** A fixture of this suite, decoded as UTF-8 (all bank fixtures are UTF-8 or ASCII). */
export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, "utf8");
}

/** The text as chunks of `size` characters - parsers must not care where chunks split. */
export async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

export interface Parsed {
  readonly records: ParserOutput[];
  readonly lines: SettlementLine[];
  readonly rejected: RejectedRecord[];
  readonly control: ControlResult;
}

/** Runs a parser to the end, collecting every record and the returned control result. */
export async function parseText(
  parser: SettlementFormatParser,
  text: string,
  chunkSize = 64,
): Promise<Parsed> {
  const records: ParserOutput[] = [];
  const run = parser.parse(chunked(text, chunkSize), {});
  for (;;) {
    const step = await run.next();
    if (step.done) {
      return {
        records,
        lines: records.filter((r): r is SettlementLine => r.type === "line"),
        rejected: records.filter((r): r is RejectedRecord => r.type === "rejected"),
        control: step.value,
      };
    }
    records.push(step.value);
  }
}

/** 1-based line of the first occurrence of `needle` at or after the line holding `after`. */
export function lineOf(text: string, needle: string, after?: string): number {
  const start = after === undefined ? 0 : text.indexOf(after);
  const index = text.indexOf(needle, Math.max(start, 0));
  if (index === -1) throw new Error(`"${needle}" not in fixture`);
  return text.slice(0, index).split(/\r\n|\r|\n/).length;
}
