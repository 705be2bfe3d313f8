/**
 * Stripe payout reconciliation report (`payout_reconciliation.itemized.*`, also
 * `balance_change_from_activity.itemized.*`) and the legacy dashboard "Balance history" export.
 * Columns vary with the chosen column set: all found by name.
 *
 * Mapping (itemized): reference = charge_id, else source_id, else balance_transaction_id;
 * merchantReference = order_id or payment_metadata[order_id] when present; batchReference =
 * automatic_payout_id (legacy: Transfer); merchantId = connected_account_id when present;
 * currency = upper-cased currency; net = net column (signed: its sign is the direction), gross = |gross|,
 * fee = fee as written (positive charged); valueDate = automatic_payout_effective_at (the day the payout
 * is expected in the bank), else available_on, else created (UTC dates as written).
 * Kinds from reporting_category (legacy: Type): charge/payment → payment; refund, payment_refund,
 * dispute → refund; fee, stripe_fee, tax, network_cost, application_fee → fee; payout,
 * payout_reversal, transfer → payout; else other. Control: absent (the report has no totals).
 * Amounts with a decimal comma (the `decimal_separator` report option) are accepted.
 */
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import type { SettlementLineKind } from "../settlement-record.js";
import { decimalToMinor, FieldError } from "../text/amounts.js";
import { readCsvTable } from "../text/csv-table.js";
import { datePrefix } from "../text/dates.js";
import { columnCountProblem, type HeaderIndex, splitDelimited } from "../text/delimited.js";
import { readCurrency, rejected, rejectedBecause, settlementLine, textOrNull } from "../text/records.js";

export function stripeKind(category: string): SettlementLineKind {
  const c = category.trim().toLowerCase();
  if (c === "charge" || c === "payment") return "payment";
  if (c === "refund" || c === "payment_refund" || c === "dispute" || c === "payment_failure_refund")
    return "refund";
  if (c === "fee" || c === "stripe_fee" || c === "tax" || c === "network_cost" || c === "application_fee")
    return "fee";
  if (c === "payout" || c === "payout_reversal" || c === "transfer") return "payout";
  return "other";
}

function amount(raw: string, digits: number, field: string): number {
  const text = raw.trim();
  if (/^[+-]?\d*,\d+$/.test(text)) return decimalToMinor(text, digits, field, { decimalSeparator: "," });
  return decimalToMinor(text, digits, field);
}

function headerFields(head: string): string[] {
  const line = head.split(/\r\n|\r|\n/, 5).find((l) => l.trim() !== "") ?? "";
  return (splitDelimited(line.replace(/^\uFEFF/, ""), ",") ?? line.split(",")).map((f) =>
    f.trim().toLowerCase(),
  );
}

type Variant = "itemized" | "balance_history";

function variantOf(h: HeaderIndex): Variant | null {
  if (h.has("balance_transaction_id") && h.has("net") && h.has("currency")) return "itemized";
  if (
    h.has("id") &&
    h.has("type") &&
    h.has("net") &&
    h.has("currency") &&
    h.has("created (utc)", "created")
  ) {
    return "balance_history";
  }
  return null;
}

export const stripePayoutParser: SettlementFormatParser = {
  format: "stripe-payout",

  sniff(head: string): number {
    const f = headerFields(head);
    if (f.includes("balance_transaction_id") && f.includes("reporting_category") && f.includes("net"))
      return 0.95;
    if (
      f[0] === "id" &&
      f.includes("type") &&
      f.includes("net") &&
      f.includes("fee") &&
      f.includes("created (utc)")
    ) {
      return 0.85;
    }
    return 0;
  },

  async *parse(
    text: AsyncIterable<string>,
    _options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    let variant: Variant = "itemized";
    let c: Record<string, number> | null = null;
    const columns = (h: HeaderIndex): Record<string, number> => {
      return variant === "itemized"
        ? {
            id: h.find("balance_transaction_id"),
            charge: h.find("charge_id"),
            source: h.find("source_id"),
            order: h.find("order_id", "payment_metadata[order_id]"),
            payout: h.find("automatic_payout_id"),
            account: h.find("connected_account_id"),
            currency: h.find("currency"),
            gross: h.find("gross"),
            fee: h.find("fee"),
            net: h.find("net"),
            category: h.find("reporting_category"),
            payoutDate: h.find("automatic_payout_effective_at", "automatic_payout_effective_at_utc"),
            available: h.find("available_on", "available_on_utc"),
            created: h.find("created", "created_utc"),
          }
        : {
            id: h.find("id"),
            charge: -1,
            source: h.find("source"),
            order: -1,
            payout: h.find("transfer"),
            account: -1,
            currency: h.find("currency"),
            gross: h.find("amount"),
            fee: h.find("fee"),
            net: h.find("net"),
            category: h.find("type"),
            payoutDate: h.find("transfer date (utc)", "transfer date"),
            available: h.find("available on (utc)", "available on"),
            created: h.find("created (utc)", "created"),
          };
    };

    const row = (fields: string[], h: HeaderIndex, line: number): ParserOutput => {
      const countProblem = columnCountProblem(fields, h);
      if (countProblem) return rejectedBecause(line, countProblem);
      c ??= columns(h);
      const col = c;
      const at = (key: string) => (fields[col[key] ?? -1] ?? "").trim();
      try {
        const { currency, digits } = readCurrency(at("currency"), "currency");
        const netText = at("net");
        if (netText === "") throw new FieldError("net: missing");
        const net = amount(netText, digits, "net");
        const gross = at("gross") === "" ? null : amount(at("gross"), digits, "gross");
        const fee = at("fee") === "" ? null : amount(at("fee"), digits, "fee");
        const dateText = at("payoutDate") || at("available") || at("created");
        const dateField = at("payoutDate")
          ? "automatic_payout_effective_at"
          : at("available")
            ? "available_on"
            : "created";
        const kind = stripeKind(at("category"));
        const reference = textOrNull(at("charge")) ?? textOrNull(at("source")) ?? textOrNull(at("id"));
        return settlementLine({
          source: line,
          reference,
          merchantReference: textOrNull(at("order")),
          batchReference: textOrNull(at("payout")),
          merchantId: textOrNull(at("account")),
          currency,
          signedNet: net,
          grossMinor: gross,
          feeMinor: fee,
          valueDate: datePrefix(dateText, dateField),
          kind,
        });
      } catch (error) {
        return rejected(line, error);
      }
    };

    yield* readCsvTable(text, {
      delimiter: ",",
      description: "a Stripe payout reconciliation / balance report",
      isHeader: (h) => {
        const found = variantOf(h);
        if (found) variant = found;
        return found !== null;
      },
      row,
    });
    return {
      control: "absent",
      controlDetail: "Stripe itemized reports carry no totals",
      variant,
    };
  },
};
