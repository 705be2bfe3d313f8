import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseAcquirerCsvMappings } from "../../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { readSettlementFile } from "../../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import { readRecordRange } from "../../../functions/domain/settlement-files/decoding/record-ranges.js";
import type { ParsedRecord } from "../../../functions/domain/settlement-files/settlement-record.js";
import { type ChunkRange, planSettlementFile } from "../../../functions/use-cases/ingest-settlement-file.js";
import { chunksOf, fixture, fixtureText } from "./support.js";

const acquirerCsv = [
  ...parseAcquirerCsvMappings(
    (JSON.parse(fixtureText("acquirer/examplepay-mapping.json")) as { acquirerCsv: unknown }).acquirerCsv,
  ),
  ...parseAcquirerCsvMappings(JSON.parse(fixtureText("acquirer/aggregator-mapping.json"))),
];

async function records(bytes: AsyncIterable<Uint8Array>, fileName: string, offset = 0) {
  const out: ParsedRecord[] = [];
  for await (const record of readSettlementFile(bytes, { fileName, acquirerCsv })) {
    if (record.type === "summary") continue;
    out.push({ ...record, source: record.source + offset });
  }
  return out;
}

/** A chunk worker's read: the prefix and the range, with ranged reads of the fixture's bytes. */
function rangeOf(bytes: Buffer, range: ChunkRange) {
  return readRecordRange((start, end) => chunksOf(bytes.subarray(start, end), 64), range);
}

/** The splittable fixtures: read in chunks of any size they give the whole file's records, line numbers included. */
const SPLITTABLE = [
  "acquirer/chinaums-portal-20250304.txt",
  // ';'-separated, CRLF, a quoted field over two lines, a control line.
  "acquirer/examplepay-2025-03-04.csv",
  "adyen/settlement_detail_report_batch_7.csv",
  "adyen/settlement_detail_report_batch_8.csv",
  "stripe/payout_reconciliation_itemized_5.csv",
  "stripe/balance_history.csv",
];

describe("chunked reading of real layouts", () => {
  for (const path of SPLITTABLE) {
    it(`${path}: the plan splits it and the chunks read every record once`, async () => {
      const bytes = fixture(path);
      const fileName = path.split("/").pop() as string;
      const whole = await records(chunksOf(bytes, 64), fileName);
      expect(whole.length).toBeGreaterThan(0);
      for (let chunkBytes = 1; chunkBytes <= bytes.length; chunkBytes += chunkBytes < 64 ? 1 : 37) {
        const plan = await planSettlementFile(
          { open: () => chunksOf(bytes, 64), fileName },
          { acquirerCsv },
          { size: bytes.length, chunkBytes },
        );
        expect(plan.splittable).toBe(true);
        const chunked: ParsedRecord[] = [];
        for (const range of plan.ranges) {
          chunked.push(...(await records(rangeOf(bytes, range), fileName, range.lineOffset)));
        }
        expect([chunkBytes, chunked]).toEqual([chunkBytes, whole]);
      }
    });
  }

  it("gzipped files, bank statements and WeChat/Alipay bills take the single-Lambda path", async () => {
    const plan = async (bytes: Buffer, fileName: string) =>
      (
        await planSettlementFile(
          { open: () => chunksOf(bytes, 64), fileName },
          { acquirerCsv },
          { size: bytes.length, chunkBytes: 100 },
        )
      ).splittable;
    const csv = fixture("acquirer/examplepay-2025-03-04.csv");
    expect(await plan(gzipSync(csv), "examplepay-2025-03-04.csv.gz")).toBe(false);
    expect(await plan(fixture("wechat/trade-ALL_2025-03-01.csv"), "trade-ALL_2025-03-01.csv")).toBe(false);
    // Headerless: a chunk would be a file of no known layout.
    const headerless = fixture("acquirer/aggregator-headerless-20250304.csv");
    expect(await plan(headerless, "aggregator-headerless-20250304.csv")).toBe(false);
  });

  it("examplepay's two-line quoted field is never cut: no range starts on its second line", async () => {
    const bytes = fixture("acquirer/examplepay-2025-03-04.csv");
    const fileName = "examplepay-2025-03-04.csv";
    const plan = await planSettlementFile(
      { open: () => chunksOf(bytes, 64), fileName },
      { acquirerCsv },
      { size: bytes.length, chunkBytes: 1 },
    );
    const secondLine = bytes.indexOf('description"');
    expect(secondLine).toBeGreaterThan(0);
    expect(plan.ranges.map((range) => range.start)).not.toContain(secondLine);
    // The prefix is lines 1-4; ranges start on lines 5, 6, 7, 9, 10, 11 and 12 (TOTAL), never on 8.
    expect(plan.ranges.map((range) => range.lineOffset)).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });
});
