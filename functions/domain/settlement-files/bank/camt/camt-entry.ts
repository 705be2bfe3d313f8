import type { ParserOutput } from "../../format-parser.js";
import type { SettlementLine, SettlementLineKind } from "../../settlement-record.js";
import { currencyDigits, decimalToMinor, formatAmount, snippet, toSafeNumber } from "../amounts.js";
import { isoDatePart } from "../dates.js";
import { child, childrenNamed, textAt, type XmlElement } from "./xml-element.js";

/** An amount read from an `Amt Ccy="…"` element, in minor units of that currency. */
export interface CamtAmount {
  readonly currency: string;
  readonly minor: bigint;
}

type AmountRead = { ok: true; amount: CamtAmount } | { ok: false; reason: string };

/** Reads `<Amt Ccy="EUR">1.50</Amt>` (or `TtlAmt`, `RmtdAmt`…): currency from the attribute. */
export function readAmount(element: XmlElement | undefined, field: string): AmountRead {
  if (!element) return { ok: false, reason: `${field}: missing` };
  const currency = (element.attributes.Ccy ?? "").trim();
  const digits = currencyDigits(currency);
  if (digits === null) return { ok: false, reason: `${field}: unknown currency "${currency}"` };
  const parsed = decimalToMinor(element.text, digits, ".");
  if (!parsed.ok) return { ok: false, reason: `${field}: ${parsed.reason}` };
  return { ok: true, amount: { currency, minor: parsed.minor } };
}

/** Reads a plain decimal (no currency attribute), e.g. `TxsSummry/…/Sum`, in `currency`. */
export function readDecimal(text: string | null, currency: string): bigint | null {
  const digits = currencyDigits(currency);
  if (text === null || digits === null) return null;
  const parsed = decimalToMinor(text, digits, ".");
  return parsed.ok ? parsed.minor : null;
}

/** `CRDT` → 1, `DBIT` → -1, anything else → null. */
export function signOf(indicator: string | null): 1n | -1n | null {
  if (indicator === "CRDT") return 1n;
  if (indicator === "DBIT") return -1n;
  return null;
}

/** `Dt` or `DtTm` inside a date-and-time choice element (`ValDt`, `BookgDt`, `Bal/Dt`). */
export function readDateChoice(element: XmlElement | undefined): string | null {
  const text = textAt(element, "Dt") ?? textAt(element, "DtTm");
  return text === null ? null : isoDatePart(text);
}

/** ISO bank-transaction sub-families that mean "the bank charged a fee". */
const CHARGE_SUB_FAMILIES = new Set(["CHRG", "FEES", "COMM", "COMT", "COME", "COMI", "SUBS"]);
const INTEREST_SUB_FAMILIES = new Set(["INTR"]);

function subFamily(element: XmlElement | undefined): string | null {
  return textAt(element, "BkTxCd", "Domn", "Fmly", "SubFmlyCd");
}

/**
 * Total charges in `currency` from a `Chrgs` block: v2 has repeated `Chrgs/Amt`; v4+ has one
 * `Chrgs` with `TtlChrgsAndTaxAmt` and/or `Rcrd*`/`Amt`. Null when none are given in that
 * currency (charges in another currency cannot be netted against the booked amount).
 */
export function chargesIn(owner: XmlElement | undefined, currency: string): bigint | null {
  let total: bigint | null = null;
  const add = (element: XmlElement | undefined): void => {
    const read = readAmount(element, "Chrgs");
    if (read.ok && read.amount.currency === currency) total = (total ?? 0n) + read.amount.minor;
  };
  for (const charges of childrenNamed(owner, "Chrgs")) {
    const overall = child(charges, "TtlChrgsAndTaxAmt");
    if (overall) add(overall);
    else if (child(charges, "Amt")) add(child(charges, "Amt"));
    else for (const record of childrenNamed(charges, "Rcrd")) add(child(record, "Amt"));
  }
  return total;
}

/** What the surrounding statement tells an entry. */
export interface EntryContext {
  readonly accountId: string | null;
  /**
   * Date used when an entry has neither `ValDt` nor `BookgDt` (both optional in camt.054): the
   * statement's / message's creation date, i.e. when the bank reported the money.
   */
  readonly fallbackDate: string | null;
}

/** What one `Ntry` contributes to the statement's control figures. */
export interface EntryTotals {
  /** The booked entry amount, signed; null when the entry was unreadable. */
  readonly signed: CamtAmount | null;
  /** `BOOK`, `PDNG`, `INFO`, … (BOOK when the file omits it). */
  readonly status: string;
  /** Set when a batch entry had to be reported as a single line. */
  readonly collapsedBatch: boolean;
  /** The entry's own `ValDt`, when it has a valid one. */
  readonly valueDate: string | null;
}

interface TxAmount {
  readonly amount: CamtAmount;
  readonly sign: 1n | -1n;
}

function txAmount(tx: XmlElement, entrySign: 1n | -1n): TxAmount | null {
  const element = child(tx, "Amt") ?? child(tx, "AmtDtls", "TxAmt", "Amt");
  if (!element) return null;
  const read = readAmount(element, "TxDtls/Amt");
  if (!read.ok) return null;
  const sign = signOf(textAt(tx, "CdtDbtInd")) ?? entrySign;
  return { amount: read.amount, sign };
}

function notProvided(value: string | null): string | null {
  return value === null || value.toUpperCase() === "NOTPROVIDED" ? null : value;
}

function unstructuredRemittance(tx: XmlElement | undefined): string | null {
  const parts = childrenNamed(child(tx, "RmtInf"), "Ustrd").map((u) => u.text.trim());
  return snippet(parts.join(" "));
}

function creditorReference(tx: XmlElement | undefined): string | null {
  for (const strd of childrenNamed(child(tx, "RmtInf"), "Strd")) {
    const ref = textAt(strd, "CdtrRefInf", "Ref");
    if (ref !== null) return ref;
  }
  return null;
}

interface LineParts {
  readonly source: number;
  readonly tx: XmlElement | undefined;
  readonly sign: 1n | -1n;
  readonly net: CamtAmount;
  readonly gross: bigint | null;
  readonly fee: bigint | null;
  readonly kind?: SettlementLineKind;
}

/**
 * Turns one `Ntry` into settlement records.
 *
 * - Not booked (`Sts` PDNG/INFO/…): one `rejected` record - it is not settled money.
 * - No `TxDtls`, or exactly one: one line carrying the booked `Ntry/Amt` (the `TxDtls`, if any,
 *   supplies references, instructed amount and charges).
 * - A batch (several `TxDtls`): one line per `TxDtls` when their amounts, all in the entry's
 *   currency, add up to the entry amount - or add up to it once the entry's own `Chrgs` are taken
 *   off, in which case one extra `fee` line carries those charges. Otherwise the batch is one
 *   line for the booked entry amount (references from the entry and its `Btch`), so the lines of
 *   a statement always sum to its booked entries.
 */
export function entryRecords(
  ntry: XmlElement,
  context: EntryContext,
): { outputs: ParserOutput[]; totals: EntryTotals } {
  const where = `Ntry at line ${ntry.line}`;
  const status = textAt(ntry, "Sts") ?? textAt(ntry, "Sts", "Cd") ?? textAt(ntry, "Sts", "Prtry") ?? "BOOK";
  const reject = (reason: string): { outputs: ParserOutput[]; totals: EntryTotals } => ({
    outputs: [{ type: "rejected", source: ntry.line, reason: `${where}: ${reason}` }],
    totals: { signed: null, status, collapsedBatch: false, valueDate: null },
  });

  const amountRead = readAmount(child(ntry, "Amt"), "Amt");
  if (!amountRead.ok) return reject(amountRead.reason);
  const amount = amountRead.amount;
  const indicator = textAt(ntry, "CdtDbtInd");
  const sign = signOf(indicator);
  if (sign === null) return reject(`CdtDbtInd: "${indicator ?? ""}" is not CRDT or DBIT`);
  const signed: CamtAmount = { currency: amount.currency, minor: sign * amount.minor };

  if (status !== "BOOK") {
    return {
      outputs: [
        {
          type: "rejected",
          source: ntry.line,
          reason: `${where}: status ${status} (${indicator} ${formatAmount(amount.minor, amount.currency)}) is not booked, so it is not settled money`,
        },
      ],
      totals: { signed, status, collapsedBatch: false, valueDate: null },
    };
  }

  const valueDateElement = child(ntry, "ValDt");
  const bookingDateElement = child(ntry, "BookgDt");
  const ownValueDate = readDateChoice(valueDateElement);
  const valueDate =
    ownValueDate ??
    readDateChoice(bookingDateElement) ??
    (valueDateElement || bookingDateElement ? null : context.fallbackDate);
  if (valueDate === null) {
    return {
      ...reject(
        valueDateElement || bookingDateElement
          ? "ValDt/BookgDt: not a valid Dt or DtTm"
          : "ValDt/BookgDt: no value or booking date, and no creation date to fall back on",
      ),
      totals: { signed, status, collapsedBatch: false, valueDate: null },
    };
  }

  const reversal = ["true", "1"].includes(textAt(ntry, "RvslInd") ?? "");
  const entryReference = textAt(ntry, "AcctSvcrRef") ?? textAt(ntry, "NtryRef");
  const details = childrenNamed(ntry, "NtryDtls");
  const batch = details.map((d) => child(d, "Btch")).find((b) => b !== undefined);
  const batchId = textAt(batch, "PmtInfId") ?? textAt(batch, "MsgId");
  const transactions = details.flatMap((d) => childrenNamed(d, "TxDtls"));
  const entryCharges = chargesIn(ntry, amount.currency);

  const toLine = (parts: LineParts): ParserOutput => {
    const { tx } = parts;
    const direction = parts.sign === 1n ? "credit" : "debit";
    const net = toSafeNumber(parts.net.minor);
    if (net === null) {
      return { type: "rejected", source: parts.source, reason: `${where}: amount too large` };
    }
    const codes = [subFamily(tx), subFamily(ntry)];
    const isCharge = codes.some((c) => c !== null && CHARGE_SUB_FAMILIES.has(c));
    const isInterest = codes.some((c) => c !== null && INTEREST_SUB_FAMILIES.has(c));
    let kind: SettlementLineKind = parts.kind ?? "other";
    if (parts.kind === undefined) {
      if (reversal) kind = "other";
      else if (direction === "debit" && isCharge) kind = "fee";
      else if (direction === "credit" && !isCharge && !isInterest) kind = "payout";
    }
    const line: SettlementLine = {
      type: "line",
      source: parts.source,
      reference:
        textAt(tx, "Refs", "AcctSvcrRef") ??
        entryReference ??
        textAt(tx, "Refs", "TxId") ??
        textAt(tx, "Refs", "UETR"),
      merchantReference: notProvided(textAt(tx, "Refs", "EndToEndId")) ?? creditorReference(tx),
      batchReference:
        batchId ??
        textAt(tx, "Refs", "PmtInfId") ??
        textAt(tx, "Refs", "MsgId") ??
        unstructuredRemittance(tx) ??
        snippet(textAt(ntry, "AddtlNtryInf")),
      merchantId: context.accountId,
      direction,
      currency: parts.net.currency,
      netMinor: net,
      grossMinor: parts.gross === null ? null : toSafeNumber(parts.gross),
      feeMinor: parts.fee === null ? null : toSafeNumber(parts.fee),
      valueDate,
      kind,
    };
    return line;
  };

  const grossOf = (tx: XmlElement | undefined, net: CamtAmount): bigint | null => {
    const instructed = readAmount(child(tx, "AmtDtls", "InstdAmt", "Amt"), "InstdAmt");
    if (instructed.ok && instructed.amount.currency === net.currency) return instructed.amount.minor;
    const own = tx ? txAmount(tx, sign) : null;
    if (own && own.amount.currency === net.currency && own.amount.minor !== net.minor)
      return own.amount.minor;
    return null;
  };

  const totals = (collapsedBatch: boolean): EntryTotals => ({
    signed,
    status,
    collapsedBatch,
    valueDate: ownValueDate,
  });

  if (transactions.length <= 1) {
    const tx = transactions[0];
    return {
      outputs: [
        toLine({
          source: ntry.line,
          tx,
          sign,
          net: amount,
          gross: grossOf(tx, amount),
          fee: chargesIn(tx, amount.currency) ?? entryCharges,
        }),
      ],
      totals: totals(false),
    };
  }

  const amounts = transactions.map((tx) => txAmount(tx, sign));
  const complete = amounts.every((a) => a !== null && a.amount.currency === amount.currency);
  if (complete) {
    const sum = amounts.reduce((acc, a) => acc + (a ? a.sign * a.amount.minor : 0n), 0n);
    const difference = signed.minor - sum;
    const chargesExplain = entryCharges !== null && entryCharges > 0n && difference === -entryCharges;
    if (difference === 0n || chargesExplain) {
      const outputs = transactions.map((tx, i) => {
        const own = amounts[i] as TxAmount;
        return toLine({
          source: tx.line,
          tx,
          sign: own.sign,
          net: own.amount,
          gross: grossOf(tx, own.amount),
          fee: chargesIn(tx, amount.currency),
        });
      });
      if (chargesExplain && entryCharges !== null) {
        outputs.push(
          toLine({
            source: ntry.line,
            tx: undefined,
            sign: -1n,
            net: { currency: amount.currency, minor: entryCharges },
            gross: null,
            fee: entryCharges,
            kind: "fee",
          }),
        );
      }
      return { outputs, totals: totals(false) };
    }
  }

  // The batch's parts do not add up to what was booked: report the booked amount once.
  const endToEnd = new Set(transactions.map((tx) => notProvided(textAt(tx, "Refs", "EndToEndId"))));
  const shared = endToEnd.size === 1 ? [...endToEnd][0] : null;
  const line = toLine({
    source: ntry.line,
    tx: undefined,
    sign,
    net: amount,
    gross: null,
    fee: entryCharges,
  });
  if (line.type === "line") line.merchantReference = shared ?? null;
  return { outputs: [line], totals: totals(true) };
}
