/**
 * The plug-in interface every settlement-file parser implements (WeChat, Alipay, acquirer CSV,
 * Adyen, Stripe here; camt.053/054, MT940/942, BAI2 under `./bank/`). The reader in
 * `./decoding/read-settlement-file.ts` does the byte work (gzip, zip, encoding, BOM), picks a parser
 * with `sniff`, feeds it decoded text chunks, counts totals and appends the summary record.
 */
import type { AcquirerCsvMapping } from "./acquirer/acquirer-csv-mapping.js";
import type { ControlResult, RejectedRecord, SettlementFormat, SettlementLine } from "./settlement-record.js";

export interface ParseOptions {
  /** Column mappings for `acquirer-csv` files (from config); other parsers ignore it. */
  readonly acquirerCsv?: readonly AcquirerCsvMapping[];
  /**
   * Name of the file (or zip entry) being read, when known. Some formats carry facts only in the
   * name (a WeChat bill's date, a UnionPay settlement date); parsers must work without it.
   */
  readonly fileName?: string;
}

/** What a parser returns when done: the control check, and which layout of the format it read. */
export interface ParseResult extends ControlResult {
  variant?: string;
}

/** What a parser yields for each record: exactly one of these per data record in the file. */
export type ParserOutput = SettlementLine | RejectedRecord;

export interface SettlementFormatParser {
  readonly format: SettlementFormat;
  /**
   * Confidence (0..1) that `head` - the first ~16 KB of the decoded text, BOM removed, possibly cut
   * mid-line - starts a file of this format. 0 = certainly not; ≥ 0.9 = a signature only this
   * format has (a header row, a namespace). Must be cheap and must never throw.
   */
  sniff(head: string, options: ParseOptions): number;
  /**
   * Reads the whole decoded text (chunks of any size, split anywhere - even inside a line or
   * between the CR and LF of a line break) and yields one `line` or `rejected` per data record, in file
   * order, never buffering the whole file. Headers, comments, trailers and summary rows are not
   * records. Returns the comparison of the file's own control figures with its detail
   * (a `ControlResult`; `variant` is optional).
   * Throws `UnreadableFileError` (with the line) when the text is not this format at all.
   */
  parse(
    text: AsyncIterable<string>,
    options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult, undefined>;
}
