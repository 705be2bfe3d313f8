import { describe, expect, it } from "vitest";
import { decimalToMinor } from "../../../../functions/domain/settlement-files/bank/amounts.js";
import { parseYymmdd } from "../../../../functions/domain/settlement-files/bank/dates.js";
import { bankStatementParsers } from "../../../../functions/domain/settlement-files/bank/index.js";
import { physicalLines } from "../../../../functions/domain/settlement-files/bank/text-lines.js";
import type { SettlementFormat } from "../../../../functions/domain/settlement-files/settlement-record.js";
import { chunked, fixture, parseText } from "./bank-test-support.js";

/**
 * Every fixture, its format, and how many records it holds - counted from the file by a rule that
 * does not use the parser: MT940/942 one per `:61:`, BAI2 one per 16 record plus one per record
 * with an unknown code, camt as explained per file.
 */
const FIXTURES: Array<{ name: string; format: SettlementFormat; records: (text: string) => number }> = [
  {
    name: "camt053-v02-acquirer-payouts.xml",
    format: "camt053",
    // 8 entries; E2 is a batch of 2 that adds up (+1), E3 a batch of 2 plus its charges line (+2).
    records: () => 8 + 1 + 2,
  },
  // 3 entries; the first is a batch of 3 that adds up (+2).
  { name: "camt053-v04-multi-statement.xml", format: "camt053", records: () => 3 + 2 },
  { name: "camt053-v08-five-decimals.xml", format: "camt053", records: (t) => count(t, /<Ntry>/g) },
  // a batch of 3 that adds up (3) + an INFO entry (1)
  { name: "camt054-v04-card-batch.xml", format: "camt054", records: () => 4 },
  { name: "camt054-v08-no-dates.xml", format: "camt054", records: (t) => count(t, /<Ntry>/g) },
  { name: "mt940-envelope-crlf.sta", format: "mt940", records: (t) => count(t, /^:61:/gm) },
  { name: "mt940-plain-lf.sta", format: "mt940", records: (t) => count(t, /^:61:/gm) },
  { name: "mt940-missing-62f.sta", format: "mt940", records: (t) => count(t, /^:61:/gm) },
  { name: "mt940-bad-records.sta", format: "mt940", records: (t) => count(t, /^:61:/gm) },
  { name: "mt942-interim.sta", format: "mt942", records: (t) => count(t, /^:61:/gm) },
  ...[
    "bai2-slash-terminated.bai2",
    "bai2-records-on-one-line.bai2",
    "bai2-newline-delimited.bai2",
    "bai2-trailer-mismatch.bai2",
  ].map((name) => ({
    name,
    format: "bai2" as const,
    records: (t: string) =>
      count(t, /(?:^|\/\s*)16,/gm) + count(t, /(?:^|\/\s*)(?!0[123]|16|49|88|98|99)\d\d,/gm),
  })),
];

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

describe("bankStatementParsers", () => {
  it("registers camt.053, camt.054, MT940, MT942 and BAI2", () => {
    expect(bankStatementParsers.map((p) => p.format)).toEqual([
      "camt053",
      "camt054",
      "mt940",
      "mt942",
      "bai2",
    ]);
  });

  it.each(FIXTURES)("sniff picks $format for $name", ({ name, format }) => {
    const head = fixture(name).slice(0, 16_384);
    const ranked = bankStatementParsers
      .map((p) => ({ format: p.format, score: p.sniff(head, {}) }))
      .sort((a, b) => b.score - a.score);
    expect(ranked[0]).toMatchObject({ format });
    expect(ranked[0]?.score).toBeGreaterThanOrEqual(0.9);
    expect(ranked[1]?.score).toBeLessThan(0.5);
  });

  it.each(FIXTURES)(
    "$name: every record is exactly one line or rejected",
    async ({ name, format, records }) => {
      const text = fixture(name);
      const parser = bankStatementParsers.find((p) => p.format === format);
      if (!parser) throw new Error(format);
      const parsed = await parseText(parser, text);
      expect(parsed.lines.length + parsed.rejected.length).toBe(records(text));
      for (const line of parsed.lines) {
        expect(Number.isSafeInteger(line.netMinor) && line.netMinor >= 0).toBe(true);
        expect(line.valueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    },
  );

  it.each(FIXTURES)(
    "$name: the result does not depend on how the text is chunked",
    async ({ name, format }) => {
      const text = fixture(name);
      const parser = bankStatementParsers.find((p) => p.format === format);
      if (!parser) throw new Error(format);
      const whole = await parseText(parser, text, text.length);
      for (const size of [1, 2, 7, 1024]) expect(await parseText(parser, text, size)).toEqual(whole);
    },
  );

  it("no sniff throws or claims unrelated text", () => {
    for (const parser of bankStatementParsers) {
      for (const head of ["", "\u0000\u0001", "a,b,c\n1,2,3\n", "<?xml version='1.0'?><rss/>", "{1:"]) {
        expect(parser.sniff(head, {})).toBeLessThan(0.5);
      }
    }
  });
});

describe("amounts, dates, lines", () => {
  it.each([
    ["1234.56", 2, ".", 123456n],
    ["8.850", 2, ".", 885n],
    ["12.34000", 2, ".", 1234n],
    ["3.1", 2, ".", 310n],
    ["200000", 2, ".", 20000000n],
    ["1500", 0, ".", 1500n],
    ["0,", 2, ",", 0n],
    ["380115,1", 2, ",", 38011510n],
    ["001,12", 2, ",", 112n],
  ] as const)("decimalToMinor(%s, %i digits, '%s') is exact", (raw, digits, separator, minor) => {
    expect(decimalToMinor(raw, digits, separator)).toEqual({ ok: true, minor });
  });

  it("refuses non-zero digits beyond the currency's precision instead of rounding", () => {
    expect(decimalToMinor("1.2345", 3, ".")).toEqual({
      ok: false,
      reason: '"1.2345" has 4 decimals, the currency has 3 and the extra digits are not zero',
    });
  });

  it("never goes through a float (amounts beyond 2^53 stay exact)", () => {
    expect(decimalToMinor("90071992547409.93", 2, ".")).toEqual({ ok: true, minor: 9007199254740993n });
  });

  it.each(["", ".", "-1.00", "1.2.3", "1 000,00", "12,3,4"])("refuses %j", (raw) => {
    const separator = raw.includes(",") ? "," : ".";
    expect(decimalToMinor(raw, 2, separator).ok).toBe(false);
  });

  it("expands two-digit years with a fixed window and clamps a day past month end", () => {
    expect(parseYymmdd("240229")).toEqual({ ok: true, date: "2024-02-29", clamped: false });
    expect(parseYymmdd("160230")).toEqual({ ok: true, date: "2016-02-29", clamped: true });
    expect(parseYymmdd("991231")).toEqual({ ok: true, date: "1999-12-31", clamped: false });
    expect(parseYymmdd("241301").ok).toBe(false);
  });

  it("splits CRLF, LF and lone CR lines whatever the chunking, CRLF split across chunks included", async () => {
    const text = "\uFEFFa\r\nb\rc\nd\r\n\r\ne";
    for (const size of [1, 2, 3, 100]) {
      const lines = [];
      for await (const line of physicalLines(chunked(text, size))) lines.push(line);
      expect(lines).toEqual([
        { number: 1, text: "a" },
        { number: 2, text: "b" },
        { number: 3, text: "c" },
        { number: 4, text: "d" },
        { number: 5, text: "" },
        { number: 6, text: "e" },
      ]);
    }
  });
});
