import type { ParseOptions, ParserOutput, SettlementFormatParser } from "../../format-parser.js";
import {
  type ControlResult,
  type SettlementLine,
  type SettlementLineKind,
  UnreadableFileError,
} from "../../settlement-record.js";
import { currencyDigits, decimalToMinor, formatAmount, toSafeNumber } from "../amounts.js";
import { ControlLedger } from "../control.js";
import { parseYymmdd } from "../dates.js";
import { type PhysicalLine, physicalLines } from "../text-lines.js";
import { parseField61 } from "./field-61.js";
import { readField86 } from "./field-86.js";

export type SwiftMessage = "MT940" | "MT942";

/** Field tags of MT940/MT942 (plus Sberbank's `NS`); any other `:xx:` line is continuation text. */
const KNOWN_TAGS = new Set([
  "20",
  "21",
  "25",
  "25P",
  "28",
  "28C",
  "60F",
  "60M",
  "61",
  "62F",
  "62M",
  "64",
  "65",
  "86",
  "13",
  "13D",
  "34F",
  "90D",
  "90C",
  "NS",
]);
const TAG_LINE = /^:(\d\d[A-Z]?|NS):(.*)$/;
/** A file whose first lines hold no field tag at all is not a SWIFT statement. */
const MAX_LINES_BEFORE_FIRST_TAG = 50;
// Control characters other than tab (mBank wraps messages in SOH … ETX; some files carry junk).
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

interface Field {
  readonly tag: string;
  readonly line: number;
  readonly lines: string[];
}

interface Balance {
  readonly tag: string;
  readonly currency: string;
  readonly minor: bigint;
}

interface Summary90 {
  readonly count: number;
  readonly currency: string;
  readonly minor: bigint;
}

type AmountIn = { ok: true; minor: bigint } | { ok: false; reason: string };

function amountIn(currency: string, raw: string): AmountIn {
  const digits = currencyDigits(currency);
  if (digits === null) return { ok: false, reason: `unknown currency "${currency}"` };
  return decimalToMinor(raw, digits, ",");
}

const CHARGE_TYPES = /^[NF](CHG|COM)$/;
const INTEREST_TYPES = /^[NF]INT$/;

class Statement {
  reference: string | null = null;
  account: string | null = null;
  opening: Balance | null = null;
  closing: Balance | null = null;
  floorCurrency: string | null = null;
  lines = 0;
  unreadable = 0;
  credit = { count: 0, minor: 0n };
  debit = { count: 0, minor: 0n };
  readonly currencies = new Set<string>();
  summaryDebit: Summary90 | null = null;
  summaryCredit: Summary90 | null = null;
  clampedDates = 0;

  constructor(
    readonly index: number,
    readonly line: number,
  ) {}

  get currency(): string | null {
    return this.opening?.currency ?? this.floorCurrency ?? this.closing?.currency ?? null;
  }

  get label(): string {
    return `statement ${this.index}${this.reference ? ` (:20:${this.reference})` : ""} at line ${this.line}`;
  }
}

function check(statement: Statement, message: SwiftMessage, ledger: ControlLedger): void {
  const label = statement.label;
  if (statement.unreadable > 0)
    ledger.note(`${label}: ${statement.unreadable} unreadable :61: lines not in the sums`);
  if (statement.clampedDates > 0) {
    ledger.note(`${label}: ${statement.clampedDates} value dates past month end moved to the last day`);
  }
  const { opening, closing } = statement;
  if (opening && closing) {
    const currency = opening.currency;
    if (closing.currency !== currency || [...statement.currencies].some((c) => c !== currency)) {
      ledger.disagree(
        `${label}: balances in ${opening.currency}/${closing.currency} do not match the lines' currency`,
      );
    } else {
      const movement = statement.credit.minor - statement.debit.minor;
      const expected = opening.minor + movement;
      const text = `${label}: :${opening.tag}: ${formatAmount(opening.minor, currency)} + ${statement.lines} lines ${formatAmount(movement, currency)}`;
      if (expected === closing.minor) {
        ledger.agree(`${text} = :${closing.tag}: ${formatAmount(closing.minor, currency)}`);
      } else {
        ledger.disagree(
          `${text} = ${formatAmount(expected, currency)}, but :${closing.tag}: is ${formatAmount(closing.minor, currency)} (difference ${formatAmount(closing.minor - expected, currency)})`,
        );
      }
    }
  } else if (message === "MT940" && (opening || closing || statement.lines > 0)) {
    ledger.disagree(
      `${label}: no ${opening ? "closing balance :62F:/:62M:" : closing ? "opening balance :60F:/:60M:" : "opening/closing balances"} to check its ${statement.lines} lines against`,
    );
  }
  const summaries: Array<[string, Summary90 | null, { count: number; minor: bigint }]> = [
    ["90D", statement.summaryDebit, statement.debit],
    ["90C", statement.summaryCredit, statement.credit],
  ];
  for (const [tag, stated, actual] of summaries) {
    if (!stated) continue;
    if (stated.count === actual.count && stated.minor === actual.minor) {
      ledger.agree(`${label}: :${tag}: ${stated.count} lines ${formatAmount(stated.minor, stated.currency)}`);
    } else {
      ledger.disagree(
        `${label}: :${tag}: says ${stated.count} lines ${formatAmount(stated.minor, stated.currency)}, file has ${actual.count} lines ${formatAmount(actual.minor, stated.currency)} (difference ${formatAmount(actual.minor - stated.minor, stated.currency)})`,
      );
    }
  }
}

/**
 * Reads SWIFT MT940 statements / MT942 interim reports, with or without `{1:}{2:}{4:` envelope
 * blocks, several messages per file, CRLF/LF/CR, blank lines, SOH/ETX and other control
 * characters, wrapped `:61:`/`:86:` lines, and non-standard tags treated as text. Yields one
 * record per `:61:` (its `:86:` lines attached); control per statement is opening (:60F:/:60M:) +
 * lines = closing (:62F:/:62M:), and for MT942 the :90D:/:90C: counts and sums.
 */
export async function* readSwift(
  text: AsyncIterable<string>,
  message: SwiftMessage,
): AsyncGenerator<ParserOutput, ControlResult, undefined> {
  const ledger = new ControlLedger();
  let statement: Statement | null = null;
  let statements = 0;
  let field: Field | null = null;
  /** The `:61:` waiting for its `:86:` lines. */
  let pending: { field: Field; info: string[] } | null = null;
  let sawTag = false;
  let nonEmptyLines = 0;
  let lonelyColon: PhysicalLine | null = null;

  const openStatement = (line: number): Statement => {
    if (statement) check(statement, message, ledger);
    statements += 1;
    statement = new Statement(statements, line);
    return statement;
  };
  const current = (line: number): Statement => statement ?? openStatement(line);

  const emitPending = (): ParserOutput | null => {
    if (!pending) return null;
    const { field: f61, info } = pending;
    pending = null;
    const owner = current(f61.line);
    const reject = (reason: string): ParserOutput => {
      owner.unreadable += 1;
      return { type: "rejected", source: f61.line, reason };
    };
    const parsed = parseField61(f61.lines);
    if (!parsed.ok) return reject(parsed.reason);
    const f = parsed.field;
    const date = parseYymmdd(f.valueDate);
    if (!date.ok) return reject(`:61: value date: ${date.reason}`);
    if (date.clamped) owner.clampedDates += 1;
    const currency = owner.currency;
    if (currency === null) return reject(":61: no currency: no :60F:/:60M: or :34F: before this line");
    const amount = amountIn(currency, f.amount);
    if (!amount.ok) return reject(`:61: amount: ${amount.reason}`);
    const net = toSafeNumber(amount.minor);
    if (net === null) return reject(":61: amount: too large");

    const credit = f.mark === "C" || f.mark === "RD" || f.mark === "EC";
    const reversal = f.mark === "RC" || f.mark === "RD";
    const info86 = readField86(info);
    const details = `${f.supplementary ?? ""} ${info86.text}`;
    const extra = (code: "OCMT" | "CHGS"): number | null => {
      const match = new RegExp(`/${code}/([A-Z]{3})(\\d+,\\d*)`).exec(details);
      if (!match || match[1] !== currency) return null;
      const read = amountIn(currency, match[2] ?? "");
      return read.ok ? toSafeNumber(read.minor) : null;
    };
    let kind: SettlementLineKind = "other";
    if (!reversal && !credit && CHARGE_TYPES.test(f.transactionType)) kind = "fee";
    else if (!reversal && credit && !INTEREST_TYPES.test(f.transactionType)) kind = "payout";

    owner.lines += 1;
    owner.currencies.add(currency);
    const side = credit ? owner.credit : owner.debit;
    side.count += 1;
    side.minor += amount.minor;
    const line: SettlementLine = {
      type: "line",
      source: f61.line,
      reference: f.bankReference,
      merchantReference: f.customerReference ?? info86.endToEnd,
      batchReference: info86.remittance,
      merchantId: owner.account,
      direction: credit ? "credit" : "debit",
      currency,
      netMinor: net,
      grossMinor: extra("OCMT"),
      feeMinor: extra("CHGS"),
      valueDate: date.date,
      kind,
    };
    return line;
  };

  const balance = (f: Field, into: "opening" | "closing"): void => {
    const owner = current(f.line);
    const raw = f.lines.join("").trim();
    // Currency is mandatory but some exports omit it; the statement's currency then applies.
    const match = /^([CD])(\d{6})([A-Z]{3})?(\d+(?:,\d*)?)$/.exec(raw);
    const currency = match?.[3] ?? owner.currency;
    const amount = match && currency ? amountIn(currency, match[4] ?? "") : null;
    if (!match || !currency || !amount?.ok) {
      ledger.disagree(`${owner.label}: :${f.tag}: "${raw}" is not a balance (C/D, YYMMDD, currency, amount)`);
      return;
    }
    owner[into] = { tag: f.tag, currency, minor: (match[1] === "D" ? -1n : 1n) * amount.minor };
  };

  const summary90 = (f: Field): Summary90 | null => {
    const raw = f.lines.join("").trim();
    const match = /^(\d{1,5})([A-Z]{3})(\d+(?:,\d*)?)$/.exec(raw);
    const amount = match ? amountIn(match[2] ?? "", match[3] ?? "") : null;
    if (!match || !amount?.ok) {
      ledger.disagree(`line ${f.line}: :${f.tag}: "${raw}" is not a count, currency and amount`);
      return null;
    }
    return { count: Number(match[1]), currency: match[2] ?? "", minor: amount.minor };
  };

  /** A field is complete: apply it. Returns a record when a `:61:` became final. */
  const complete = (f: Field): ParserOutput | null => {
    if (f.tag === "86") {
      if (pending) pending.info.push(...f.lines);
      return null; // statement-level :86: carries nothing we match on
    }
    if (f.tag === "NS") return null; // Sberbank / Hungarian private field
    const out = emitPending();
    switch (f.tag) {
      case "20":
        openStatement(f.line).reference = f.lines.join(" ").trim() || null;
        break;
      case "25":
      case "25P":
        current(f.line).account = f.lines.join(" ").trim() || null;
        break;
      case "60F":
      case "60M": {
        const owner = current(f.line);
        // A second opening balance without a new :20: starts another statement.
        if (owner.opening || owner.closing || owner.lines > 0) openStatement(f.line);
        balance(f, "opening");
        break;
      }
      case "62F":
      case "62M":
        balance(f, "closing");
        break;
      case "34F": {
        const match = /^([A-Z]{3})/.exec(f.lines.join("").trim());
        const owner = current(f.line);
        if (match && owner.floorCurrency === null) owner.floorCurrency = match[1] ?? null;
        break;
      }
      case "90D":
        current(f.line).summaryDebit = summary90(f);
        break;
      case "90C":
        current(f.line).summaryCredit = summary90(f);
        break;
      case "61":
        current(f.line);
        pending = { field: f, info: [] };
        break;
      default:
        break; // :21:, :28C:, :64:, :65:, :13D: - not needed for lines or control
    }
    return out;
  };

  const finishField = (): ParserOutput | null => {
    if (!field) return null;
    const f = field;
    field = null;
    return complete(f);
  };

  const handleLine = (line: PhysicalLine): ParserOutput[] => {
    let text = line.text.replace(CONTROL_CHARACTERS, "");
    if (text.trim() === "") return [];
    nonEmptyLines += 1;
    // Envelope: `{1:…}{2:…}{3:…}{4:` opens a message, `-}` (maybe followed by `{5:…}`) closes it.
    if (/^\{[1-5]:/.test(text)) {
      const type = /\{2:[IO](\d{3})/.exec(text)?.[1];
      if ((type === "940" || type === "942") && type !== message.slice(2)) {
        throw new UnreadableFileError(
          `this is an MT${type} message ({2:…${type}…}), not ${message}`,
          line.number,
        );
      }
      const body = text.indexOf("{4:");
      if (body === -1) return [];
      text = text.slice(body + 3);
      if (text.trim() === "") return [];
    }
    const trimmed = text.trim();
    if (trimmed === "-" || trimmed.startsWith("-}")) {
      const out = [finishField(), emitPending()];
      return out.filter((o): o is ParserOutput => o !== null);
    }
    const tagLine = TAG_LINE.exec(text);
    if (tagLine && KNOWN_TAGS.has(tagLine[1] ?? "")) {
      const tag = tagLine[1] ?? "";
      if (message === "MT940" && (tag === "34F" || tag === "13D")) {
        throw new UnreadableFileError(`this is an MT942 interim report (:${tag}:), not MT940`, line.number);
      }
      sawTag = true;
      const out = finishField();
      field = { tag, line: line.number, lines: [tagLine[2] ?? ""] };
      return out ? [out] : [];
    }
    if (field) field.lines.push(text);
    return [];
  };

  for await (const physical of physicalLines(text)) {
    // A tag split over two lines (`:` alone, then `86:…`).
    let line = physical;
    if (lonelyColon) {
      const previous = lonelyColon;
      lonelyColon = null;
      if (/^(\d\d[A-Z]?|NS):/.test(physical.text))
        line = { number: previous.number, text: `:${physical.text}` };
      else yield* handleLine(previous);
    } else if (physical.text.trim() === ":") {
      lonelyColon = physical;
      continue;
    }
    yield* handleLine(line);
    if (!sawTag && nonEmptyLines > MAX_LINES_BEFORE_FIRST_TAG) {
      throw new UnreadableFileError(
        `not ${message}: no SWIFT field tag (:20:, :25:, :60F:, :61: …) in the first ${MAX_LINES_BEFORE_FIRST_TAG} lines`,
        physical.number,
      );
    }
  }
  if (lonelyColon) yield* handleLine(lonelyColon);
  const last = finishField();
  if (last) yield last;
  const tail = emitPending();
  if (tail) yield tail;
  if (!sawTag)
    throw new UnreadableFileError(`not ${message}: no SWIFT field tag (:20:, :25:, :60F:, :61: …)`, 1);
  if (statement) check(statement, message, ledger);
  return ledger.result(
    statements === 0
      ? "no statement in the file"
      : message === "MT942"
        ? `no :60F:/:62F: balances or :90D:/:90C: totals in ${statements} reports`
        : `no balances in ${statements} statements`,
  );
}

/** Whether the head of a file looks like MT940/MT942 (field tags at line starts). */
function tagsIn(head: string): Set<string> {
  const tags = new Set<string>();
  const cleaned = head.replace(CONTROL_CHARACTERS, "");
  for (const match of cleaned.matchAll(/(?:^|[\r\n]|\{4:)[ \t]*:(\d\d[A-Z]?):/g)) {
    if (match[1] && KNOWN_TAGS.has(match[1])) tags.add(match[1]);
  }
  return tags;
}

function sniffSwift(head: string, message: SwiftMessage): number {
  const block2 = /\{2:[IO](94[02])/.exec(head);
  if (block2) return block2[1] === message.slice(2) ? 0.95 : 0.05;
  const tags = tagsIn(head);
  if (tags.size === 0) return 0;
  const interim = tags.has("34F") || tags.has("13D") || tags.has("90D") || tags.has("90C");
  const statementTags = ["20", "25", "28C", "28", "60F", "60M", "61", "62F", "62M", "86"].filter((t) =>
    tags.has(t),
  );
  if (statementTags.length === 0 && !interim) return 0;
  if (message === "MT942") return interim ? 0.9 : 0.1;
  if (interim) return 0.2;
  const strong = tags.has("20") && tags.has("25") && (tags.has("60F") || tags.has("62F") || tags.has("61"));
  return strong ? 0.9 : 0.6;
}

function swiftParser(message: SwiftMessage): SettlementFormatParser {
  return {
    format: message === "MT940" ? "mt940" : "mt942",
    sniff: (head: string) => sniffSwift(head, message),
    parse: (text: AsyncIterable<string>, _options: ParseOptions) => readSwift(text, message),
  };
}

/** SWIFT MT940 customer statement. */
export const mt940Parser: SettlementFormatParser = swiftParser("MT940");

/** SWIFT MT942 interim transaction report. */
export const mt942Parser: SettlementFormatParser = swiftParser("MT942");
