import type { SettlementFormatParser } from "../format-parser.js";
import { bai2Parser } from "./bai2/bai2-parser.js";
import { camt053Parser, camt054Parser } from "./camt/camt-parser.js";
import { mt940Parser, mt942Parser } from "./swift/mt94x-parser.js";

export { bai2Parser } from "./bai2/bai2-parser.js";
export { type CamtMessage, camt053Parser, camt054Parser, readCamt } from "./camt/camt-parser.js";
export { mt940Parser, mt942Parser, readSwift, type SwiftMessage } from "./swift/mt94x-parser.js";

/**
 * Bank-statement parsers (leg 2: the payout arriving on the merchant's bank account): ISO 20022
 * camt.053/camt.054, SWIFT MT940/MT942, BAI2. camt.052 is read by `readCamt(text, "camt.052")`
 * but not registered, since `SettlementFormat` has no `camt052`.
 */
export const bankStatementParsers: SettlementFormatParser[] = [
  camt053Parser,
  camt054Parser,
  mt940Parser,
  mt942Parser,
  bai2Parser,
];
