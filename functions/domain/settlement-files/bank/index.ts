import type { SettlementFormatParser } from "../format-parser.js";

/** Bank-statement parsers (camt.053/054, MT940/942, BAI2). Placeholder until they land. */
export const bankStatementParsers: SettlementFormatParser[] = [];
