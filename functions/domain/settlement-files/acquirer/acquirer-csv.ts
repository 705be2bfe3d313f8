/**
 * Any acquirer's delimited settlement file, read through an `AcquirerCsvMapping` from config (see
 * acquirer-csv-mapping.ts): columns by header name, amount unit and separators, date pattern, kind
 * and direction values, footer control line. A new acquirer is a config entry, not code.
 *
 * Sign rules, per row: net = the net column, or gross − fee. Direction = the direction column when
 * mapped and its value known; else a negative net is a debit, a positive one a credit - except for
 * kinds refund / payout / fee, which are debits when written unsigned. When gross is known, the
 * contract fee is derived (signed gross − signed net) so that it is consistent with the direction:
 * a refund of 100.00 netting 99.40 means 0.60 of fee was returned (feeMinor −60).
 */
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import { type SettlementLineKind, UnreadableFileError } from "../settlement-record.js";
import { decimalToMinor, FieldError, integerMinor } from "../text/amounts.js";
import { ControlComparison } from "../text/control.js";
import { readCsvTable } from "../text/csv-table.js";
import { datePatternReader } from "../text/dates.js";
import { columnCountProblem, HeaderIndex, isBlankRecord, splitDelimited } from "../text/delimited.js";
import { prefetch } from "../text/prefetch.js";
import { readCurrency, rejected, rejectedBecause, settlementLine, textOrNull } from "../text/records.js";
import type { AcquirerCsvMapping } from "./acquirer-csv-mapping.js";
import { builtInAcquirerCsvMappings } from "./known-acquirers.js";

type ColumnKey = keyof AcquirerCsvMapping["columns"];

const names = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The mappings to consider: config first, then the built-in ones. */
export function acquirerMappings(options: ParseOptions): readonly AcquirerCsvMapping[] {
  return [...(options.acquirerCsv ?? []), ...builtInAcquirerCsvMappings];
}

/** Every mapped column (alternatives: one of them) is in `header`. */
function headerMatches(mapping: AcquirerCsvMapping, header: HeaderIndex): boolean {
  return Object.values(mapping.columns).every((value) => {
    const alternatives = names(value);
    return alternatives.length === 0 || header.has(...alternatives);
  });
}

function compile(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => new RegExp(p, "u"));
}

/** Confidence that `head` is a file of `mapping`. */
export function matchAcquirerMapping(head: string, mapping: AcquirerCsvMapping): number {
  const ignore = compile(mapping.ignoreLines);
  const control = mapping.controlLine === undefined ? null : new RegExp(mapping.controlLine, "u");
  const lines = head.split(/\r\n|\r|\n/);
  lines.pop(); // possibly cut mid-line
  let seen = 0;
  for (const raw of lines) {
    const line = raw.replace(/^\uFEFF/, "");
    if (ignore.some((r) => r.test(line)) || control?.test(line)) continue;
    const fields = splitDelimited(line, mapping.delimiter) ?? line.split(mapping.delimiter);
    if (isBlankRecord(fields)) continue;
    seen++;
    if (mapping.columnNames) {
      // Headerless: the first record must have the configured width and a date where the date is.
      const width = mapping.columnNames.length;
      const trimmed = fields.length > width && fields.slice(width).every((f) => f.trim() === "");
      if (fields.length !== width && !trimmed) return 0;
      const header = new HeaderIndex(mapping.columnNames);
      const at = header.find(...names(mapping.columns.valueDate));
      try {
        datePatternReader(mapping.valueDateFormat)(fields[at] ?? "", "date");
        return 0.6;
      } catch {
        return 0;
      }
    }
    if (headerMatches(mapping, new HeaderIndex(fields.map((f) => f.trim())))) return 0.85;
    if (seen > mapping.maxPreambleLines) return 0;
  }
  return 0;
}

/** The best mapping for a head, or null. */
export function chooseAcquirerMapping(head: string, options: ParseOptions): AcquirerCsvMapping | null {
  let best: AcquirerCsvMapping | null = null;
  let bestScore = 0;
  for (const mapping of acquirerMappings(options)) {
    const score = matchAcquirerMapping(head, mapping);
    if (score > bestScore) {
      best = mapping;
      bestScore = score;
    }
  }
  return best;
}

const HEAD_CHARS = 16 * 1024;

export const acquirerCsvParser: SettlementFormatParser = {
  format: "acquirer-csv",

  sniff(head: string, options: ParseOptions): number {
    let best = 0;
    for (const mapping of acquirerMappings(options))
      best = Math.max(best, matchAcquirerMapping(head, mapping));
    return best;
  },

  async *parse(
    text: AsyncIterable<string>,
    options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    // Look at the head to choose the mapping, then replay it.
    const { head, replay } = await prefetch(text, (chunk) => chunk.length, HEAD_CHARS);
    const mapping = chooseAcquirerMapping(head.join(""), options);
    if (mapping === null) {
      await replay.return();
      throw new UnreadableFileError(
        `no acquirer CSV mapping matches this file's header (mappings: ${acquirerMappings(options)
          .map((m) => m.acquirer)
          .join(", ")})`,
        1,
      );
    }
    return yield* parseWithMapping(replay, mapping);
  },
};

/** Reads a delimited file with one mapping (exported for tests and for callers that know the acquirer). */
export async function* parseWithMapping(
  text: AsyncIterable<string>,
  mapping: AcquirerCsvMapping,
): AsyncGenerator<ParserOutput, ParseResult, undefined> {
  const ignore = compile(mapping.ignoreLines);
  const controlPattern = mapping.controlLine === undefined ? null : new RegExp(mapping.controlLine, "u");
  const readDate = datePatternReader(mapping.valueDateFormat);
  const kindValues = new Map(Object.entries(mapping.kindValues).map(([k, v]) => [k.trim().toLowerCase(), v]));
  const directionValues = new Map(
    Object.entries(mapping.directionValues).map(([k, v]) => [k.trim().toLowerCase(), v]),
  );
  const decimalOptions = { decimalSeparator: mapping.decimalSeparator } as const;
  const thousands = mapping.thousandsSeparator;
  const controlLines: { groups: Record<string, string>; line: number }[] = [];
  const sums = { count: 0, gross: 0, net: 0, fee: 0, digits: -1, currencies: new Set<string>() };

  let col: Record<ColumnKey, number> | null = null;
  const columnLabel = (key: ColumnKey) => names(mapping.columns[key])[0] ?? key;

  const amountOf = (raw: string, digits: number, key: ColumnKey): number | null => {
    let text = raw.trim();
    if (text === "") return null;
    if (thousands !== undefined) text = text.split(thousands).join("");
    return mapping.amountUnit === "minor"
      ? integerMinor(text, columnLabel(key))
      : decimalToMinor(text, digits, columnLabel(key), decimalOptions);
  };

  const row = (fields: string[], header: HeaderIndex, line: number): ParserOutput => {
    const countProblem = columnCountProblem(fields, header);
    if (countProblem) return rejectedBecause(line, countProblem);
    if (col === null) {
      const found = {} as Record<ColumnKey, number>;
      for (const key of Object.keys(mapping.columns) as ColumnKey[]) {
        found[key] = header.find(...names(mapping.columns[key]));
      }
      col = found;
    }
    const c = col;
    const at = (key: ColumnKey) => {
      const i = c[key];
      return i === undefined || i < 0 ? "" : (fields[i] ?? "").trim();
    };
    try {
      const reference = textOrNull(at("reference"));
      if (reference === null) throw new FieldError(`${columnLabel("reference")}: missing`);
      const { currency, digits } = readCurrency(
        mapping.columns.currency !== undefined && at("currency") !== ""
          ? at("currency")
          : mapping.defaultCurrency,
        mapping.columns.currency !== undefined ? columnLabel("currency") : "defaultCurrency",
      );
      const valueDate = readDate(at("valueDate"), columnLabel("valueDate"));
      const kindText = at("kind");
      let kind: SettlementLineKind = "other";
      if (mapping.columns.kind === undefined) kind = "payment";
      else kind = kindValues.get(kindText.toLowerCase()) ?? "other";
      const gross = amountOf(at("gross"), digits, "gross");
      const writtenFee = amountOf(at("fee"), digits, "fee");
      const fee =
        writtenFee === null ? null : mapping.feeSign === "charge-negative" ? -writtenFee : writtenFee;
      let net = amountOf(at("net"), digits, "net");
      if (net === null) {
        if (gross === null) {
          throw new FieldError(
            `${mapping.columns.net !== undefined ? columnLabel("net") : columnLabel("gross")}: missing amount`,
          );
        }
        net = gross - (fee ?? 0);
      }
      let direction: "credit" | "debit" | undefined;
      if (mapping.columns.direction !== undefined)
        direction = directionValues.get(at("direction").toLowerCase());
      if (direction === undefined) {
        if (net < 0) direction = "debit";
        else if (net > 0)
          direction = kind === "refund" || kind === "payout" || kind === "fee" ? "debit" : "credit";
      }
      const magnitude = Math.abs(net);
      const signedNet = direction === "debit" ? -magnitude : magnitude;
      const grossMagnitude = gross === null ? null : Math.abs(gross);
      const sign = direction === "debit" ? -1 : 1;
      const feeMinor = grossMagnitude === null ? fee : sign * grossMagnitude - signedNet;
      sums.count++;
      sums.currencies.add(currency);
      sums.digits = digits;
      sums.net += signedNet;
      if (grossMagnitude !== null) sums.gross += sign * grossMagnitude;
      if (feeMinor !== null) sums.fee += feeMinor;
      return settlementLine({
        source: line,
        reference,
        merchantReference: textOrNull(at("merchantReference")),
        batchReference: textOrNull(at("batchReference")),
        merchantId: textOrNull(at("merchantId")),
        currency,
        signedNet,
        grossMinor: grossMagnitude,
        feeMinor,
        valueDate,
        kind,
        ...(direction !== undefined ? { zeroDirection: direction } : {}),
      });
    } catch (error) {
      return rejected(line, error);
    }
  };

  const result = yield* readCsvTable(text, {
    delimiter: mapping.delimiter,
    description: `a ${mapping.acquirer} settlement file`,
    isHeader: (h) => headerMatches(mapping, h),
    ...(mapping.columnNames ? { header: mapping.columnNames } : {}),
    maxPreamble: mapping.maxPreambleLines,
    ignoreLine: (raw) => ignore.some((r) => r.test(raw)) || (controlPattern?.test(raw) ?? false),
    onIgnored: (raw, line) => {
      const groups = controlPattern?.exec(raw)?.groups;
      if (groups) controlLines.push({ groups: { ...groups }, line });
    },
    row,
  });

  const control = new ControlComparison();
  for (const { groups, line } of controlLines) {
    try {
      if (groups.count !== undefined)
        control.compare(`count (line ${line})`, integerMinor(groups.count, "count"), result.records);
      const digits = sums.digits >= 0 ? sums.digits : 2;
      if (sums.currencies.size > 1) {
        control.problem("amount totals not compared: the file mixes currencies");
        continue;
      }
      for (const key of ["gross", "net", "fee"] as const) {
        const raw = groups[key];
        if (raw === undefined) continue;
        const value = amountOf(raw, digits, key);
        if (value === null) continue;
        control.compare(
          `${key} (line ${line})`,
          value,
          sums[key],
          mapping.amountUnit === "minor" ? 0 : digits,
        );
      }
    } catch (error) {
      if (error instanceof FieldError) control.problem(`unreadable control line ${line}: ${error.message}`);
      else throw error;
    }
  }
  if (controlLines.length === 0 && controlPattern !== null) {
    control.problem("the configured control line (totals) was not found: truncated file?");
  }
  const verdict = control.empty
    ? {
        control: "absent" as const,
        controlDetail: "no control line configured",
      }
    : control.result("control line");
  return { ...verdict, variant: mapping.acquirer };
}
