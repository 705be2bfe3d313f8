/**
 * Alipay 业务明细 (bill_type=trade): one row per acquiring payment or refund, GBK, `#` preamble/footer.
 *
 * Mapping: reference = 支付宝交易号, merchantReference = 商户订单号 (refund rows repeat the original
 * payment's ids; the 退款批次号 is not in the contract); merchantId = the PID of `#账号`;
 * 业务类型 交易 → payment (credit), 退款 → refund (debit), anything else → other (sign of 商家实收);
 * gross = |商家实收| (what Alipay credits for the trade: 订单金额 minus merchant-funded discounts);
 * fee = |服务费| charged on payments and returned (negative) on refunds - the sign of 服务费 differs
 * between exports, so only its size is trusted; net = gross − fee (signed);
 * valueDate = date of 完成时间 (Beijing; 创建时间 if empty): the bill has no settlement date.
 * Control: `#交易合计：N笔，商家实收共X元` and `#退款合计：N笔，商家实收退款共Y元` against the rows.
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

export const alipayTradeBillParser: SettlementFormatParser = {
  format: "alipay-detail",

  sniff(head: string): number {
    if (/^\uFEFF?#支付宝业务明细查询/m.test(head.slice(0, 2000))) return 0.95;
    const header = firstNonCommentLine(head);
    return header.includes("支付宝交易号") && header.includes("商家实收") ? 0.9 : 0;
  },

  async *parse(
    text: AsyncIterable<string>,
    _options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    const context: AlipayBillContext = { pid: null, footer: [], hasPreamble: false, records: 0 };
    const sums = {
      payments: 0,
      paymentNet: 0,
      paymentDiscount: 0,
      refunds: 0,
      refundNet: 0,
      refundDiscount: 0,
    };
    let columns: Record<string, number> | null = null;
    const hasDiscountColumn = () => ((columns as Record<string, number> | null)?.discount ?? -1) >= 0;

    const row = (fields: string[], h: HeaderIndex, line: number): ParserOutput => {
      const countProblem = columnCountProblem(fields, h);
      if (countProblem) return rejectedBecause(line, countProblem);
      columns ??= {
        tradeNo: h.find("支付宝交易号"),
        outTradeNo: h.find("商户订单号"),
        type: h.find("业务类型"),
        created: h.find("创建时间"),
        finished: h.find("完成时间"),
        received: h.find("商家实收(元)", "商家实收"),
        discount: h.find("商家优惠(元)", "商家优惠"),
        fee: h.find("服务费(元)", "服务费"),
      };
      const c = columns;
      const at = (key: string) => fields[c[key] ?? -1] ?? "";
      try {
        const reference = textOrNull(at("tradeNo"));
        if (reference === null) throw new FieldError("支付宝交易号: missing");
        const time = at("finished") !== "" ? at("finished") : at("created");
        const valueDate = datePrefix(time, at("finished") !== "" ? "完成时间" : "创建时间");
        const received = decimalToMinor(at("received"), DIGITS, "商家实收(元)");
        const feeRaw = at("fee");
        const feeSize = feeRaw === "" ? 0 : Math.abs(decimalToMinor(feeRaw, DIGITS, "服务费(元)"));
        const discountRaw = at("discount");
        const discount = discountRaw === "" ? 0 : decimalToMinor(discountRaw, DIGITS, "商家优惠(元)");
        const type = at("type");
        let kind: SettlementLineKind;
        let fee: number;
        if (type === "交易") {
          kind = "payment";
          fee = feeSize;
          sums.payments++;
          sums.paymentNet += received;
          sums.paymentDiscount += discount;
        } else if (type === "退款") {
          kind = "refund";
          fee = -feeSize;
          sums.refunds++;
          sums.refundNet += received;
          sums.refundDiscount += discount;
        } else {
          kind = "other";
          fee = received < 0 ? -feeSize : feeSize;
        }
        const signedGross =
          kind === "refund" ? -Math.abs(received) : kind === "payment" ? Math.abs(received) : received;
        return settlementLine({
          source: line,
          reference,
          merchantReference: textOrNull(at("outTradeNo")),
          batchReference: null,
          merchantId: context.pid,
          currency: CURRENCY,
          signedNet: signedGross - fee,
          grossMinor: Math.abs(received),
          feeMinor: fee,
          valueDate,
          kind,
        });
      } catch (error) {
        return rejected(line, error);
      }
    };

    yield* readAlipayBill(
      text,
      {
        name: "业务明细",
        isHeader: (h) => h.has("支付宝交易号") && h.has("商家实收(元)", "商家实收"),
        row: (fields, h, line) => row(fields, h, line),
      },
      context,
    );

    const control = new ControlComparison();
    for (const { text: comment } of context.footer) {
      const trade = /^#交易合计:(\d+)笔,商家实收共([-+\d.]+)元(?:,商家优惠共([-+\d.]+)元)?/.exec(comment);
      const refund =
        /^#退款合计:(\d+)笔,商家实收(?:退款)?共([-+\d.]+)元(?:,商家优惠(?:退款)?共([-+\d.]+)元)?/.exec(
          comment,
        );
      try {
        if (trade) {
          control.compare("交易合计 笔数", Number(trade[1]), sums.payments);
          control.compare(
            "交易合计 商家实收",
            decimalToMinor(trade[2] ?? "", DIGITS, "交易合计"),
            sums.paymentNet,
            DIGITS,
          );
          if (trade[3] !== undefined && hasDiscountColumn()) {
            control.compare(
              "交易合计 商家优惠",
              decimalToMinor(trade[3], DIGITS, "交易合计"),
              sums.paymentDiscount,
              DIGITS,
            );
          }
        }
        if (refund) {
          control.compare("退款合计 笔数", Number(refund[1]), sums.refunds);
          control.compare(
            "退款合计 商家实收",
            decimalToMinor(refund[2] ?? "", DIGITS, "退款合计"),
            sums.refundNet,
            DIGITS,
          );
          if (refund[3] !== undefined && hasDiscountColumn()) {
            control.compare(
              "退款合计 商家优惠",
              decimalToMinor(refund[3], DIGITS, "退款合计"),
              sums.refundDiscount,
              DIGITS,
            );
          }
        }
      } catch (error) {
        if (error instanceof FieldError) control.problem(`unreadable footer total: ${error.message}`);
        else throw error;
      }
    }
    if (control.empty && context.hasPreamble) {
      control.problem("the file ends without its #交易合计 / #退款合计 lines: truncated?");
    }
    return control.empty
      ? { control: "absent", controlDetail: "no #合计 footer lines" }
      : control.result("footer");
  },
};
