import { describe, expect, it } from "vitest";
import { keys } from "../../../functions/adapters/dynamodb/table-keys.js";
import {
  clockReads,
  importedPaths,
  keyShapedLiterals,
  lineCount,
  longFunctions,
  parse,
  sourceFiles,
} from "./source-rules.js";

/**
 * The layout rules of CONTRIBUTING.md, checked on the source: handlers are wiring, use cases and
 * domain functions are short, only the clock port reads the clock, only the DynamoDB adapter
 * knows the table's key shapes. source-rules.test.ts shows each check failing on a bad source.
 */

const MAX_HANDLER_LINES = 40;
const MAX_FUNCTION_LINES = 60;

/** Handlers over the limit, each with the lines it may not exceed and why it is still long. */
const LONG_HANDLERS: Record<string, { lines: number; reason: string }> = {};

const PARSER =
  "a format parser: one pass over the file's records with its state; split with that format's next change";
const LADDER = "a decision ladder read top to bottom (each rung a return); split when a rung is added";

/** Domain and use-case functions over the limit: the lines each may not exceed, and why. */
const LONG_FUNCTIONS: Record<string, { lines: number; reason: string }> = {
  "functions/domain/matching/fee-check.ts#checkLineAgainstPayment": { lines: 73, reason: LADDER },
  "functions/domain/matching/match-ladder.ts#matchPaymentLine": { lines: 87, reason: LADDER },
  "functions/domain/matching/match-ladder.ts#decidePaymentLine": { lines: 139, reason: LADDER },
  "functions/domain/matching/refund-matching.ts#decideRefundLine": { lines: 73, reason: LADDER },
  "functions/domain/matching/refund-matching.ts#decideReversalLine": { lines: 66, reason: LADDER },
  "functions/domain/matching/reversal-confirmations.ts#decideReversal": { lines: 61, reason: LADDER },
  "functions/domain/notification/notice-text.ts#renderNotice": {
    lines: 82,
    reason: "one notice's text per kind and channel, a switch a translator reads whole",
  },
  "functions/domain/settlement-files/acquirer/acquirer-csv.ts#parseWithMapping": {
    lines: 160,
    reason: PARSER,
  },
  "functions/domain/settlement-files/acquirer/acquirer-csv.ts#row": { lines: 79, reason: PARSER },
  "functions/domain/settlement-files/adyen/adyen-settlement-details.ts#parse": { lines: 96, reason: PARSER },
  "functions/domain/settlement-files/alipay/alipay-account-bill.ts#parse": { lines: 94, reason: PARSER },
  "functions/domain/settlement-files/alipay/alipay-bill-reader.ts#readAlipayBill": {
    lines: 74,
    reason: PARSER,
  },
  "functions/domain/settlement-files/alipay/alipay-trade-bill.ts#parse": { lines: 144, reason: PARSER },
  "functions/domain/settlement-files/alipay/alipay-trade-bill.ts#row": { lines: 63, reason: PARSER },
  "functions/domain/settlement-files/bank/bai2/bai2-parser.ts#readBai2": { lines: 293, reason: PARSER },
  "functions/domain/settlement-files/bank/bai2/bai2-parser.ts#detail": { lines: 73, reason: PARSER },
  "functions/domain/settlement-files/bank/bai2/bai2-parser.ts#handle": { lines: 114, reason: PARSER },
  "functions/domain/settlement-files/bank/camt/camt-entry.ts#entryRecords": { lines: 183, reason: PARSER },
  "functions/domain/settlement-files/bank/camt/camt-parser.ts#checkStatement": { lines: 103, reason: PARSER },
  "functions/domain/settlement-files/bank/camt/camt-parser.ts#readCamt": { lines: 214, reason: PARSER },
  "functions/domain/settlement-files/bank/camt/camt-parser.ts#completed": { lines: 70, reason: PARSER },
  "functions/domain/settlement-files/bank/swift/mt94x-parser.ts#readSwift": { lines: 238, reason: PARSER },
  "functions/domain/settlement-files/decoding/read-settlement-file.ts#readSettlementFile": {
    lines: 91,
    reason: PARSER,
  },
  "functions/domain/settlement-files/stripe/stripe-payout-reconciliation.ts#parse": {
    lines: 97,
    reason: PARSER,
  },
  "functions/domain/settlement-files/text/csv-table.ts#readCsvTable": { lines: 88, reason: PARSER },
  "functions/domain/settlement-files/unionpay/unionpay-zm.ts#parse": { lines: 72, reason: PARSER },
  "functions/domain/settlement-files/wechat/wechat-fund-flow-bill.ts#parse": { lines: 144, reason: PARSER },
  "functions/domain/settlement-files/wechat/wechat-trade-bill.ts#parse": { lines: 143, reason: PARSER },
  "functions/domain/settlement-files/wechat/wechat-trade-bill.ts#readRow": { lines: 61, reason: PARSER },
};

/** Outside functions/adapters/dynamodb, only this test helper may import the key builders. */
const KEY_BUILDERS = "functions/adapters/dynamodb/table-keys.ts";
const KEY_BUILDER_IMPORTERS_ALLOWED = [
  "test/support/table-items.ts",
  "test/unit/architecture/house-rules.test.ts",
];

describe("house rules (CONTRIBUTING.md)", () => {
  it(`keeps every handler file at ${MAX_HANDLER_LINES} lines or fewer: parse event → call use case → shape result`, () => {
    const handlers = sourceFiles("functions/handlers").filter((file) => file.endsWith(".handler.ts"));
    expect(handlers.length).toBeGreaterThan(5);
    const over = handlers
      .map((file) => ({ file, lines: lineCount(parse(file)) }))
      .filter(({ file, lines }) => lines > (LONG_HANDLERS[file]?.lines ?? MAX_HANDLER_LINES))
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(over).toEqual([]);
    const stale = Object.keys(LONG_HANDLERS).filter(
      (file) => !handlers.includes(file) || lineCount(parse(file)) <= MAX_HANDLER_LINES,
    );
    expect(stale, "allow-list entries no longer needed").toEqual([]);
  });

  it(`keeps functions in functions/use-cases and functions/domain at ${MAX_FUNCTION_LINES} lines or fewer`, () => {
    const files = [...sourceFiles("functions/use-cases"), ...sourceFiles("functions/domain")];
    const long = files.flatMap((file) => longFunctions(parse(file), MAX_FUNCTION_LINES));
    const over = long
      .filter(
        ({ file, name, lines }) => lines > (LONG_FUNCTIONS[`${file}#${name}`]?.lines ?? MAX_FUNCTION_LINES),
      )
      .map(({ file, name, lines }) => `${file}: ${name} is ${lines} lines`);
    expect(over).toEqual([]);
    const found = new Set(long.map(({ file, name }) => `${file}#${name}`));
    const stale = Object.keys(LONG_FUNCTIONS).filter((entry) => !found.has(entry));
    expect(stale, "allow-list entries no longer needed").toEqual([]);
    for (const [entry, { reason }] of Object.entries(LONG_FUNCTIONS)) expect(reason, entry).not.toBe("");
  });

  it("reads no clock anywhere in functions/ but the clock adapter: `now` comes from the clock port", () => {
    const files = sourceFiles("functions").filter(
      (file) => file !== "functions/adapters/clock/system-clock.ts",
    );
    expect(files.flatMap((file) => clockReads(parse(file)))).toEqual([]);
    expect(clockReads(parse("functions/adapters/clock/system-clock.ts"))).not.toEqual([]);
  });

  it("imports the table's key builders only inside functions/adapters/dynamodb", () => {
    const files = ["functions", "infra", "local", "cli", "bench", "scripts", "test"].flatMap(sourceFiles);
    const importers = files.filter(
      (file) =>
        !file.startsWith("functions/adapters/dynamodb/") &&
        !KEY_BUILDER_IMPORTERS_ALLOWED.includes(file) &&
        importedPaths(parse(file)).includes(KEY_BUILDERS),
    );
    expect(importers).toEqual([]);
  });

  it("writes no key-shaped string (PAY#…, DUE#…) in functions, local or cli outside the DynamoDB adapter", () => {
    const prefixes = keyPrefixes();
    expect(prefixes).toEqual(expect.arrayContaining(["PAY#", "DUE#", "ESC#", "OUTBOX#", "CALHOLD#"]));
    const files = ["functions", "local", "cli"]
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith("functions/adapters/dynamodb/"));
    expect(files.flatMap((file) => keyShapedLiterals(parse(file), prefixes))).toEqual([]);
  });
});

/** The fixed prefix ("PAY#") of every key the builders make, found by calling each with placeholders. */
function keyPrefixes(): string[] {
  const found = new Set<string>();
  for (const build of Object.values(keys) as Array<(...args: unknown[]) => unknown>) {
    const built = build("x", "x", "x", 0);
    const parts = typeof built === "string" ? [built] : Object.values(built as Record<string, string>);
    for (const part of parts) {
      const prefix = /^[A-Z]+#/.exec(part)?.[0];
      if (prefix) found.add(prefix);
    }
  }
  return [...found].sort();
}
