/**
 * WeChat Pay fund-flow bill (资金账单, BASIC / OPERATION / FEES account): one row per balance
 * movement - the "money actually moved" view.
 *
 * Mapping: reference = 微信支付业务单号 (transaction / refund id); merchantReference = 业务凭证号;
 * direction from 收支类型 (收入 credit, 支出 debit; 收支金额 is always positive); netMinor = 收支金额;
 * gross and fee are null (each movement is its own row - the fee is a separate 扣除交易手续费 row);
 * valueDate = date of 记账时间 (Beijing), the booking of the movement = the settlement date;
 * kind from 业务名称 / 业务类型: 交易 payment, 退款 refund, 手续费 fee, 提现 payout, else other.
 * Control: 资金流水总笔数 / 收入笔数 / 收入金额 / 支出笔数 / 支出金额.
 */
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import { type SettlementLineKind, UnreadableFileError } from "../settlement-record.js";
import { decimalToMinor, FieldError } from "../text/amounts.js";
import { ControlComparison } from "../text/control.js";
import { datePrefix } from "../text/dates.js";
import { columnCountProblem, HeaderIndex } from "../text/delimited.js";
import { LineSplitter } from "../text/line-splitter.js";
import { rejected, rejectedBecause, settlementLine, textOrNull } from "../text/records.js";
import { firstLine, normalizeWechatTime, splitWechatLine, stripBillPrefix } from "./wechat-fields.js";

const CURRENCY = "CNY";
const DIGITS = 2;

function kindOf(businessName: string, businessType: string): SettlementLineKind {
  const both = `${businessName}|${businessType}`;
  if (/手续费/.test(businessType)) return "fee";
  if (/提现/.test(both)) return "payout";
  if (/退款/.test(both)) return "refund";
  if (/交易/.test(both)) return "payment";
  return "other";
}

export const wechatFundFlowBillParser: SettlementFormatParser = {
  format: "wechat-fundflow",

  sniff(head: string): number {
    const line = firstLine(head);
    if (!line.startsWith("记账时间,")) return 0;
    return line.includes("资金流水单号") && line.includes("收支类型") ? 0.95 : 0.3;
  },

  async *parse(
    text: AsyncIterable<string>,
    _options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    const splitter = new LineSplitter();
    let lineNo = 0;
    let header: HeaderIndex | null = null;
    let col = { time: -1, id: -1, name: -1, type: -1, inout: -1, amount: -1, voucher: -1 };
    let section: "header" | "detail" | "summary-values" | "after" = "header";
    let summaryHeader: HeaderIndex | null = null;
    let summaryValues: string[] | null = null;
    let summaryLine = 0;
    let records = 0;
    let credits = 0;
    let creditSum = 0;
    let debits = 0;
    let debitSum = 0;

    const readRow = (line: string): ParserOutput => {
      const h = header as HeaderIndex;
      const fields = splitWechatLine(line);
      const countProblem = columnCountProblem(fields, h);
      if (countProblem) return rejectedBecause(lineNo, countProblem);
      try {
        const valueDate = datePrefix(normalizeWechatTime(fields[col.time] ?? ""), "记账时间");
        const reference = textOrNull(fields[col.id]);
        if (reference === null) throw new FieldError("微信支付业务单号: missing");
        const inout = (fields[col.inout] ?? "").trim();
        if (inout !== "收入" && inout !== "支出") {
          throw new FieldError(`收支类型: expected 收入 or 支出, found ${JSON.stringify(inout)}`);
        }
        const amount = Math.abs(decimalToMinor(fields[col.amount] ?? "", DIGITS, "收支金额"));
        if (inout === "收入") {
          credits++;
          creditSum += amount;
        } else {
          debits++;
          debitSum += amount;
        }
        return settlementLine({
          source: lineNo,
          reference,
          merchantReference: textOrNull(fields[col.voucher]),
          batchReference: null,
          merchantId: null,
          currency: CURRENCY,
          signedNet: inout === "收入" ? amount : -amount,
          grossMinor: null,
          feeMinor: null,
          valueDate,
          kind: kindOf((fields[col.name] ?? "").trim(), (fields[col.type] ?? "").trim()),
          zeroDirection: inout === "收入" ? "credit" : "debit",
        });
      } catch (error) {
        return rejected(lineNo, error);
      }
    };

    const handle = (raw: string): ParserOutput | null => {
      const line = raw.trim();
      if (line === "") return null;
      if (section === "header") {
        const h = new HeaderIndex(stripBillPrefix(line).split(","));
        col = {
          time: h.find("记账时间"),
          id: h.find("微信支付业务单号"),
          name: h.find("业务名称"),
          type: h.find("业务类型"),
          inout: h.find("收支类型"),
          amount: h.find("收支金额(元)", "收支金额"),
          voucher: h.find("业务凭证号"),
        };
        if (col.time < 0 || col.id < 0 || col.inout < 0 || col.amount < 0) {
          throw new UnreadableFileError(
            `not a WeChat Pay fund-flow bill: expected the header 记账时间,微信支付业务单号,…,收支类型,收支金额(元),… but found ${JSON.stringify(line.slice(0, 80))}`,
            lineNo,
          );
        }
        header = h;
        section = "detail";
        return null;
      }
      if (section === "detail" && line.replace(/^`/, "").startsWith("资金流水总笔数")) {
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
    if (section === "header")
      throw new UnreadableFileError("empty file: no WeChat Pay fund-flow bill header", 1);

    const control = new ControlComparison();
    const sh = summaryHeader as HeaderIndex | null;
    const values = summaryValues as string[] | null;
    if (sh === null || values === null) {
      control.problem("the file ends without its summary rows (资金流水总笔数…): truncated?");
    } else {
      const value = (name: string) => {
        const at = sh.find(name);
        return at < 0 ? undefined : values[at];
      };
      const checks: [string, number, number][] = [
        ["资金流水总笔数", 0, records],
        ["收入笔数", 0, credits],
        ["收入金额", DIGITS, creditSum],
        ["支出笔数", 0, debits],
        ["支出金额", DIGITS, debitSum],
      ];
      for (const [name, digits, detail] of checks) {
        const raw = value(name);
        if (raw === undefined) continue;
        try {
          control.compare(name, decimalToMinor(raw, digits, name), detail, digits);
        } catch (error) {
          if (error instanceof FieldError) control.problem(`unreadable summary value: ${error.message}`);
          else throw error;
        }
      }
    }
    return control.result(summaryLine > 0 ? `summary (line ${summaryLine})` : "summary");
  },
};
