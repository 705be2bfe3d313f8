import type { ParseOptions, ParserOutput, SettlementFormatParser } from "../../format-parser.js";
import { type ControlResult, type SettlementLine, UnreadableFileError } from "../../settlement-record.js";
import { currencyDigits, formatAmount, snippet, toSafeNumber } from "../amounts.js";
import { ControlLedger } from "../control.js";
import { calendarDate, parseYymmdd, type YymmddParse } from "../dates.js";
import { type LogicalRecord, logicalRecords } from "./bai2-records.js";
import { fundsTypeExtraFields, typeCodeMeaning } from "./bai2-type-codes.js";

/**
 * BAI2 leaves the currency to the group/account header; when neither gives one the BAI convention
 * (a US standard) is US dollars.
 */
const DEFAULT_CURRENCY = "USD";

/**
 * A BAI2 date: `YYMMDD` by the spec; some banks write `YYYYMMDD` (seen in 01 and 02 headers), which
 * is read as the calendar date it names.
 */
function parseBaiDate(text: string): YymmddParse {
  const long = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!long) return parseYymmdd(text);
  const date = calendarDate(Number(long[1]), Number(long[2]), Number(long[3]));
  return date === null
    ? { ok: false, reason: `"${text}" is not a YYYYMMDD date` }
    : { ok: true, date, clamped: false };
}

function signedInteger(raw: string | undefined): bigint | null {
  const text = (raw ?? "").trim();
  return /^[+-]?\d+$/.test(text) ? BigInt(text) : null;
}

interface Account {
  readonly number: string;
  readonly record: number;
  readonly currency: string;
  sum: bigint;
  records: number;
}

interface Group {
  readonly record: number;
  readonly currency: string | null;
  readonly asOfDate: string | null;
  records: number;
  accounts: number;
  accountTotals: bigint;
}

interface FileState {
  readonly record: number;
  records: number;
  groups: number;
  groupTotals: bigint;
}

/**
 * Reads a BAI2 (BTRS) file: one record per 16 transaction detail (with its 88 continuations).
 * Amounts are integers in the currency's minor units (implied decimals; USD/CAD `208500` =
 * 2085.00); the direction comes from the type code; the value date is the funds-type `V` date when
 * given, else the group's as-of date. Control: account trailers (49: sum of every amount in the 03
 * and 16 records, record count), group trailers (98: sum of 49 totals, accounts, records) and the
 * file trailer (99: sum of 98 totals, groups, records).
 */
export async function* readBai2(
  text: AsyncIterable<string>,
): AsyncGenerator<ParserOutput, ControlResult, undefined> {
  const ledger = new ControlLedger();
  let file: FileState | null = null;
  let group: Group | null = null;
  let account: Account | null = null;
  let sawHeader = false;
  let sawFileTrailer = false;

  /** Counts one physical record (plus continuations) into the open account, group and file. */
  const count = (records: number): void => {
    if (account) account.records += records;
    if (group) group.records += records;
    if (file) file.records += records;
  };

  const compare = (what: string, stated: bigint | null, actual: bigint, currency: string | null): void => {
    const show = (v: bigint): string => (currency ? formatAmount(v, currency) : v.toString());
    if (stated === null) return;
    if (stated === actual) ledger.agree(`${what} ${show(actual)}`);
    else
      ledger.disagree(
        `${what} says ${show(stated)}, records add up to ${show(actual)} (difference ${show(actual - stated)})`,
      );
  };
  const compareCount = (what: string, stated: string | undefined, actual: number): void => {
    const value = signedInteger(stated);
    if (value === null) return;
    if (Number(value) === actual) ledger.agree(`${what} ${actual}`);
    else ledger.disagree(`${what} says ${value}, file has ${actual} (difference ${actual - Number(value)})`);
  };

  const closeAccount = (trailer: string[] | null, record: LogicalRecord | null): void => {
    const open = account;
    if (!open) return;
    account = null;
    const label = `account ${open.number} (record ${open.record})`;
    let total = open.sum;
    if (!trailer || !record) {
      ledger.disagree(`${label}: no 49 account trailer`);
    } else {
      const stated = signedInteger(trailer[0]);
      if ((trailer[0] ?? "").trim() === "") ledger.note(`${label}: 49 control total blank`);
      else if (stated === null) ledger.disagree(`${label}: 49 control total "${trailer[0]}" is not a number`);
      else {
        compare(`${label}: 49 control total`, stated, open.sum, open.currency);
        total = stated;
      }
      compareCount(`${label}: 49 record count`, trailer[1], open.records);
    }
    if (group) {
      group.accounts += 1;
      group.accountTotals += total;
    }
  };

  const closeGroup = (trailer: string[] | null, record: LogicalRecord | null): void => {
    closeAccount(null, null);
    const open = group;
    if (!open) return;
    group = null;
    const label = `group (record ${open.record})`;
    let total = open.accountTotals;
    if (!trailer || !record) {
      ledger.disagree(`${label}: no 98 group trailer`);
    } else {
      const stated = signedInteger(trailer[0]);
      if (stated !== null) total = stated;
      compare(`${label}: 98 control total`, stated, open.accountTotals, null);
      compareCount(`${label}: 98 number of accounts`, trailer[1], open.accounts);
      compareCount(`${label}: 98 record count`, trailer[2], open.records);
    }
    if (file) {
      file.groups += 1;
      file.groupTotals += total;
    }
  };

  const detail = (record: LogicalRecord): ParserOutput => {
    const reject = (reason: string): ParserOutput => ({
      type: "rejected",
      source: record.number,
      reason: `16 record ${record.number} (line ${record.line}): ${reason}`,
    });
    // Fixed fields may themselves continue in 88s; once they are complete, 88s continue the text.
    let combined = record.parts[0] ?? "";
    let next = 1;
    const structuredLength = (fields: string[]): number | null => {
      const extra = fundsTypeExtraFields(fields, 2);
      if (extra === null) return null;
      return extra < 0 ? -1 : 5 + extra;
    };
    for (;;) {
      const length = structuredLength(combined.split(","));
      if (
        (length !== null && (length < 0 || combined.split(",").length >= length)) ||
        next >= record.parts.length
      )
        break;
      combined += `,${record.parts[next] ?? ""}`;
      next += 1;
    }
    const fields = combined.split(",");
    const length = structuredLength(fields);
    const typeCode = (fields[0] ?? "").trim();
    const rawAmount = (fields[1] ?? "").trim();
    const amount = /^\+?\d+$/.test(rawAmount) ? BigInt(rawAmount) : null;
    // Whatever else is wrong, a readable amount still counts in the account control total.
    if (account && amount !== null) account.sum += amount;
    if (length === null || length < 0) {
      return reject(
        `funds type "${fields[2] ?? ""}" is not 0, 1, 2, S, V, D or Z (or its fields are cut short)`,
      );
    }
    const meaning = typeCodeMeaning(typeCode);
    if (meaning.direction === null) return reject(meaning.reason);
    if (amount === null)
      return reject(`amount "${rawAmount}" is not an unsigned whole number of minor units`);
    const net = toSafeNumber(amount);
    if (net === null) return reject(`amount "${rawAmount}" is too large`);
    const currency = account?.currency ?? group?.currency ?? DEFAULT_CURRENCY;
    if (currencyDigits(currency) === null)
      return reject(`currency "${currency}" of the account is not ISO 4217`);

    let valueDate = group?.asOfDate ?? null;
    if ((fields[2] ?? "").trim().toUpperCase() === "V") {
      const parsed = parseBaiDate((fields[3] ?? "").trim());
      if (!parsed.ok) return reject(`value date (funds type V): ${parsed.reason}`);
      valueDate = parsed.date;
    }
    if (valueDate === null)
      return reject("no value date: funds type is not V and the group has no as-of date");

    const text = [fields.slice(length).join(","), ...record.parts.slice(next)].join(" ");
    const line: SettlementLine = {
      type: "line",
      source: record.number,
      reference: (fields[length - 2] ?? "").trim() || null,
      merchantReference: (fields[length - 1] ?? "").trim() || null,
      batchReference: snippet(text),
      merchantId: account?.number ?? null,
      direction: meaning.direction,
      currency,
      netMinor: net,
      grossMinor: null,
      feeMinor: null,
      valueDate,
      kind: meaning.kind,
    };
    return line;
  };

  const handle = (record: LogicalRecord): ParserOutput | null => {
    const fields = record.parts.join(",").split(",");
    if (!sawHeader) {
      if (record.code !== "01") {
        throw new UnreadableFileError(
          `not BAI2: a BAI2 file starts with a 01 file header record, this one starts with "${record.code},"`,
          record.line,
        );
      }
    }
    switch (record.code) {
      case "01":
        if (file)
          ledger.disagree(`file (record ${file.record}): no 99 file trailer before the next 01 header`);
        sawHeader = true;
        sawFileTrailer = false;
        file = { record: record.number, records: 0, groups: 0, groupTotals: 0n };
        count(1 + record.continuations);
        // Optional fields (time, file id, record length, block size, version) may be left empty.
        if (!["2", ""].includes((fields[7] ?? "").trim()))
          ledger.note(`file version "${fields[7]}" (expected 2)`);
        return null;
      case "02": {
        if (group) closeGroup(null, null);
        const currency = (fields[5] ?? "").trim();
        const asOf = parseBaiDate((fields[3] ?? "").trim());
        group = {
          record: record.number,
          currency: currency === "" ? null : currency,
          asOfDate: asOf.ok ? asOf.date : null,
          records: 0,
          accounts: 0,
          accountTotals: 0n,
        };
        count(1 + record.continuations);
        if (!asOf.ok)
          ledger.note(`group (record ${record.number}): as-of date "${fields[3] ?? ""}" unreadable`);
        return null;
      }
      case "03": {
        if (account) closeAccount(null, null);
        const currency = (fields[1] ?? "").trim() || group?.currency || DEFAULT_CURRENCY;
        const opened: Account = {
          number: (fields[0] ?? "").trim(),
          record: record.number,
          currency,
          sum: 0n,
          records: 0,
        };
        for (let i = 2; i < fields.length; ) {
          // Empty fields between summaries (",,," before "/" or an 88) are padding: a summary
          // always starts with its type code.
          if ((fields[i] ?? "").trim() === "") {
            i += 1;
            continue;
          }
          const amount = (fields[i + 1] ?? "").trim();
          if (amount !== "") {
            const value = signedInteger(amount);
            if (value === null)
              ledger.disagree(
                `account ${opened.number} (record ${record.number}): 03 amount "${amount}" is not a number`,
              );
            else opened.sum += value;
          }
          const extra = fundsTypeExtraFields(fields, i + 3) ?? 0;
          i += 4 + Math.max(extra, 0);
        }
        account = opened;
        count(1 + record.continuations);
        return null;
      }
      case "16": {
        count(1 + record.continuations);
        return detail(record);
      }
      case "49":
        count(1 + record.continuations);
        closeAccount(fields, record);
        return null;
      case "98":
        if (account) closeAccount(null, null);
        count(1 + record.continuations);
        closeGroup(fields, record);
        return null;
      case "99": {
        if (group) closeGroup(null, null);
        count(1 + record.continuations);
        const open = file;
        file = null;
        sawFileTrailer = true;
        if (open) {
          compare("file: 99 control total", signedInteger(fields[0]), open.groupTotals, null);
          compareCount("file: 99 number of groups", fields[1], open.groups);
          compareCount("file: 99 record count", fields[2], open.records);
        }
        return null;
      }
      case "88":
        count(1);
        return {
          type: "rejected",
          source: record.number,
          reason: `88 record ${record.number} (line ${record.line}): continuation with no record before it`,
        };
      default:
        count(1 + record.continuations);
        return {
          type: "rejected",
          source: record.number,
          reason: `record ${record.number} (line ${record.line}): unknown record code "${record.code}"`,
        };
    }
  };

  for await (const record of logicalRecords(text)) {
    if (record.code === null) {
      if (!sawHeader) {
        throw new UnreadableFileError(
          `not BAI2: "${record.text.slice(0, 40)}" is not a BAI2 record`,
          record.line,
        );
      }
      yield {
        type: "rejected",
        source: record.number,
        reason: `line ${record.line}: "${record.text.slice(0, 60)}" is not a BAI2 record`,
      };
      continue;
    }
    const out = handle(record);
    if (out) yield out;
  }
  if (!sawHeader) throw new UnreadableFileError("not BAI2: the file is empty", 1);
  if (!sawFileTrailer) {
    if (group) closeGroup(null, null);
    ledger.disagree("no 99 file trailer (file truncated?)");
  }
  return ledger.result("no trailer control totals");
}

function sniffBai2(head: string): number {
  const first = head.replace(/^\s+/, "");
  // Creation date YYMMDD, or YYYYMMDD as some banks write it.
  if (/^01,[^,\r\n]*,[^,\r\n]*,(?:\d{6}|\d{8})[,/]/.test(first))
    return /(^|[/\r\n]\s*)02,/.test(first) ? 0.95 : 0.8;
  return 0;
}

/** BAI2 / BTRS cash-management balance report. */
export const bai2Parser: SettlementFormatParser = {
  format: "bai2",
  sniff: (head: string) => sniffBai2(head),
  parse: (text: AsyncIterable<string>, _options: ParseOptions) => readBai2(text),
};
