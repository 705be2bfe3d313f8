/**
 * China UnionPay 全渠道 merchant reconciliation file, transaction part (`INN<yyMMdd>88ZM_<merId>`):
 * fixed-width records of GBK *bytes*, fields separated by one space, one record per line, amounts in
 * fen. Layout per the UnionPay file-interface spec §6.1 / ACP SDK `parseZMFile` (42 fields, 607 bytes;
 * variants split the trailing reserved area differently, which this parser does not read).
 *
 * Mapping: reference = 查询流水号 (queryId), merchantReference = 商户订单号 (orderId), merchantId =
 * 商户代码; gross = 交易金额; fee = 商户手续费 (D = charged → positive, C = returned → negative);
 * net = 清算净额 with its D/C sign (C credit, D debit); kind: 交易代码 S22 (消费) payment, S30/S31
 * (退货/撤销) refund, else other; currency CNY. valueDate = the settlement date, which the file
 * carries only in its name (`INN170718…` → 2017-07-18): without the name the file cannot be dated and
 * is refused. The file has no trailer: control is "absent".
 */

import type { ParseOptions, ParseResult, ParserOutput, SettlementFormatParser } from "../format-parser.js";
import { type SettlementLineKind, UnreadableFileError } from "../settlement-record.js";
import { FieldError, integerMinor } from "../text/amounts.js";
import { isValidDate } from "../text/dates.js";
import { encodeGb18030 } from "../text/gb18030-width.js";
import { LineSplitter } from "../text/line-splitter.js";
import { rejected, settlementLine, textOrNull } from "../text/records.js";

const LENGTHS = [
  3, 11, 11, 6, 10, 19, 12, 4, 2, 21, 2, 32, 2, 6, 10, 13, 13, 4, 15, 2, 2, 6, 2, 4, 32, 1, 21, 15, 1, 15, 32,
  13, 13, 8, 32, 13, 13, 12, 2, 1, 32, 98,
];
const OFFSETS = LENGTHS.reduce<number[]>((acc, _len, i) => {
  acc.push(i === 0 ? 0 : (acc[i - 1] ?? 0) + (LENGTHS[i - 1] ?? 0) + 1);
  return acc;
}, []);

const F = {
  code: 0,
  amount: 6,
  queryId: 9,
  orderId: 11,
  fee: 15,
  merchant: 27,
  net: 32,
} as const;

/** Bytes a record must have to reach the last field read (清算净额). */
const MIN_BYTES = (OFFSETS[F.net] ?? 0) + (LENGTHS[F.net] ?? 0);

const RECORD_START = /^[A-Z]\d{2} [\d ]{11} [\d ]{11} \d{6} \d{10} /;

/** `INN170718…ZM_…` → 2017-07-18. */
export function zmSettlementDate(fileName: string): string | null {
  const m = /INN(\d{2})(\d{2})(\d{2})\d{2}ZM_/i.exec(fileName);
  if (!m) return null;
  const [year, month, day] = [2000 + Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isValidDate(year, month, day)) return null;
  return `${year}-${m[2]}-${m[3]}`;
}

function kindOf(code: string): SettlementLineKind {
  if (code === "S22") return "payment";
  if (code === "S30" || code === "S31") return "refund";
  return "other";
}

/** A D/C-signed fen amount (`C000002499976`): credit positive. */
function signedFen(raw: string, field: string): number {
  const sign = raw.charAt(0);
  if (sign !== "C" && sign !== "D")
    throw new FieldError(`${field}: expected D or C then 12 digits, found ${JSON.stringify(raw)}`);
  const value = integerMinor(raw.slice(1), field);
  return sign === "C" ? value : -value;
}

export const unionpayZmParser: SettlementFormatParser = {
  format: "unionpay-zm",

  sniff(head: string, options: ParseOptions): number {
    const first = head.split("\n", 1)[0] ?? "";
    if (!RECORD_START.test(first)) return 0;
    return zmSettlementDate(options.fileName ?? "") !== null ? 0.95 : 0.7;
  },

  async *parse(
    text: AsyncIterable<string>,
    options: ParseOptions,
  ): AsyncGenerator<ParserOutput, ParseResult> {
    const valueDate = zmSettlementDate(options.fileName ?? "");
    if (valueDate === null) {
      throw new UnreadableFileError(
        `UnionPay ZM files carry their settlement date only in the file name (INN<yyMMdd>88ZM_<merId>); got ${JSON.stringify(options.fileName ?? "no name")}`,
      );
    }
    const splitter = new LineSplitter();
    let lineNo = 0;
    let sawRecord = false;

    const read = (raw: string): ParserOutput | null => {
      if (raw.trim() === "") return null;
      if (!sawRecord && !RECORD_START.test(raw)) {
        throw new UnreadableFileError(`not a UnionPay ZM file: ${JSON.stringify(raw.slice(0, 60))}`, lineNo);
      }
      sawRecord = true;
      // Offsets are in GBK bytes: Chinese text in 二级商户简称 / 商户自定义域 is 2 bytes a character.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
      const bytes = /^[\x00-\x7f]*$/.test(raw) ? Buffer.from(raw, "latin1") : encodeGb18030(raw);
      const field = (i: number) => {
        const from = OFFSETS[i] ?? 0;
        return bytes.toString("latin1", from, from + (LENGTHS[i] ?? 0)).trim();
      };
      try {
        if (bytes.length < MIN_BYTES) {
          throw new FieldError(
            `record is ${bytes.length} bytes, shorter than the ${MIN_BYTES} needed to reach 清算净额`,
          );
        }
        const queryId = textOrNull(field(F.queryId));
        if (queryId === null) throw new FieldError("查询流水号: missing");
        const code = field(F.code);
        const gross = integerMinor(field(F.amount), "交易金额");
        const fee = -signedFen(field(F.fee), "商户手续费");
        const net = signedFen(field(F.net), "清算净额");
        return settlementLine({
          source: lineNo,
          reference: queryId,
          merchantReference: textOrNull(field(F.orderId)),
          batchReference: null,
          merchantId: textOrNull(field(F.merchant)),
          currency: "CNY",
          signedNet: net,
          grossMinor: gross,
          feeMinor: fee,
          valueDate,
          kind: kindOf(code),
        });
      } catch (error) {
        return rejected(lineNo, error);
      }
    };

    for await (const chunk of text) {
      for (const raw of splitter.push(chunk)) {
        lineNo++;
        const out = read(raw);
        if (out) yield out;
      }
    }
    for (const raw of splitter.end()) {
      lineNo++;
      const out = read(raw);
      if (out) yield out;
    }
    if (!sawRecord) throw new UnreadableFileError("empty UnionPay ZM file", 1);
    return { control: "absent", controlDetail: "ZM files have no trailer", variant: "ZM" };
  },
};
