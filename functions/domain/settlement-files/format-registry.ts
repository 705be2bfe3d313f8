/**
 * Every settlement-file parser settlewatch knows, and format detection over them.
 * A new format = one parser file + one entry here.
 */
import { acquirerCsvParser } from "./acquirer/acquirer-csv.js";
import { adyenSettlementParser } from "./adyen/adyen-settlement-details.js";
import { alipayAccountBillParser } from "./alipay/alipay-account-bill.js";
import { alipayTradeBillParser } from "./alipay/alipay-trade-bill.js";
import { bankStatementParsers } from "./bank/index.js";
import type { ParseOptions, SettlementFormatParser } from "./format-parser.js";
import { type SettlementFormat, UnreadableFileError } from "./settlement-record.js";
import { stripePayoutParser } from "./stripe/stripe-payout-reconciliation.js";
import { unionpayZmParser } from "./unionpay/unionpay-zm.js";
import { wechatFundFlowBillParser } from "./wechat/wechat-fund-flow-bill.js";
import { wechatTradeBillParser } from "./wechat/wechat-trade-bill.js";

/** Acquirer / payment-platform parsers (this folder) followed by the bank-statement parsers. */
export const settlementFormatParsers: readonly SettlementFormatParser[] = [
  wechatTradeBillParser,
  wechatFundFlowBillParser,
  alipayTradeBillParser,
  alipayAccountBillParser,
  adyenSettlementParser,
  stripePayoutParser,
  unionpayZmParser,
  acquirerCsvParser,
  ...bankStatementParsers,
];

/** Below this confidence a sniff is not a detection. */
const MIN_CONFIDENCE = 0.5;

/** A WeChat Pay download that failed returns an XML error body instead of the bill. */
function wechatErrorBody(head: string): string | null {
  const text = head.trimStart();
  if (!text.startsWith("<xml>") || !text.includes("<return_code>")) return null;
  const tag = (name: string) =>
    new RegExp(`<${name}>(?:<!\\[CDATA\\[)?(.*?)(?:\\]\\]>)?</${name}>`, "s").exec(text)?.[1]?.trim() ?? "";
  const code = tag("error_code");
  return `WeChat Pay returned an error instead of a bill: ${tag("return_code")} ${tag("return_msg")}${code ? ` (error_code ${code})` : ""}`;
}

/** The parser for a format; throws when no parser for it is registered (e.g. a bank parser not there yet). */
export function parserFor(
  format: SettlementFormat,
  parsers: readonly SettlementFormatParser[] = settlementFormatParsers,
): SettlementFormatParser {
  const parser = parsers.find((p) => p.format === format);
  if (!parser) throw new UnreadableFileError(`no parser is registered for format ${format}`);
  return parser;
}

/**
 * Picks the parser most confident about `head` (the first ~16 KB of decoded text). Throws
 * UnreadableFileError naming line 1 when no parser recognises it.
 */
export function detectFormat(
  head: string,
  options: ParseOptions,
  parsers: readonly SettlementFormatParser[] = settlementFormatParsers,
): SettlementFormatParser {
  const error = wechatErrorBody(head);
  if (error) throw new UnreadableFileError(error, 1);
  let best: SettlementFormatParser | null = null;
  let bestScore = 0;
  for (const parser of parsers) {
    let score = 0;
    try {
      score = parser.sniff(head, options);
    } catch {
      score = 0; // a sniff must not throw; if one does, it does not recognise the file
    }
    if (score > bestScore) {
      best = parser;
      bestScore = score;
    }
  }
  if (best === null || bestScore < MIN_CONFIDENCE) {
    const firstLine = head.split(/\r\n|\r|\n/).find((l) => l.trim() !== "") ?? "";
    throw new UnreadableFileError(
      `not a recognised settlement file (formats: ${parsers.map((p) => p.format).join(", ")}); it starts ${JSON.stringify(firstLine.slice(0, 80))}`,
      1,
    );
  }
  return best;
}
