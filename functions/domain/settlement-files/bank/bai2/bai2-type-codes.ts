import type { SettlementLineKind } from "../../settlement-record.js";

/**
 * BAI2 type codes of transaction detail (16) records. BAI2 ranges: 100-399 credits, 400-699
 * debits, 900-919 customized status, 920-959 customized credits, 960-999 customized debits; 890
 * "contains non-monetary information"; 001-099 are balances (never in a 16); 700-799 loan codes
 * are not bank-account movements and are refused.
 */
export type TypeCodeMeaning =
  | { readonly direction: "credit" | "debit"; readonly kind: SettlementLineKind }
  | { readonly direction: null; readonly reason: string };

/** Credits that are not money paid in by someone: returns, reversals, corrections, interest. */
const NON_PAYOUT_CREDITS = new Set([
  252, // debit reversal
  254, // posting error correction credit
  255, // check posted and returned
  257, // individual ACH return item
  258, // ACH reversal credit
  261, // individual rejected credit
  263, // overdraft
  266, // return item
  268, // return item adjustment
  346, // sweep interest income
  354, // interest credit
  359, // interest adjustment credit
  395, // check reversal
  398, // miscellaneous fee refund
]);

/** Debits that are the bank's fees. */
const FEE_DEBITS = new Set([
  524, // commission
  564, // overdraft fee
  567, // return item fee
  661, // account analysis fee
  698, // miscellaneous fees
]);

export function typeCodeMeaning(raw: string): TypeCodeMeaning {
  if (!/^\d{3}$/.test(raw)) return { direction: null, reason: `type code "${raw}" is not three digits` };
  const code = Number(raw);
  if ((code >= 100 && code <= 399) || (code >= 920 && code <= 959)) {
    return { direction: "credit", kind: NON_PAYOUT_CREDITS.has(code) ? "other" : "payout" };
  }
  if ((code >= 400 && code <= 699) || (code >= 960 && code <= 999)) {
    return { direction: "debit", kind: FEE_DEBITS.has(code) ? "fee" : "other" };
  }
  if (code === 890) return { direction: null, reason: "type code 890 carries non-monetary information only" };
  return {
    direction: null,
    reason: `type code ${raw} is not a credit (100-399, 920-959) or debit (400-699, 960-999) code`,
  };
}

/** Number of extra fields a funds type adds after it (V: date,time; S: 3 amounts; D: n + n pairs). */
export function fundsTypeExtraFields(fields: readonly string[], fundsIndex: number): number | null {
  const fundsType = (fields[fundsIndex] ?? "").trim().toUpperCase();
  switch (fundsType) {
    case "":
    case "0":
    case "1":
    case "2":
    case "Z":
      return 0;
    case "V":
      return 2;
    case "S":
      return 3;
    case "D": {
      const count = fields[fundsIndex + 1];
      if (count === undefined) return null; // not read yet (continues in an 88)
      return /^\d+$/.test(count.trim()) ? 1 + 2 * Number(count) : -1;
    }
    default:
      return -1;
  }
}
