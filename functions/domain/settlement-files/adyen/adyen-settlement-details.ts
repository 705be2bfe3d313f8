/**
 * Adyen Settlement details report (SDR, `settlement_detail_report_batch_<N>.csv`): one row per
 * booking in a settlement batch. Column order differs between report versions (Batch Number,
 * Modification Merchant Reference, Booking Date moved or appeared): columns are found by name.
 *
 * Mapping: reference = Psp Reference (on refunds/chargebacks the original payment's), merchantReference
 * = Merchant Reference, batchReference = Batch Number (or the batch in the file name), merchantId =
 * Merchant Account; net = Net Credit (NC) − Net Debit (NC) in Net Currency (its sign is the direction);
 * fee = Commission + Markup + Scheme Fees + Interchange (NC) (null when all are empty); gross = Gross
 * Credit/Debit (GC) when Gross Currency = Net Currency, else null (one currency per line);
 * valueDate = Booking Date when present, else the date of Creation Date (as written, in its TimeZone).
 * Kinds: Settled* → payment; Refunded*, Chargeback, SecondChargeback → refund; Fee, MiscCosts,
 * PaymentCost, InvoiceDeduction → fee; MerchantPayout → payout; everything else (Balancetransfer,
 * DepositCorrection, *Reversed…) → other. The SDR has no totals: control is "absent".
 */
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import type { SettlementLineKind } from "../settlement-record.js";
import { FieldError, optionalDecimalToMinor } from "../text/amounts.js";
import { readCsvTable } from "../text/csv-table.js";
import { datePrefix } from "../text/dates.js";
import { columnCountProblem, type HeaderIndex, splitDelimited } from "../text/delimited.js";
import { readCurrency, rejected, rejectedBecause, settlementLine, textOrNull } from "../text/records.js";

export function adyenKind(type: string): SettlementLineKind {
  const t = type.trim().toLowerCase();
  if (t.endsWith("reversed")) return "other";
  if (t.startsWith("settled")) return "payment";
  if (
    t.startsWith("refunded") ||
    t === "chargeback" ||
    t === "secondchargeback" ||
    t === "chargebackexternally"
  ) {
    return "refund";
  }
  if (t === "fee" || t === "misccosts" || t === "paymentcost" || t === "invoicededuction") return "fee";
  if (t === "merchantpayout") return "payout";
  return "other";
}

function firstRecord(head: string): string[] {
  const line = head.split(/\r\n|\r|\n/, 5).find((l) => l.trim() !== "") ?? "";
  return splitDelimited(line.replace(/^\uFEFF/, ""), ",") ?? line.split(",");
}

const isAdyenHeader = (h: HeaderIndex) => h.has("Psp Reference") && h.has("Net Currency") && h.has("Type");

export const adyenSettlementParser: SettlementFormatParser = {
  format: "adyen-settlement",

  sniff(head: string): number {
    const fields = firstRecord(head).map((f) => f.trim().toLowerCase());
    const has = (name: string) => fields.includes(name);
    if (has("psp reference") && has("net currency") && (has("net credit (nc)") || has("net debit (nc)")))
      return 0.95;
    return 0;
  },

  async *parse(
    text: AsyncIterable<string>,
    options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    const batchFromName = /batch_(\d+)/i.exec(options.fileName ?? "")?.[1] ?? null;
    let c: Record<string, number> | null = null;
    const columns = (h: HeaderIndex) => ({
      psp: h.find("Psp Reference"),
      merchantRef: h.find("Merchant Reference"),
      merchantAccount: h.find("Merchant Account"),
      created: h.find("Creation Date"),
      booking: h.find("Booking Date"),
      type: h.find("Type"),
      grossCurrency: h.find("Gross Currency"),
      grossDebit: h.find("Gross Debit (GC)"),
      grossCredit: h.find("Gross Credit (GC)"),
      netCurrency: h.find("Net Currency"),
      netDebit: h.find("Net Debit (NC)"),
      netCredit: h.find("Net Credit (NC)"),
      commission: h.find("Commission (NC)"),
      markup: h.find("Markup (NC)"),
      scheme: h.find("Scheme Fees (NC)"),
      interchange: h.find("Interchange (NC)"),
      batch: h.find("Batch Number"),
    });

    const row = (fields: string[], h: HeaderIndex, line: number): ParserOutput => {
      const countProblem = columnCountProblem(fields, h);
      if (countProblem) return rejectedBecause(line, countProblem);
      c ??= columns(h);
      const col = c;
      const at = (key: string) => (fields[col[key] ?? -1] ?? "").trim();
      try {
        const type = at("type");
        if (type === "") throw new FieldError("Type: missing");
        const kind = adyenKind(type);
        const { currency, digits } = readCurrency(at("netCurrency"), "Net Currency");
        const amount = (key: string, name: string) => optionalDecimalToMinor(at(key), digits, name);
        const netCredit = amount("netCredit", "Net Credit (NC)");
        const netDebit = amount("netDebit", "Net Debit (NC)");
        if (netCredit === null && netDebit === null) {
          throw new FieldError("Net Credit (NC) / Net Debit (NC): both empty");
        }
        const signedNet = (netCredit ?? 0) - (netDebit ?? 0);
        const fees = [
          amount("commission", "Commission (NC)"),
          amount("markup", "Markup (NC)"),
          amount("scheme", "Scheme Fees (NC)"),
          amount("interchange", "Interchange (NC)"),
        ];
        const fee = fees.every((f) => f === null) ? null : fees.reduce<number>((s, f) => s + (f ?? 0), 0);
        let gross: number | null = null;
        if (at("grossCurrency").toUpperCase() === currency) {
          const gc = optionalDecimalToMinor(at("grossCredit"), digits, "Gross Credit (GC)");
          const gd = optionalDecimalToMinor(at("grossDebit"), digits, "Gross Debit (GC)");
          if (gc !== null || gd !== null) gross = (gc ?? 0) - (gd ?? 0);
        }
        const reference = textOrNull(at("psp"));
        if (reference === null && (kind === "payment" || kind === "refund")) {
          throw new FieldError(`Psp Reference: missing on a ${type} row`);
        }
        const booking = at("booking");
        const valueDate =
          booking !== "" ? datePrefix(booking, "Booking Date") : datePrefix(at("created"), "Creation Date");
        return settlementLine({
          source: line,
          reference,
          merchantReference: textOrNull(at("merchantRef")),
          batchReference: textOrNull(at("batch")) ?? batchFromName,
          merchantId: textOrNull(at("merchantAccount")),
          currency,
          signedNet,
          grossMinor: gross,
          feeMinor: fee,
          valueDate,
          kind,
          // A zero amount keeps the side of the column it was written in.
          zeroDirection: netCredit !== null ? "credit" : "debit",
        });
      } catch (error) {
        return rejected(line, error);
      }
    };

    yield* readCsvTable(text, {
      delimiter: ",",
      description: "an Adyen settlement details report",
      isHeader: isAdyenHeader,
      row,
    });
    return {
      control: "absent",
      controlDetail: "the settlement details report carries no totals",
      variant: batchFromName === null ? "settlement_detail_report" : `batch ${batchFromName}`,
    };
  },
};
