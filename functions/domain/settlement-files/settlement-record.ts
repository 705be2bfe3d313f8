/**
 * What every settlement-file parser produces: the `settlewatch parse --json` contract.
 * Parsers are pure: they read decoded text and yield records; they never touch storage.
 */

export type SettlementFormat =
  | "wechat-trade"
  | "wechat-fundflow"
  | "alipay-detail"
  | "alipay-account"
  | "acquirer-csv"
  | "adyen-settlement"
  | "stripe-payout"
  | "unionpay-zm"
  | "camt053"
  | "camt054"
  | "mt940"
  | "mt942"
  | "bai2";

/** "reversal": a payment revoked after success (WeChat Pay REVOKED): it nets its sale to zero. */
export type SettlementLineKind = "payment" | "refund" | "reversal" | "payout" | "fee" | "other";

export interface SettlementLine {
  type: "line";
  /** 1-based physical line number (text formats) or entry number (XML, BAI2 records). */
  source: number;
  /** The acquirer's or bank's transaction id. */
  reference: string | null;
  /** The merchant's order number, or the end-to-end id of a bank entry. */
  merchantReference: string | null;
  /** Payout / batch id, when the file gives one. */
  batchReference: string | null;
  merchantId: string | null;
  direction: "credit" | "debit";
  /** ISO 4217. */
  currency: string;
  /** Integer minor units, never negative: `direction` carries the sign. */
  netMinor: number;
  /**
   * The amount the acquirer settles before its fees, in `currency`, never negative (same direction
   * as the line); null when the file does not give it (or gives it in another currency).
   */
  grossMinor: number | null;
  /**
   * Fees in `currency`: positive when charged to the merchant, negative when returned (a refunded
   * WeChat fee). When gross is known: signed net = signed gross − fee (credit positive).
   */
  feeMinor: number | null;
  /** YYYY-MM-DD: the value / settlement date, or the trade date when the file has nothing better. */
  valueDate: string;
  kind: SettlementLineKind;
}

export interface RejectedRecord {
  type: "rejected";
  source: number;
  reason: string;
}

export type CurrencyTotals = Record<string, { creditMinor: number; debitMinor: number }>;

export interface ControlResult {
  /** ok: the file's own control figures agree with its detail; absent: it has none. */
  control: "ok" | "mismatch" | "absent";
  controlDetail: string;
}

export interface ParseSummary extends ControlResult {
  type: "summary";
  format: SettlementFormat;
  /**
   * Which layout of the format was read, when the format has several (WeChat "ALL" / "legacy",
   * the acquirer name of an acquirer CSV, "payout_reconciliation" vs "balance_history"...).
   * Optional: absent when the parser does not say.
   */
  variant?: string;
  lines: number;
  rejected: number;
  totals: CurrencyTotals;
}

export type ParsedRecord = SettlementLine | RejectedRecord | ParseSummary;

/** The file as a whole cannot be read as the format (wrong format, truncated header, bad XML). */
export class UnreadableFileError extends Error {
  override name = "UnreadableFileError";
  constructor(
    message: string,
    /** 1-based line (or entry) where reading failed, when known. */
    readonly source: number | null = null,
  ) {
    super(source === null ? message : `line ${source}: ${message}`);
  }
}
