import { describe, expect, it } from "vitest";
import {
  AcquirerCsvMapping,
  parseAcquirerCsvMappings,
} from "../../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { builtInAcquirerCsvMappings } from "../../../functions/domain/settlement-files/acquirer/known-acquirers.js";
import { fixture, fixtureText, gbk, readAll } from "./support.js";

const examplepay = parseAcquirerCsvMappings(
  (JSON.parse(fixtureText("acquirer/examplepay-mapping.json")) as { acquirerCsv: unknown }).acquirerCsv,
);
const aggregator = parseAcquirerCsvMappings(JSON.parse(fixtureText("acquirer/aggregator-mapping.json")));

describe("AcquirerCsvMapping (config schema)", () => {
  it("applies defaults", () => {
    const m = AcquirerCsvMapping.parse({
      acquirer: "x",
      columns: { reference: "id", net: "net", valueDate: "date" },
      defaultCurrency: "CNY",
    });
    expect(m).toMatchObject({
      delimiter: ",",
      amountUnit: "major",
      decimalSeparator: ".",
      valueDateFormat: "YYYY-MM-DD",
    });
  });

  it("refuses incomplete or contradictory mappings, naming the field", () => {
    const bad = [
      { acquirer: "x", columns: { reference: "id", valueDate: "d" }, defaultCurrency: "CNY" }, // no amount
      { acquirer: "x", columns: { reference: "id", net: "n", valueDate: "d" } }, // no currency
      { acquirer: "x", columns: { reference: "id", net: "n", valueDate: "d" }, defaultCurrency: "cny" },
      { acquirer: "x", columns: { net: "n", valueDate: "d" }, defaultCurrency: "CNY" },
      {
        acquirer: "x",
        columns: { reference: "id", net: "n", valueDate: "d" },
        defaultCurrency: "CNY",
        controlLine: "(",
      },
      {
        acquirer: "x",
        columns: { reference: "id", net: "n", valueDate: "d" },
        defaultCurrency: "CNY",
        decimalSeparator: ",",
        thousandsSeparator: ",",
      },
    ];
    for (const value of bad) expect(AcquirerCsvMapping.safeParse(value).success).toBe(false);
    const issue = AcquirerCsvMapping.safeParse(bad[0]).error?.issues[0];
    expect(issue?.path).toEqual(["columns", "net"]);
  });

  it("ships valid built-in mappings", () => {
    expect(builtInAcquirerCsvMappings.map((m) => m.acquirer)).toEqual([
      "chinaums-portal",
      "chinaums-portal-headerless",
      "chinaums-clearing",
    ]);
  });
});

describe("configurable acquirer CSV", () => {
  it("reads a ';' file with decimal commas, thousands dots, D/C column, preamble, a multi-line quoted field", async () => {
    const { lines, rejected, summary } = await readAll(fixture("acquirer/examplepay-2025-03-04.csv"), {
      acquirerCsv: examplepay,
    });
    expect(lines[0]).toEqual({
      type: "line",
      source: 5,
      reference: "T-0001",
      merchantReference: "ORD-1",
      batchReference: "PO-77",
      merchantId: "M-123",
      direction: "credit",
      currency: "EUR",
      netMinor: 122215,
      grossMinor: 123450,
      feeMinor: 1235,
      valueDate: "2025-03-04",
      kind: "payment",
    });
    expect(
      lines
        .slice(1)
        .map((l) => [l.source, l.reference, l.direction, l.kind, l.grossMinor, l.feeMinor, l.netMinor]),
    ).toEqual([
      [6, "T-0002", "debit", "refund", 10000, 0, 10000],
      [7, "T-0003", "credit", "payment", 5000, 50, 4950], // its description spans lines 7-8
      [11, "T-0006", "debit", "refund", 2000, 1500, 3500], // chargeback: 15.00 fee charged on top
    ]);
    expect(rejected).toEqual([
      {
        type: "rejected",
        source: 9,
        reason: 'Value Date: "31.02.2025" is not a date of the form DD.MM.YYYY',
      },
      { type: "rejected", source: 10, reason: "Txn ID: missing" },
    ]);
    expect(summary).toMatchObject({ format: "acquirer-csv", variant: "examplepay", control: "ok" });
    expect(summary.controlDetail).toContain("net (line 12) 1136.65");
  });

  it("reports a control line that disagrees, and a configured one that is missing", async () => {
    const text = fixtureText("acquirer/examplepay-2025-03-04.csv");
    const wrong = await readAll(text.replace("net=1.136,65", "net=1.136,66"), { acquirerCsv: examplepay });
    expect(wrong.summary.control).toBe("mismatch");
    expect(wrong.summary.controlDetail).toContain("file says 1136.66, detail adds up to 1136.65");
    const cut = await readAll(text.replace(/TOTAL.*\r\n/, ""), { acquirerCsv: examplepay });
    expect(cut.summary.control).toBe("mismatch");
    expect(cut.summary.controlDetail).toMatch(/control line .* was not found/);
  });

  it("is not detected without its mapping", async () => {
    await expect(readAll(fixture("acquirer/examplepay-2025-03-04.csv"))).rejects.toThrow(/not a recognised/);
  });

  it("reads a headerless file in fen with column names from config", async () => {
    const { lines, rejected, summary } = await readAll(
      fixture("acquirer/aggregator-headerless-20250304.csv"),
      {
        acquirerCsv: aggregator,
        format: "acquirer-csv",
      },
    );
    expect(
      lines.map((l) => [l.reference, l.kind, l.direction, l.grossMinor, l.feeMinor, l.netMinor]),
    ).toEqual([
      ["LC0001", "payment", "credit", 10000, 38, 9962],
      ["LC0002", "refund", "debit", 5000, 0, 5000],
    ]);
    expect(rejected).toEqual([
      { type: "rejected", source: 3, reason: '交易金额(分): not an integer amount: "x"' },
    ]);
    expect(summary).toMatchObject({ variant: "aggregator-fen", control: "absent" });
  });

  it("reads a ChinaUMS portal export with the built-in mapping (GBK too), footer totals as control", async () => {
    for (const bytes of [
      fixture("acquirer/chinaums-portal-20250304.txt"),
      gbk(fixtureText("acquirer/chinaums-portal-20250304.txt")),
    ]) {
      const { lines, summary } = await readAll(bytes);
      expect(
        lines.map((l) => [
          l.reference,
          l.kind,
          l.direction,
          l.grossMinor,
          l.feeMinor,
          l.netMinor,
          l.valueDate,
        ]),
      ).toEqual([
        ["123456000101", "payment", "credit", 100000, 600, 99400, "2025-03-04"],
        ["123456000102", "payment", "credit", 50000, 300, 49700, "2025-03-04"], // traded 03-03 23:36, settled 03-04
        ["123456000103", "refund", "debit", 20000, -120, 19880, "2025-03-04"],
      ]);
      expect(summary).toMatchObject({ variant: "chinaums-portal", control: "ok", lines: 3 });
    }
  });

  it("prefers a config mapping over a built-in one for the same header", async () => {
    const mine = parseAcquirerCsvMappings({
      ...builtInAcquirerCsvMappings[0],
      acquirer: "my-chinaums",
    });
    const { summary } = await readAll(fixture("acquirer/chinaums-portal-20250304.txt"), {
      acquirerCsv: mine,
    });
    expect(summary.variant).toBe("my-chinaums");
  });
});
