/**
 * The reader's central promise: every data record of a file ends as exactly one `line` or one
 * `rejected` (headers, comments, summary/footer rows are not records), in file order, with the same
 * result whatever the byte chunking. Expected record counts are counted by hand from the fixtures.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseAcquirerCsvMappings } from "../../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import type { ReadSettlementFileOptions } from "../../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import { fixture, fixtureText, gbk, makeZip, readAll } from "./support.js";

const examplepay = parseAcquirerCsvMappings(
  (JSON.parse(fixtureText("acquirer/examplepay-mapping.json")) as { acquirerCsv: unknown }).acquirerCsv,
);
const aggregator = parseAcquirerCsvMappings(JSON.parse(fixtureText("acquirer/aggregator-mapping.json")));
const alipayTrade = "alipay/20880211096256330156_20250301_业务明细.csv";

interface Case {
  name: string;
  bytes: () => Buffer;
  options?: ReadSettlementFileOptions;
  format: string;
  /** Data records in the file, counted by hand. */
  records: number;
  control: "ok" | "mismatch" | "absent";
}

const cases: Case[] = [
  {
    name: "wechat ALL",
    bytes: () => fixture("wechat/trade-ALL_2025-03-01.csv"),
    format: "wechat-trade",
    records: 4,
    control: "ok",
  },
  {
    name: "wechat ALL gzip",
    bytes: () => gzipSync(fixture("wechat/trade-ALL_2025-03-01.csv")),
    format: "wechat-trade",
    records: 4,
    control: "ok",
  },
  {
    name: "wechat SUCCESS",
    bytes: () => fixture("wechat/trade-SUCCESS_2025-03-02.csv"),
    format: "wechat-trade",
    records: 2,
    control: "ok",
  },
  {
    name: "wechat REFUND",
    bytes: () => fixture("wechat/trade-REFUND_2025-03-03.csv"),
    format: "wechat-trade",
    records: 2,
    control: "ok",
  },
  {
    name: "wechat legacy",
    bytes: () => fixture("wechat/trade-legacy_2016-05-10.csv"),
    format: "wechat-trade",
    records: 3,
    control: "ok",
  },
  {
    name: "wechat broken rows",
    bytes: () => fixture("wechat/trade-broken-rows.csv"),
    format: "wechat-trade",
    records: 5,
    control: "mismatch",
  },
  {
    name: "wechat summary mismatch",
    bytes: () => fixture("wechat/trade-summary-mismatch.csv"),
    format: "wechat-trade",
    records: 4,
    control: "mismatch",
  },
  {
    name: "wechat truncated",
    bytes: () => fixture("wechat/trade-truncated.csv"),
    format: "wechat-trade",
    records: 3,
    control: "mismatch",
  },
  {
    name: "wechat fund flow",
    bytes: () => fixture("wechat/fundflow-BASIC_2025-03-01.csv"),
    format: "wechat-fundflow",
    records: 5,
    control: "ok",
  },
  {
    name: "alipay trade GBK",
    bytes: () => gbk(fixtureText(alipayTrade)),
    format: "alipay-detail",
    records: 3,
    control: "ok",
  },
  {
    name: "alipay trade zip",
    bytes: () =>
      makeZip([
        {
          name: "x_业务明细(汇总).csv",
          data: gbk(fixtureText("alipay/20880211096256330156_20250301_业务明细(汇总).csv")),
          gbkName: true,
        },
        { name: "x_业务明细.csv", data: gbk(fixtureText(alipayTrade)), gbkName: true },
      ]),
    format: "alipay-detail",
    records: 3,
    control: "ok",
  },
  {
    name: "alipay account GBK",
    bytes: () => gbk(fixtureText("alipay/20880211096256330156_20250301_账务明细.csv")),
    format: "alipay-account",
    records: 4,
    control: "ok",
  },
  {
    name: "alipay account newer",
    bytes: () => fixture("alipay/account-newer-layout-excel.csv"),
    format: "alipay-account",
    records: 3,
    control: "mismatch",
  },
  {
    name: "adyen batch 7",
    bytes: () => fixture("adyen/settlement_detail_report_batch_7.csv"),
    format: "adyen-settlement",
    records: 5,
    control: "absent",
  },
  {
    name: "adyen batch 8",
    bytes: () => fixture("adyen/settlement_detail_report_batch_8.csv"),
    format: "adyen-settlement",
    records: 5,
    control: "absent",
  },
  {
    name: "stripe itemized",
    bytes: () => fixture("stripe/payout_reconciliation_itemized_5.csv"),
    format: "stripe-payout",
    records: 6,
    control: "absent",
  },
  {
    name: "stripe balance history",
    bytes: () => fixture("stripe/balance_history.csv"),
    format: "stripe-payout",
    records: 3,
    control: "absent",
  },
  {
    name: "examplepay",
    bytes: () => fixture("acquirer/examplepay-2025-03-04.csv"),
    options: { acquirerCsv: examplepay },
    format: "acquirer-csv",
    records: 6,
    control: "ok",
  },
  {
    name: "aggregator headerless",
    bytes: () => fixture("acquirer/aggregator-headerless-20250304.csv"),
    options: { acquirerCsv: aggregator },
    format: "acquirer-csv",
    records: 3,
    control: "absent",
  },
  {
    name: "chinaums portal",
    bytes: () => fixture("acquirer/chinaums-portal-20250304.txt"),
    format: "acquirer-csv",
    records: 3,
    control: "ok",
  },
];

describe("every data record becomes exactly one line or rejected", () => {
  it.each(cases)(
    "$name: lines + rejected = $records",
    async ({ bytes, options, format, records, control }) => {
      const result = await readAll(bytes(), options ?? {});
      expect(result.summary.format).toBe(format);
      expect(result.summary.lines + result.summary.rejected).toBe(records);
      expect(result.lines.length + result.rejected.length).toBe(records);
      expect(result.records.length).toBe(records + 1); // + the summary, last
      expect(result.summary.control).toBe(control);
      // sources are increasing and unique: one output per record, in file order
      const sources = result.records.slice(0, -1).map((r) => ("source" in r ? r.source : 0));
      expect([...sources].sort((a, b) => a - b)).toEqual(sources);
      expect(new Set(sources).size).toBe(sources.length);
      // totals are the sums of the lines
      const totals: Record<string, { creditMinor: number; debitMinor: number }> = {};
      for (const l of result.lines) {
        const t = totals[l.currency] ?? { creditMinor: 0, debitMinor: 0 };
        totals[l.currency] = t;
        if (l.direction === "credit") t.creditMinor += l.netMinor;
        else t.debitMinor += l.netMinor;
        expect(Number.isInteger(l.netMinor) && l.netMinor >= 0).toBe(true);
        expect(l.valueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
      expect(result.summary.totals).toEqual(totals);
    },
  );

  it.each(cases)("$name: same records whatever the chunk size", async ({ bytes, options }) => {
    const data = bytes();
    const reference = await readAll(data, options ?? {});
    for (const size of [1, 2, 3, 17, 4096]) {
      expect((await readAll(data, options ?? {}, size)).records).toEqual(reference.records);
    }
  });
});
