import { isSettlementCurrency, minorUnitDigits } from "../../money/currency.js";
import type { RejectedRecord, SettlementLine, SettlementLineKind } from "../settlement-record.js";
import { FieldError } from "./amounts.js";

/** Trimmed text, or null when empty (and for the "0" WeChat writes in unused id columns, when asked). */
export function textOrNull(raw: string | undefined, zeroIsEmpty = false): string | null {
  if (raw === undefined) return null;
  const text = raw.trim();
  if (text === "" || (zeroIsEmpty && text === "0")) return null;
  return text;
}

const digitsCache = new Map<string, number>();

/** Minor-unit digits of a currency code read from a file (case-insensitive); FieldError if unknown. */
export function currencyDigits(code: string, field: string): number {
  let digits = digitsCache.get(code);
  if (digits !== undefined) return digits;
  if (!isSettlementCurrency(code))
    throw new FieldError(`${field}: not a settlement currency: ${JSON.stringify(code)}`);
  digits = minorUnitDigits(code);
  digitsCache.set(code, digits);
  return digits;
}

/** Upper-cased, trimmed currency code checked against ISO 4217. */
export function readCurrency(raw: string | undefined, field: string): { currency: string; digits: number } {
  const currency = (raw ?? "").trim().toUpperCase();
  return { currency, digits: currencyDigits(currency, field) };
}

export interface LineParts {
  source: number;
  reference: string | null;
  merchantReference: string | null;
  batchReference: string | null;
  merchantId: string | null;
  currency: string;
  /** Net amount with its sign: credit positive, debit negative. */
  signedNet: number;
  /** Gross magnitude (never negative), or null. */
  grossMinor: number | null;
  /** Fee: positive charged, negative returned, or null. */
  feeMinor: number | null;
  valueDate: string;
  kind: SettlementLineKind;
  /** Direction of a zero net amount (default: debit for refunds, payouts and fees, else credit). */
  zeroDirection?: "credit" | "debit";
}

/** Builds a contract line: the sign of the net amount becomes `direction`. */
export function settlementLine(parts: LineParts): SettlementLine {
  const zeroDirection =
    parts.zeroDirection ??
    (parts.kind === "refund" || parts.kind === "reversal" || parts.kind === "payout" || parts.kind === "fee"
      ? "debit"
      : "credit");
  const direction = parts.signedNet < 0 ? "debit" : parts.signedNet > 0 ? "credit" : zeroDirection;
  return {
    type: "line",
    source: parts.source,
    reference: parts.reference,
    merchantReference: parts.merchantReference,
    batchReference: parts.batchReference,
    merchantId: parts.merchantId,
    direction,
    currency: parts.currency,
    netMinor: Math.abs(parts.signedNet),
    grossMinor: parts.grossMinor === null ? null : Math.abs(parts.grossMinor),
    feeMinor: parts.feeMinor === null ? null : parts.feeMinor === 0 ? 0 : parts.feeMinor,
    valueDate: parts.valueDate,
    kind: parts.kind,
  };
}

/** A rejected record; FieldErrors give their message, anything else is a bug and is re-thrown. */
export function rejected(source: number, error: unknown): RejectedRecord {
  if (error instanceof FieldError) return { type: "rejected", source, reason: error.message };
  throw error;
}

export function rejectedBecause(source: number, reason: string): RejectedRecord {
  return { type: "rejected", source, reason };
}
