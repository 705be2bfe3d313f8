/**
 * The reading loop shared by header-row CSV formats (Adyen, Stripe, configurable acquirer CSVs):
 * optional preamble, a header row found by its names, data rows (quoted fields may span lines), lines
 * to ignore (footers), blank lines. Each data record becomes exactly one output of `row`.
 */
import type { ParserOutput } from "../format-parser.js";
import { UnreadableFileError } from "../settlement-record.js";
import { HeaderIndex, isBlankRecord, RecordAssembler } from "./delimited.js";
import { LineSplitter } from "./line-splitter.js";
import { rejectedBecause } from "./records.js";

export interface CsvTableSpec {
  delimiter: string;
  /** What the file should be, for error messages ("an Adyen settlement details report"). */
  description: string;
  /** Is this record the header row? (Ignored when `header` is given.) */
  isHeader(header: HeaderIndex): boolean;
  /** For headerless files: the column names to use (the first record is then data). */
  header?: readonly string[];
  /** How many non-blank records may precede the header. */
  maxPreamble?: number;
  /** Physical lines that are not records (footers, markers); seen by `onIgnored`. */
  ignoreLine?(text: string): boolean;
  onIgnored?(text: string, line: number): void;
  /** Reads one data record. */
  row(fields: string[], header: HeaderIndex, line: number): ParserOutput;
}

export interface CsvTableResult {
  records: number;
  header: HeaderIndex;
}

export async function* readCsvTable(
  text: AsyncIterable<string>,
  spec: CsvTableSpec,
): AsyncGenerator<ParserOutput, CsvTableResult, undefined> {
  const splitter = new LineSplitter();
  const assembler = new RecordAssembler(spec.delimiter);
  const delimiter = spec.delimiter;
  const maxPreamble = spec.maxPreamble ?? 0;
  let header: HeaderIndex | null = spec.header ? new HeaderIndex(spec.header) : null;
  let preamble = 0;
  let records = 0;
  let lineNo = 0;

  const fromRecord = (fields: string[], line: number, raw: string): ParserOutput | null => {
    if (isBlankRecord(fields)) return null;
    if (header === null) {
      const candidate = new HeaderIndex(fields.map((f) => f.trim()));
      if (spec.isHeader(candidate)) {
        header = candidate;
        return null;
      }
      preamble++;
      if (preamble > maxPreamble) {
        throw new UnreadableFileError(
          `not ${spec.description}: no header row found (line ${line} reads ${JSON.stringify(raw.slice(0, 80))})`,
          line,
        );
      }
      return null;
    }
    records++;
    return spec.row(fields, header, line);
  };

  const handleLine = (raw: string, line: number, out: ParserOutput[]): void => {
    if (assembler.idle) {
      if (spec.ignoreLine?.(raw)) {
        spec.onIgnored?.(raw, line);
        return;
      }
      // Fast path: a line without quotes is one record.
      if (raw.indexOf('"') < 0) {
        const result = fromRecord(raw.split(delimiter), line, raw);
        if (result) out.push(result);
        return;
      }
    }
    for (const record of assembler.push(raw, line)) {
      if ("unterminated" in record) {
        records++;
        out.push(rejectedBecause(record.line, "a quoted field is never closed"));
      } else {
        const result = fromRecord(record.fields, record.line, raw);
        if (result) out.push(result);
      }
    }
  };

  const out: ParserOutput[] = [];
  for await (const chunk of text) {
    for (const raw of splitter.push(chunk)) {
      lineNo++;
      handleLine(raw, lineNo, out);
      if (out.length > 0) {
        for (const r of out) yield r;
        out.length = 0;
      }
    }
  }
  for (const raw of splitter.end()) {
    lineNo++;
    handleLine(raw, lineNo, out);
  }
  for (const record of assembler.end()) {
    if ("unterminated" in record) {
      records++;
      out.push(rejectedBecause(record.line, "a quoted field is never closed"));
    } else {
      const result = fromRecord(record.fields, record.line, "");
      if (result) out.push(result);
    }
  }
  for (const r of out) yield r;
  if (header === null) {
    throw new UnreadableFileError(`not ${spec.description}: no header row found`, lineNo === 0 ? 1 : lineNo);
  }
  return { records, header };
}
