import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../../format-parser.js";
import { type SettlementFormat, UnreadableFileError } from "../../settlement-record.js";
import { formatAmount } from "../amounts.js";
import { ControlLedger } from "../control.js";
import { isoDatePart } from "../dates.js";
import {
  type CamtAmount,
  entryRecords,
  readAmount,
  readDateChoice,
  readDecimal,
  signOf,
} from "./camt-entry.js";
import { child, textAt, type XmlElement } from "./xml-element.js";

/** The three bank-to-customer cash-management messages; they share everything below the top. */
export type CamtMessage = "camt.052" | "camt.053" | "camt.054";

const MESSAGE_ELEMENT: Record<CamtMessage, string> = {
  "camt.052": "BkToCstmrAcctRpt",
  "camt.053": "BkToCstmrStmt",
  "camt.054": "BkToCstmrDbtCdtNtfctn",
};
const STATEMENT_ELEMENT: Record<CamtMessage, string> = {
  "camt.052": "Rpt",
  "camt.053": "Stmt",
  "camt.054": "Ntfctn",
};
const MESSAGE_BY_ELEMENT = new Map<string, CamtMessage>(
  Object.entries(MESSAGE_ELEMENT).map(([message, element]) => [element, message as CamtMessage]),
);
/** Statement-level children we keep (small); everything else under a statement is skipped. */
const CAPTURED_IN_STATEMENT = new Set(["Id", "CreDtTm", "Acct", "Bal", "TxsSummry", "Ntry"]);

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

interface Balance {
  readonly code: string;
  readonly amount: CamtAmount;
  readonly date: string | null;
}

/** Per-statement state: account, balances, summary, and what the entries added up to. */
class StatementState {
  id: string | null = null;
  accountId: string | null = null;
  readonly balances: Balance[] = [];
  summary: XmlElement | undefined;
  entries = 0;
  unreadable = 0;
  notBooked = 0;
  collapsedBatches = 0;
  /** Per currency: all entries (for TxsSummry) and booked ones (for balances). */
  readonly all = new Map<
    string,
    { credit: bigint; creditCount: number; debit: bigint; debitCount: number }
  >();
  readonly booked = new Map<string, bigint>();
  /** Booked movement per currency and value date, to explain a CLBD that excludes forward-valued entries. */
  readonly bookedByValueDate = new Map<string, bigint>();
  createdOn: string | null = null;

  constructor(
    readonly index: number,
    readonly line: number,
  ) {}

  get label(): string {
    return `${this.id ?? `statement ${this.index}`} (line ${this.line})`;
  }
}

function checkStatement(state: StatementState, statementName: string, ledger: ControlLedger): void {
  const label = `${statementName} ${state.label}`;
  if (state.unreadable > 0)
    ledger.note(`${label}: ${state.unreadable} unreadable entries are not in the sums`);
  if (state.notBooked > 0) ledger.note(`${label}: ${state.notBooked} entries not booked (PDNG/INFO)`);
  if (state.collapsedBatches > 0) {
    ledger.note(
      `${label}: ${state.collapsedBatches} batch entries reported as one line (TxDtls do not add up)`,
    );
  }

  // Balances: opening booked (OPBD, or PRCD = previous closing) + booked entries = CLBD.
  const opening =
    state.balances.find((b) => b.code === "OPBD") ?? state.balances.find((b) => b.code === "PRCD");
  const closing = state.balances.find((b) => b.code === "CLBD");
  if (opening && closing) {
    const currency = opening.amount.currency;
    const foreign = [...state.booked.keys()].filter((c) => c !== currency);
    if (closing.amount.currency !== currency || foreign.length > 0) {
      ledger.disagree(
        `${label}: balances in ${currency}/${closing.amount.currency} but entries in ${[...state.booked.keys()].join("/")}`,
      );
    } else {
      const movement = state.booked.get(currency) ?? 0n;
      const expected = opening.amount.minor + movement;
      const text = `${label}: ${opening.code} ${formatAmount(opening.amount.minor, currency)} + booked entries ${formatAmount(movement, currency)}`;
      // Some banks (PostFinance) leave entries valued after the balance date out of CLBD.
      let forward = 0n;
      if (closing.date !== null) {
        for (const [key, minor] of state.bookedByValueDate) {
          const [entryCurrency, valueDate] = key.split(" ");
          if (entryCurrency === currency && valueDate !== undefined && valueDate > closing.date)
            forward += minor;
        }
      }
      if (expected === closing.amount.minor) {
        ledger.agree(`${text} = CLBD ${formatAmount(closing.amount.minor, currency)}`);
      } else if (forward !== 0n && expected - forward === closing.amount.minor) {
        ledger.agree(
          `${text} - entries valued after ${closing.date} ${formatAmount(forward, currency)} = CLBD ${formatAmount(closing.amount.minor, currency)}`,
        );
      } else {
        ledger.disagree(
          `${text} = ${formatAmount(expected, currency)}, but CLBD is ${formatAmount(closing.amount.minor, currency)} (difference ${formatAmount(closing.amount.minor - expected, currency)})`,
        );
      }
    }
  }

  // TxsSummry: counts and sums over all entries of the statement.
  const summary = state.summary;
  if (!summary) return;
  const currencies = [...state.all.keys()];
  const currency = currencies[0] ?? opening?.amount.currency ?? closing?.amount.currency ?? null;
  if (currencies.length > 1 || currency === null) {
    ledger.note(`${label}: TxsSummry not checked (entries in ${currencies.length} currencies)`);
    return;
  }
  const figures = state.all.get(currency) ?? { credit: 0n, creditCount: 0, debit: 0n, debitCount: 0 };
  const compareCount = (what: string, stated: string | null, actual: number): void => {
    if (stated === null) return;
    if (Number(stated) === actual) ledger.agree(`${label}: ${what} ${actual}`);
    else
      ledger.disagree(
        `${label}: ${what} says ${stated}, file has ${actual} (difference ${actual - Number(stated)})`,
      );
  };
  const compareSum = (what: string, stated: string | null, actual: bigint): void => {
    if (stated === null) return;
    const value = readDecimal(stated, currency);
    if (value === null) {
      ledger.disagree(`${label}: ${what} "${stated}" is not a ${currency} amount`);
    } else if (value === actual) {
      ledger.agree(`${label}: ${what} ${formatAmount(actual, currency)}`);
    } else {
      ledger.disagree(
        `${label}: ${what} says ${formatAmount(value, currency)}, entries add up to ${formatAmount(actual, currency)} (difference ${formatAmount(actual - value, currency)})`,
      );
    }
  };
  const total = child(summary, "TtlNtries");
  compareCount("TtlNtries/NbOfNtries", textAt(total, "NbOfNtries"), figures.creditCount + figures.debitCount);
  compareSum("TtlNtries/Sum", textAt(total, "Sum"), figures.credit + figures.debit);
  const net = textAt(total, "TtlNetNtryAmt");
  if (net !== null) {
    const sign = signOf(textAt(total, "CdtDbtInd")) ?? 1n;
    const value = readDecimal(net, currency);
    const actual = figures.credit - figures.debit;
    if (value !== null && sign * value === actual) {
      ledger.agree(`${label}: TtlNtries/TtlNetNtryAmt ${formatAmount(actual, currency)}`);
    } else {
      ledger.disagree(
        `${label}: TtlNtries/TtlNetNtryAmt says ${value === null ? `"${net}"` : formatAmount(sign * value, currency)}, entries net ${formatAmount(actual, currency)}`,
      );
    }
  }
  const credits = child(summary, "TtlCdtNtries");
  compareCount("TtlCdtNtries/NbOfNtries", textAt(credits, "NbOfNtries"), figures.creditCount);
  compareSum("TtlCdtNtries/Sum", textAt(credits, "Sum"), figures.credit);
  const debits = child(summary, "TtlDbtNtries");
  compareCount("TtlDbtNtries/NbOfNtries", textAt(debits, "NbOfNtries"), figures.debitCount);
  compareSum("TtlDbtNtries/Sum", textAt(debits, "Sum"), figures.debit);
}

/**
 * Streams an ISO 20022 camt.052/053/054 document with saxes and yields one record per booked
 * transaction (see {@link entryRecords}). Accepts any `camt.05x.001.NN` namespace (tested on 02,
 * 03, 04, 07, 08), a missing namespace, and a Business Application Header wrapper
 * (`<message><AppHdr/><Document/></message>`). Only one `Ntry`/`Bal`/`Acct` is in memory at a time.
 *
 * Control: per statement, opening booked balance (OPBD or PRCD) + booked entries = CLBD, and the
 * `TxsSummry` counts/sums over all entries.
 */
export async function* readCamt(
  text: AsyncIterable<string>,
  expected: CamtMessage,
): AsyncGenerator<ParserOutput, ParseResult, undefined> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const pending: ParserOutput[] = [];
  const ledger = new ControlLedger();
  const statementName = STATEMENT_ELEMENT[expected];

  /** Namespace bindings per open element, outside captured subtrees. */
  const namespaces: Array<Record<string, string>> = [{}];
  let depth = 0;
  let rootName: string | null = null;
  let messageDepth = -1;
  let statementDepth = -1;
  let statement: StatementState | null = null;
  let statements = 0;
  /** The message version read, e.g. "camt.053.001.08" - reported as the parse variant. */
  let variant: string | null = null;
  let messageCreatedOn: string | null = null;
  /** The subtree being captured (a Ntry, Bal, …); index 0 is its root. */
  const capture: XmlElement[] = [];

  const finishStatement = (): void => {
    if (statement) checkStatement(statement, statementName, ledger);
    statement = null;
  };

  const completed = (element: XmlElement): void => {
    if (element.name === "GrpHdr") {
      messageCreatedOn = isoDatePart(textAt(element, "CreDtTm") ?? "");
      return;
    }
    const current = statement;
    if (!current) return;
    switch (element.name) {
      case "Id":
        current.id = element.text.trim() || null;
        return;
      case "CreDtTm":
        current.createdOn = isoDatePart(element.text);
        return;
      case "Acct":
        current.accountId = textAt(element, "Id", "IBAN") ?? textAt(element, "Id", "Othr", "Id");
        return;
      case "Bal": {
        const code = textAt(element, "Tp", "CdOrPrtry", "Cd") ?? textAt(element, "Tp", "CdOrPrtry", "Prtry");
        const amount = readAmount(child(element, "Amt"), "Bal/Amt");
        const sign = signOf(textAt(element, "CdtDbtInd"));
        if (code && amount.ok && sign !== null) {
          current.balances.push({
            code,
            amount: { currency: amount.amount.currency, minor: sign * amount.amount.minor },
            date: readDateChoice(child(element, "Dt")),
          });
        } else if (code === "OPBD" || code === "CLBD" || code === "PRCD") {
          ledger.disagree(
            `${statementName} ${current.label}: balance ${code} at line ${element.line} is unreadable`,
          );
        }
        return;
      }
      case "TxsSummry":
        current.summary = element;
        return;
      case "Ntry": {
        current.entries += 1;
        const { outputs, totals } = entryRecords(element, {
          accountId: current.accountId,
          fallbackDate: current.createdOn ?? messageCreatedOn,
        });
        pending.push(...outputs);
        if (totals.collapsedBatch) current.collapsedBatches += 1;
        if (totals.signed === null) {
          current.unreadable += 1;
          return;
        }
        const { currency, minor } = totals.signed;
        const all = current.all.get(currency) ?? { credit: 0n, creditCount: 0, debit: 0n, debitCount: 0 };
        if (textAt(element, "CdtDbtInd") === "CRDT") {
          all.credit += minor;
          all.creditCount += 1;
        } else {
          all.debit += -minor;
          all.debitCount += 1;
        }
        current.all.set(currency, all);
        if (totals.status === "BOOK") {
          current.booked.set(currency, (current.booked.get(currency) ?? 0n) + minor);
          if (totals.valueDate !== null) {
            const key = `${currency} ${totals.valueDate}`;
            current.bookedByValueDate.set(key, (current.bookedByValueDate.get(key) ?? 0n) + minor);
          }
        } else current.notBooked += 1;
        return;
      }
    }
  };

  parser.on("opentag", (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    const line = parser.line;
    if (capture.length > 0) {
      const attributes: Record<string, string> = {};
      for (const [key, value] of Object.entries(tag.attributes)) attributes[localName(key)] = value;
      const element: XmlElement = { name, line, attributes, children: [], text: "" };
      capture[capture.length - 1]?.children.push(element);
      capture.push(element);
      depth += 1;
      return;
    }
    const scope = { ...(namespaces[namespaces.length - 1] ?? {}) };
    for (const [key, value] of Object.entries(tag.attributes)) {
      if (key === "xmlns") scope[""] = value;
      else if (key.startsWith("xmlns:")) scope[key.slice(6)] = value;
    }
    namespaces.push(scope);
    if (rootName === null) rootName = tag.name;

    if (messageDepth === -1) {
      const message = MESSAGE_BY_ELEMENT.get(name);
      if (message !== undefined) {
        const colon = tag.name.indexOf(":");
        const uri = scope[colon === -1 ? "" : tag.name.slice(0, colon)] ?? "";
        const declared = /camt\.(05[234])\.001\.(\d\d)/.exec(uri);
        if (message !== expected || (declared && `camt.${declared[1]}` !== expected)) {
          throw new UnreadableFileError(
            `this is a ${declared ? `camt.${declared[1]}.001.${declared[2]}` : message} message (<${name}>), not ${expected}`,
            line,
          );
        }
        if (uri !== "" && !declared) {
          throw new UnreadableFileError(
            `<${name}> is in namespace "${uri}", not an ISO 20022 ${expected} one`,
            line,
          );
        }
        messageDepth = depth;
        variant = declared ? `camt.${declared[1]}.001.${declared[2]}` : `${expected} (no namespace)`;
      }
    } else if (statement === null && depth === messageDepth + 1 && name === "GrpHdr") {
      capture.push({ name, line, attributes: {}, children: [], text: "" });
    } else if (statement === null && depth === messageDepth + 1 && name === statementName) {
      statements += 1;
      statement = new StatementState(statements, line);
      statementDepth = depth;
    } else if (statement !== null && depth === statementDepth + 1 && CAPTURED_IN_STATEMENT.has(name)) {
      const attributes: Record<string, string> = {};
      for (const [key, value] of Object.entries(tag.attributes)) attributes[localName(key)] = value;
      capture.push({ name, line, attributes, children: [], text: "" });
    }
    depth += 1;
  });

  const onText = (value: string): void => {
    const top = capture[capture.length - 1];
    if (top) top.text += value;
  };
  parser.on("text", onText);
  parser.on("cdata", onText);

  parser.on("closetag", () => {
    depth -= 1;
    if (capture.length > 0) {
      const element = capture.pop();
      if (element && capture.length === 0) {
        // The captured subtree's root also opened a namespace scope.
        namespaces.pop();
        completed(element);
      }
      return;
    }
    namespaces.pop();
    if (statement !== null && depth === statementDepth) finishStatement();
    if (depth === messageDepth) messageDepth = -2; // message closed; ignore anything after
  });

  const feed = (chunk: string | null): void => {
    try {
      if (chunk === null) parser.close();
      else parser.write(chunk);
    } catch (error) {
      if (error instanceof UnreadableFileError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      // saxes prefixes "line:column: "; keep only the reason, the line goes in `source`.
      throw new UnreadableFileError(`not well-formed XML: ${message.replace(/^\d+:\d+: /, "")}`, parser.line);
    }
  };

  let first = true;
  for await (let chunk of text) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    feed(chunk);
    if (pending.length > 0) yield* pending.splice(0);
  }
  feed(null);
  if (pending.length > 0) yield* pending.splice(0);

  if (messageDepth === -1) {
    throw new UnreadableFileError(
      `not a ${expected} file: <${rootName ?? "no root element"}> holds no <${MESSAGE_ELEMENT[expected]}>`,
      1,
    );
  }
  const result = ledger.result(
    statements === 0
      ? `no <${statementName}> in the file`
      : `no OPBD/CLBD balance pair and no TxsSummry in ${statements} <${statementName}>`,
  );
  return variant === null ? result : { ...result, variant };
}

function sniffCamt(head: string, message: CamtMessage): number {
  const [, kind] = message.split(".");
  if (new RegExp(`urn:iso:std:iso:20022:tech:xsd:camt\\.${kind}\\.001\\.\\d\\d`).test(head)) return 0.95;
  if (new RegExp(`<(?:\\w+:)?${MESSAGE_ELEMENT[message]}[\\s>]`).test(head)) return 0.9;
  return 0;
}

function camtParser(format: SettlementFormat, message: CamtMessage): SettlementFormatParser {
  return {
    format,
    sniff: (head: string) => sniffCamt(head, message),
    parse: (text: AsyncIterable<string>, _options: ParseOptions) => readCamt(text, message),
  };
}

/** ISO 20022 camt.053 bank-to-customer statement (versions 001.02-001.08 tested). */
export const camt053Parser: SettlementFormatParser = camtParser("camt053", "camt.053");

/** ISO 20022 camt.054 debit/credit notification (versions 001.02-001.08 tested). */
export const camt054Parser: SettlementFormatParser = camtParser("camt054", "camt.054");
