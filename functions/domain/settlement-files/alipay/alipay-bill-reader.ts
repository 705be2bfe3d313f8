/**
 * What both Alipay merchant bills (业务明细 and 账务明细) share: a `#` preamble (title, `#账号：[PID0156]`,
 * date range), a CSV header row, detail rows whose id-like values end with a TAB, and a `#` footer with
 * totals. Full-width punctuation, trailing commas on `#` lines (Excel) and blank lines are tolerated.
 */
import type { ParserOutput } from "../format-parser.js";
import { UnreadableFileError } from "../settlement-record.js";
import { HeaderIndex, isBlankRecord, RecordAssembler } from "../text/delimited.js";
import { LineSplitter } from "../text/line-splitter.js";
import { rejectedBecause } from "../text/records.js";

export interface AlipayBillContext {
  /** Merchant PID from `#账号：[2088…0156]` (the 16-digit 2088… id), when present. */
  pid: string | null;
  /** `#` lines seen after the header (the footer), normalised, with their line numbers. */
  footer: { text: string; line: number }[];
  /** True when the file has the `#…明细查询` preamble (an original export, so a footer is due). */
  hasPreamble: boolean;
  /** Data records (lines + rejected). */
  records: number;
}

/** `#` line text with full-width colon/comma made ASCII and Excel's trailing commas removed. */
export function normalizeComment(line: string): string {
  return line
    .replace(/[,\s]+$/, "")
    .replace(/：/g, ":")
    .replace(/，/g, ",")
    .replace(/（/g, "(")
    .replace(/）/g, ")")
    .trim();
}

/** The first line that is not a `#` comment or blank (the header), from a text head. */
export function firstNonCommentLine(head: string): string {
  for (const line of head.split(/\r\n|\r|\n/, 50)) {
    const text = line.replace(/^\uFEFF/, "").trim();
    if (text === "" || text.startsWith("#") || /^,*$/.test(text)) continue;
    return text;
  }
  return "";
}

/** Alipay pads id-like values with a TAB (and exports add spaces): strip both. */
export function cleanField(raw: string | undefined): string {
  return raw === undefined ? "" : raw.replace(/^[\s\t]+|[\s\t]+$/g, "");
}

export interface AlipayBillSpec {
  /** For error messages: "业务明细" / "账务明细". */
  name: string;
  /** Is this the header row? */
  isHeader(header: HeaderIndex): boolean;
  /** Reads one data record (fields already cleaned of TABs/spaces). */
  row(fields: string[], header: HeaderIndex, line: number, context: AlipayBillContext): ParserOutput;
}

/** Runs the shared reading loop; `context` is filled as the file is read. */
export async function* readAlipayBill(
  text: AsyncIterable<string>,
  spec: AlipayBillSpec,
  context: AlipayBillContext,
): AsyncGenerator<ParserOutput, void, undefined> {
  const splitter = new LineSplitter();
  const assembler = new RecordAssembler(",");
  let lineNo = 0;
  let header: HeaderIndex | null = null;

  const handle = (raw: string, line: number): ParserOutput[] => {
    if (assembler.idle) {
      const trimmed = raw.replace(/^\uFEFF/, "").trim();
      if (trimmed === "" || /^,*$/.test(trimmed)) return [];
      if (trimmed.startsWith("#")) {
        const comment = normalizeComment(trimmed);
        if (header === null) {
          if (/^#支付宝.*(明细|账单)/.test(comment)) context.hasPreamble = true;
          const pid = /^#账号:\[?(\d{16})\d*\]?/.exec(comment)?.[1];
          if (pid) context.pid = pid;
        } else {
          context.footer.push({ text: comment, line });
        }
        return [];
      }
    }
    const out: ParserOutput[] = [];
    for (const record of assembler.push(raw, line)) {
      if ("unterminated" in record) {
        context.records++;
        out.push(rejectedBecause(record.line, "a quoted field is never closed"));
        continue;
      }
      const fields = record.fields.map(cleanField);
      if (isBlankRecord(fields)) continue;
      if (header === null) {
        const candidate = new HeaderIndex(fields);
        if (!spec.isHeader(candidate)) {
          throw new UnreadableFileError(
            `not an Alipay ${spec.name} bill: expected its header row but found ${JSON.stringify(raw.slice(0, 80))}`,
            record.line,
          );
        }
        header = candidate;
        continue;
      }
      context.records++;
      out.push(spec.row(fields, header, record.line, context));
    }
    return out;
  };

  for await (const chunk of text) {
    for (const line of splitter.push(chunk)) {
      lineNo++;
      for (const out of handle(line, lineNo)) yield out;
    }
  }
  for (const line of splitter.end()) {
    lineNo++;
    for (const out of handle(line, lineNo)) yield out;
  }
  for (const record of assembler.end()) {
    if ("unterminated" in record) {
      context.records++;
      yield rejectedBecause(record.line, "a quoted field is never closed");
    } else if (header !== null && !isBlankRecord(record.fields)) {
      context.records++;
      yield spec.row(record.fields.map(cleanField), header, record.line, context);
    }
  }
  if (header === null)
    throw new UnreadableFileError(`not an Alipay ${spec.name} bill: no header row found`, lineNo || 1);
}
