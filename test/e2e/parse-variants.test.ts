/**
 * `settlewatch parse FILE` as a user runs it, on the variants banks send in the wild (synthetic
 * fixtures) and on a UTF-8 bill with one damaged byte. The command runs in this process (the CLI's
 * program, what bin/settlewatch.js runs); test/e2e/local-runtime.test.ts runs the real process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { settlewatchInProcess } from "../support/cli-in-process.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/settlement-files/", import.meta.url));

const parse = async (...args: string[]) => {
  const { code, stdout, stderr } = await settlewatchInProcess("parse", "--json", ...args);
  if (code !== 0) throw new Error(`parse exited with ${code}: ${stderr}`);
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

describe("settlewatch parse on variants in the wild", () => {
  it("reads MT940 :61: lines without a transaction type (funds code before the amount)", async () => {
    const records = await parse(join(FIXTURES, "bank/mt940-no-type-code.sta"));
    expect(records.map((r) => [r.type, r.direction, r.netMinor])).toEqual([
      ["line", "debit", 29467],
      ["line", "credit", 150000],
      ["line", "credit", 2500],
      ["line", "debit", 1250],
      ["summary", undefined, undefined],
    ]);
    expect(records.at(-1)).toMatchObject({ format: "mt940", lines: 4, rejected: 0, control: "ok" });
  }, 60_000);

  it("detects and reads BAI2 with YYYYMMDD dates and empty optional header fields", async () => {
    const records = await parse(join(FIXTURES, "bank/bai2-long-dates.bai2"));
    expect(records.filter((r) => r.type === "line").map((r) => r.valueDate)).toEqual([
      "2026-10-07",
      "2026-10-07",
    ]);
    expect(records.at(-1)).toMatchObject({ format: "bai2", lines: 2, rejected: 0, control: "ok" });
  }, 60_000);

  it("rejects only the line of a UTF-8 bill holding an invalid byte, with its number", async () => {
    const bill = readFileSync(join(FIXTURES, "wechat/trade-ALL_2025-03-01.csv"));
    const at = bill.indexOf(Buffer.from("POS-01"));
    const file = join(mkdtempSync(join(tmpdir(), "settlewatch-parse-")), "bill.csv");
    writeFileSync(file, Buffer.concat([bill.subarray(0, at), Buffer.from([0xff]), bill.subarray(at)]));
    const records = await parse(file);
    expect(records.filter((r) => r.type === "rejected")).toEqual([
      {
        type: "rejected",
        source: 3,
        reason: "the line holds a byte that is not valid UTF-8 (read as U+FFFD)",
      },
    ]);
    expect(records.filter((r) => r.type === "line").map((r) => r.source)).toEqual([2, 4, 5]);
    expect(records.at(-1)).toMatchObject({ format: "wechat-trade", lines: 3, rejected: 1 });
  }, 60_000);
});
