/**
 * WeChat Pay trade bill (交易账单): ALL / SUCCESS / REFUND bills, v2 and v3 (same layout), and the
 * pre-2018 legacy layout. Columns are found by header name, never by position.
 *
 * Mapping to the contract:
 * - reference / merchantReference = 微信订单号 / 商户订单号 - on refund rows these are the *original*
 *   payment's ids (the refund ids 微信退款单号 / 商户退款单号 are not in the contract).
 * - merchantId = 特约商户号 (sub-merchant, service-provider mode) when not "0", else 商户号.
 * - SUCCESS rows: kind payment, credit; gross = 应结订单金额 (what WeChat settles: 订单金额 minus
 *   non-recharge coupons; legacy: 总金额); fee = 手续费; net = gross − fee.
 * - REFUND rows: kind refund, debit; gross = 退款金额; fee = 手续费 as written (negative = fee
 *   returned); net = gross + returned fee.
 * - REVOKED rows (a payment revoked after success; the bill also lists its SUCCESS row, same order
 *   number, and the two net to zero): kind reversal, debit, read like a refund row (退款金额, else
 *   应结订单金额).
 * - 手续费 has 5 decimals: each row's fee is rounded half-up (away from zero) to the currency's minor
 *   unit - WeChat's own rounding; the control check compares the 5-decimal sum exactly.
 * - valueDate = the date of 交易时间 (Beijing, no offset) = the bill date: the trade bill has no
 *   settlement date (the fund-flow bill's 记账时间 is the credit).
 */
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import { UnreadableFileError } from "../settlement-record.js";
import { decimalToMinor, FieldError, rescaleHalfUp } from "../text/amounts.js";
import { ControlComparison } from "../text/control.js";
import { datePrefix } from "../text/dates.js";
import { columnCountProblem, HeaderIndex } from "../text/delimited.js";
import { LineSplitter } from "../text/line-splitter.js";
import { readCurrency, rejected, rejectedBecause, settlementLine, textOrNull } from "../text/records.js";
import { firstLine, normalizeWechatTime, splitWechatLine, stripBillPrefix } from "./wechat-fields.js";

const FEE_DIGITS = 5;

type Layout = "ALL" | "SUCCESS" | "REFUND" | "legacy";

interface Columns {
  time: number;
  merchant: number;
  subMerchant: number;
  transactionId: number;
  outTradeNo: number;
  status: number;
  currency: number;
  settle: number;
  refund: number;
  fee: number;
  /** Columns summed for the control check, by summary header name. */
  summed: Map<string, number>;
}

function layoutOf(header: HeaderIndex): Layout | null {
  if (!header.has("交易时间") || !header.has("微信订单号") || !header.has("交易状态")) return null;
  if (!header.has("应结订单金额")) return header.has("总金额") ? "legacy" : null;
  if (header.has("退款申请时间")) return "REFUND";
  return header.has("微信退款单号") ? "ALL" : "SUCCESS";
}

/** Summary header → the detail column whose sum it states (legacy and current names). */
const SUMMARY_SUMS: [summary: string, detail: string][] = [
  ["应结订单总金额", "应结订单金额"],
  ["总交易额", "总金额"],
  ["退款总金额", "退款金额"],
  ["总退款金额", "退款金额"],
  ["充值券退款总金额", "充值券退款金额"],
  ["总代金券或立减优惠退款金额", "代金券或立减优惠退款金额"],
  ["手续费总金额", "手续费"],
  ["订单总金额", "订单金额"],
  ["申请退款总金额", "申请退款金额"],
];

function columnsOf(header: HeaderIndex): Columns {
  const summed = new Map<string, number>();
  for (const [, detail] of SUMMARY_SUMS) summed.set(detail, header.find(detail));
  return {
    time: header.find("交易时间"),
    merchant: header.find("商户号"),
    subMerchant: header.find("特约商户号", "子商户号"),
    transactionId: header.find("微信订单号"),
    outTradeNo: header.find("商户订单号"),
    status: header.find("交易状态"),
    currency: header.find("货币种类"),
    settle: header.find("应结订单金额", "总金额"),
    refund: header.find("退款金额"),
    fee: header.find("手续费"),
    summed,
  };
}

export const wechatTradeBillParser: SettlementFormatParser = {
  format: "wechat-trade",

  sniff(head: string): number {
    const line = firstLine(head);
    if (!line.startsWith("交易时间,")) return 0;
    return line.includes("微信订单号") && line.includes("商户订单号") ? 0.95 : 0.3;
  },

  async *parse(
    text: AsyncIterable<string>,
    _options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    const splitter = new LineSplitter();
    let lineNo = 0;
    let header: HeaderIndex | null = null;
    let layout: Layout = "ALL";
    let columns: Columns | null = null;
    let section: "header" | "detail" | "summary-values" | "after" = "header";
    let summaryHeader: HeaderIndex | null = null;
    let summaryValues: string[] | null = null;
    let summaryLine = 0;
    let records = 0;
    let currencyDigits = 2;
    const currencies = new Set<string>();
    // Sums of the summed detail columns, in 10^-FEE_DIGITS units (exact for 2- and 5-decimal columns).
    const sums = new Map<string, number>();

    const handle = (raw: string): ParserOutput | null => {
      const line = raw.trim();
      if (line === "") return null;
      if (section === "header") {
        header = new HeaderIndex(stripBillPrefix(line).split(","));
        const found = layoutOf(header);
        if (found === null) {
          throw new UnreadableFileError(
            `not a WeChat Pay trade bill: expected the header 交易时间,公众账号ID,…,微信订单号,… but found ${JSON.stringify(line.slice(0, 80))}`,
            lineNo,
          );
        }
        layout = found;
        columns = columnsOf(header);
        section = "detail";
        return null;
      }
      if (section === "detail" && (line.startsWith("总交易单数") || line.startsWith("`总交易单数"))) {
        summaryHeader = new HeaderIndex(line.replace(/^`/, "").split(","));
        section = "summary-values";
        return null;
      }
      if (section === "summary-values") {
        summaryValues = splitWechatLine(line);
        summaryLine = lineNo;
        section = "after";
        return null;
      }
      records++;
      if (section === "after")
        return rejectedBecause(lineNo, "unexpected line after the bill's summary rows");
      return readRow(line);
    };

    const readRow = (line: string): ParserOutput => {
      const h = header as HeaderIndex;
      const c = columns as Columns;
      const fields = splitWechatLine(line);
      const countProblem = columnCountProblem(fields, h);
      if (countProblem) return rejectedBecause(lineNo, countProblem);
      try {
        const currencyText = c.currency >= 0 ? (fields[c.currency] ?? "") : "CNY";
        const { currency, digits } = readCurrency(currencyText === "" ? "CNY" : currencyText, "货币种类");
        const amount = (col: number, name: string) =>
          col < 0 ? 0 : decimalToMinor(fields[col] ?? "", digits, name, { excessDigits: "reject" });
        const time = normalizeWechatTime(fields[c.time] ?? "");
        const valueDate = datePrefix(time, "交易时间");
        const reference = textOrNull(fields[c.transactionId]);
        if (reference === null) throw new FieldError("微信订单号: missing");
        const status = (fields[c.status] ?? "").trim();
        const feeExact =
          c.fee < 0 ? 0 : decimalToMinor(fields[c.fee] ?? "", Math.max(FEE_DIGITS, digits), "手续费");
        const fee = rescaleHalfUp(feeExact, Math.max(FEE_DIGITS, digits), digits);
        let kind: "payment" | "refund" | "reversal";
        let gross: number;
        if (status === "SUCCESS") {
          kind = "payment";
          gross = amount(c.settle, layout === "legacy" ? "总金额" : "应结订单金额");
        } else if (status === "REFUND" || status === "REVOKED") {
          kind = status === "REVOKED" ? "reversal" : "refund";
          gross = Math.abs(amount(c.refund, "退款金额"));
          if (gross === 0 && status === "REVOKED") gross = Math.abs(amount(c.settle, "应结订单金额"));
        } else {
          throw new FieldError(
            `交易状态: unknown value ${JSON.stringify(status)} (expected SUCCESS, REFUND or REVOKED)`,
          );
        }
        // Control sums: every summed column must read, so a row either counts fully or not at all.
        const rowSums: [string, number][] = [];
        for (const [detail, col] of c.summed) {
          if (col < 0) continue;
          const raw = fields[col] ?? "";
          rowSums.push([detail, raw.trim() === "" ? 0 : decimalToMinor(raw, FEE_DIGITS, detail)]);
        }
        for (const [detail, v] of rowSums) sums.set(detail, (sums.get(detail) ?? 0) + v);
        currencies.add(currency);
        currencyDigits = digits;
        const signedGross = kind === "payment" ? gross : -gross;
        return settlementLine({
          source: lineNo,
          reference,
          merchantReference: textOrNull(fields[c.outTradeNo]),
          batchReference: null,
          merchantId: textOrNull(fields[c.subMerchant], true) ?? textOrNull(fields[c.merchant]),
          currency,
          signedNet: signedGross - fee,
          grossMinor: gross,
          feeMinor: fee,
          valueDate,
          kind,
        });
      } catch (error) {
        return rejected(lineNo, error);
      }
    };

    for await (const chunk of text) {
      for (const line of splitter.push(chunk)) {
        lineNo++;
        const out = handle(line);
        if (out) yield out;
      }
    }
    for (const line of splitter.end()) {
      lineNo++;
      const out = handle(line);
      if (out) yield out;
    }

    if (section === "header") throw new UnreadableFileError("empty file: no WeChat Pay trade bill header", 1);
    const control = new ControlComparison();
    const sh = summaryHeader as HeaderIndex | null;
    const values = summaryValues as string[] | null;
    if (sh === null || values === null) {
      control.problem("the file ends without its summary rows (总交易单数…): truncated?");
    } else {
      const digits = currencies.size > 1 ? null : currencyDigits;
      compareSummary(control, { header: sh, values, records, sums, digits });
    }
    return {
      ...control.result(summaryLine > 0 ? `summary (line ${summaryLine})` : "summary"),
      variant: layout,
    };
  },
};

/** The bill's own summary rows against what was read: records counted, sums per column. */
function compareSummary(
  control: ControlComparison,
  summary: {
    header: HeaderIndex;
    values: string[];
    records: number;
    sums: Map<string, number>;
    digits: number | null;
  },
): void {
  const { header, values, records, sums, digits } = summary;
  const value = (name: string) => {
    const at = header.find(name);
    return at < 0 ? undefined : values[at];
  };
  try {
    const count = value("总交易单数");
    if (count !== undefined) control.compare("总交易单数", decimalToMinor(count, 0, "总交易单数"), records);
    for (const [summary, detail] of SUMMARY_SUMS) {
      const raw = value(summary);
      if (raw === undefined || !sums.has(detail)) continue;
      const fileValue = decimalToMinor(raw, FEE_DIGITS, summary);
      const detailValue = sums.get(detail) ?? 0;
      // Sums are kept at 5 decimals; show them at the currency's digits when nothing is lost.
      const scale = digits === null ? 1 : 10 ** (FEE_DIGITS - digits);
      if (summary !== "手续费总金额" && fileValue % scale === 0 && detailValue % scale === 0) {
        control.compare(summary, fileValue / scale, detailValue / scale, digits ?? FEE_DIGITS);
      } else {
        control.compare(summary, fileValue, detailValue, FEE_DIGITS);
      }
    }
  } catch (error) {
    if (error instanceof FieldError) control.problem(`unreadable summary value: ${error.message}`);
    else throw error;
  }
}
