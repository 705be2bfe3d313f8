/**
 * Alipay 账务明细 (bill_type=signcustomer): every movement of the Alipay balance - payments in,
 * fees (收费), refunds, withdrawals to the bank (提现 = the payout). Classic 12-column and newer
 * 13+-column layouts (different order): columns are found by name.
 *
 * Mapping: reference = 业务流水号 (≈ 支付宝交易号), merchantReference = 商户订单号, merchantId = PID;
 * income 收入金额（+元） and expense 支出金额（-元） are two columns merged into one signed amount
 * (credit / debit); gross and fee are null (fees are their own 收费 rows); valueDate = date of 发生时间
 * (Beijing), the booking of the movement; kind from 业务类型: 在线支付/交易付款/交易 → payment,
 * 退款 → refund, 收费/服务费 → fee, 提现 → payout, else other.
 * Control: `#收入合计：N笔，共X元` / `#支出合计：N笔，共Y元`.
 */
import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import type { SettlementLineKind } from "../settlement-record.js";
import { decimalToMinor, FieldError } from "../text/amounts.js";
import { ControlComparison } from "../text/control.js";
import { datePrefix } from "../text/dates.js";
import { columnCountProblem, type HeaderIndex } from "../text/delimited.js";
import { rejected, rejectedBecause, settlementLine, textOrNull } from "../text/records.js";
import { type AlipayBillContext, firstNonCommentLine, readAlipayBill } from "./alipay-bill-reader.js";

const CURRENCY = "CNY";
const DIGITS = 2;

function kindOf(type: string): SettlementLineKind {
  if (/提现/.test(type)) return "payout";
  if (/退款/.test(type)) return "refund";
  if (/收费|服务费|手续费/.test(type)) return "fee";
  if (/在线支付|交易付款|交易|收款/.test(type)) return "payment";
  return "other";
}

export const alipayAccountBillParser: SettlementFormatParser = {
  format: "alipay-account",

  sniff(head: string): number {
    if (/^\uFEFF?#支付宝(账务|财务)明细查询/m.test(head.slice(0, 2000))) return 0.95;
    const header = firstNonCommentLine(head);
    return header.includes("账务流水号") && header.includes("收入金额") ? 0.9 : 0;
  },

  async *parse(
    text: AsyncIterable<string>,
    _options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    const context: AlipayBillContext = { pid: null, footer: [], hasPreamble: false, records: 0 };
    const sums = { incomes: 0, income: 0, expenses: 0, expense: 0 };
    let c: Record<"flowNo" | "bizNo" | "outTradeNo" | "time" | "income" | "expense" | "type", number> | null =
      null;

    const row = (fields: string[], h: HeaderIndex, line: number): ParserOutput => {
      const countProblem = columnCountProblem(fields, h);
      if (countProblem) return rejectedBecause(line, countProblem);
      c ??= {
        flowNo: h.find("账务流水号"),
        bizNo: h.find("业务流水号"),
        outTradeNo: h.find("商户订单号"),
        time: h.find("发生时间"),
        income: h.find("收入金额(+元)", "收入金额(元)", "收入金额"),
        expense: h.find("支出金额(-元)", "支出金额(元)", "支出金额"),
        type: h.find("业务类型"),
      };
      const col = c;
      try {
        const reference = textOrNull(fields[col.bizNo]) ?? textOrNull(fields[col.flowNo]);
        if (reference === null) throw new FieldError("业务流水号: missing (and no 账务流水号)");
        const valueDate = datePrefix(fields[col.time] ?? "", "发生时间");
        const incomeRaw = fields[col.income] ?? "";
        const expenseRaw = fields[col.expense] ?? "";
        const income = incomeRaw === "" ? 0 : Math.abs(decimalToMinor(incomeRaw, DIGITS, "收入金额(+元)"));
        const expense = expenseRaw === "" ? 0 : Math.abs(decimalToMinor(expenseRaw, DIGITS, "支出金额(-元)"));
        if (income !== 0 && expense !== 0) {
          throw new FieldError(`收入金额 and 支出金额 are both set (${incomeRaw} / ${expenseRaw})`);
        }
        if (income !== 0 || expense === 0) {
          sums.incomes++;
          sums.income += income;
        } else {
          sums.expenses++;
          sums.expense += expense;
        }
        return settlementLine({
          source: line,
          reference,
          merchantReference: textOrNull(fields[col.outTradeNo]),
          batchReference: null,
          merchantId: context.pid,
          currency: CURRENCY,
          signedNet: income - expense,
          grossMinor: null,
          feeMinor: null,
          valueDate,
          kind: kindOf(fields[col.type] ?? ""),
          zeroDirection: "credit",
        });
      } catch (error) {
        return rejected(line, error);
      }
    };

    yield* readAlipayBill(
      text,
      {
        name: "账务明细",
        isHeader: (h) => h.has("账务流水号") && h.has("收入金额(+元)", "收入金额(元)", "收入金额"),
        row,
      },
      context,
    );

    const control = new ControlComparison();
    for (const { text: comment } of context.footer) {
      const m = /^#(收入|支出)合计:(\d+)笔,共([-+\d.]+)元/.exec(comment);
      if (!m) continue;
      try {
        const amount = Math.abs(decimalToMinor(m[3] ?? "", DIGITS, `${m[1]}合计`));
        if (m[1] === "收入") {
          control.compare("收入合计 笔数", Number(m[2]), sums.incomes);
          control.compare("收入合计 金额", amount, sums.income, DIGITS);
        } else {
          control.compare("支出合计 笔数", Number(m[2]), sums.expenses);
          control.compare("支出合计 金额", amount, sums.expense, DIGITS);
        }
      } catch (error) {
        if (error instanceof FieldError) control.problem(`unreadable footer total: ${error.message}`);
        else throw error;
      }
    }
    if (control.empty && context.hasPreamble) {
      control.problem("the file ends without its #收入合计 / #支出合计 lines: truncated?");
    }
    return control.empty
      ? { control: "absent", controlDetail: "no #合计 footer lines" }
      : control.result("footer");
  },
};
