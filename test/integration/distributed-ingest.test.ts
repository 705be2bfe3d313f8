import { QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";
import { beforeEach, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { planByteRanges } from "../../functions/domain/settlement-files/decoding/line-ranges.js";
import { keys } from "../../functions/shared/table-schema.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import {
  IngestInterruptedError,
  ingestSettlementFile,
  mergeSettlementFileChunks,
} from "../../functions/use-cases/ingest-settlement-file.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import {
  BATCH_CSV_MAPPING,
  batchCsvFile,
  fileInput,
  settlementDeps,
  TEST_CSV_MAPPING,
} from "../support/settlement.js";

const CONFIRMED = new Date("2026-09-30T08:00:00Z");
const SETTLED = new Date("2026-10-08T12:00:00Z");
const M = "m-shanghai-001";

/** ~40 lines: matched, fee mismatches, unmatched, unreadable, refunds, payouts of two batches, long lines. */
function rows(): string[] {
  const out: string[] = [];
  for (let i = 1; i <= 30; i += 1) {
    const batch = `BR-20261008-${i % 2 === 0 ? "A" : "B"}`;
    const id = `p-${i}`;
    if (i % 7 === 0)
      out.push(`${id},O-${i},${M},100.00,2.00,98.00,CNY,2026-10-08,PAY,${batch}`); // fee mismatch
    else if (i % 11 === 0)
      out.push(`${id},O-${i},${M},10.0x,0.06,9.94,CNY,2026-10-08,PAY,${batch}`); // unreadable
    else out.push(`${id},O-${i},${M},100.00,0.60,99.40,CNY,2026-10-08,PAY,${batch}`);
  }
  for (let i = 1; i <= 5; i += 1)
    out.push(`q-${i},O-Q${i}${"x".repeat(i * 40)},${M},10.00,0.06,9.94,CNY,2026-10-09,PAY,`);
  out.push(`po-A,,${M},1292.20,0.00,1292.20,CNY,2026-10-08,PAYOUT,BR-20261008-A`);
  out.push(`po-B,,${M},1192.80,0.00,1192.80,CNY,2026-10-08,PAYOUT,BR-20261008-B`);
  return out;
}

describe("distributed ingest: chunk workers over byte ranges, then the merge", () => {
  const file = batchCsvFile(rows());
  const confirmations = Array.from({ length: 30 }, (_, i) =>
    confirmation({ paymentId: `p-${i + 1}`, orderId: `O-${i + 1}`, amountMinor: 10000 }),
  );

  async function freshTable(): Promise<TestTable> {
    const table = await createTestTable();
    const { deps } = ingestDeps(table, CONFIRMED);
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    deps.settlement = settlementDeps(table, CONFIRMED).store;
    const rawBody = JSON.stringify({ confirmations });
    await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, CONFIRMED) }, deps);
    return table;
  }
  const wired = (table: TestTable) => {
    const w = settlementDeps(table, SETTLED);
    w.deps.acquirerCsv = [...BATCH_CSV_MAPPING, ...TEST_CSV_MAPPING];
    return w;
  };
  /** Everything the file changed, in a comparable form. */
  async function outcome(table: TestTable) {
    const w = wired(table);
    const stored = await w.store.getFile(file.fileId);
    const kept = (await w.store.keptLines(file.fileId)).map(
      (k) => `${k.source}:${k.outcome}:${k.reasonCode}`,
    );
    const payments: Record<string, unknown> = {};
    for (let i = 1; i <= 30; i += 1)
      payments[`p-${i}`] = (await w.store.getPayment(TEST_ACQUIRER, `p-${i}`))?.status;
    const batches: Array<Record<string, unknown>> = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await table.client.send(
        new ScanCommand({
          TableName: table.tableName,
          FilterExpression: "begins_with(pk, :b)",
          ExpressionAttributeValues: { ":b": "BATCH#" },
          ExclusiveStartKey: cursor,
        }),
      );
      batches.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return {
      status: stored?.status,
      counts: stored?.counts,
      totals: stored?.totals,
      fileDay: stored?.fileDay,
      reasons: [...(stored?.topReasons ?? [])].sort((a, b) => a.reasonCode.localeCompare(b.reasonCode)),
      kept: kept.sort(),
      payments,
      batches: batches
        .map(({ updatedAt: _u, ...batch }) => batch)
        .sort((a, b) => `${String(a.pk)}${String(a.sk)}`.localeCompare(`${String(b.pk)}${String(b.sk)}`)),
    };
  }

  let single: Awaited<ReturnType<typeof outcome>>;
  beforeEach(async () => {
    if (single) return;
    const table = await freshTable();
    const result = await ingestSettlementFile(fileInput(file), wired(table).deps);
    expect(result.file.status).toBe("DONE");
    single = await outcome(table);
    expect(single.counts?.read).toBe(37);
    expect(single.counts?.rejected).toBeGreaterThan(0);
    expect(single.counts?.mismatched).toBeGreaterThan(0);
    expect(single.batches.length).toBeGreaterThan(0);
  });

  for (const chunkBytes of [1, 13, 64, 100, 257, 1000, file.bytes.length - 1, file.bytes.length, 1 << 20]) {
    it(`${chunkBytes}-byte ranges end exactly as the single-Lambda run`, async () => {
      const table = await freshTable();
      const w = wired(table);
      const ranges = planByteRanges(file.bytes.length, chunkBytes);
      await pMap(ranges, (range) => ingestSettlementFile({ ...fileInput(file), range }, w.deps), {
        concurrency: 8,
      });
      const merged = await mergeSettlementFileChunks(
        { fileId: file.fileId, acquirer: TEST_ACQUIRER, chunks: ranges.length },
        w.deps,
      );
      expect(merged.duplicate).toBe(false);
      const { control: _c, ...rest } = { ...(await outcome(table)), control: undefined };
      expect(rest).toEqual(single);
      expect(merged.file.control).toBe("absent");
      // A retried merge, or a re-run chunk, changes nothing.
      expect(
        (
          await mergeSettlementFileChunks(
            { fileId: file.fileId, acquirer: TEST_ACQUIRER, chunks: ranges.length },
            w.deps,
          )
        ).duplicate,
      ).toBe(true);
      const again = await ingestSettlementFile({ ...fileInput(file), range: ranges[0] }, w.deps);
      expect(again.duplicate).toBe(true);
      expect(await outcome(table)).toEqual(single);
    });
  }

  it("a chunk worker that dies half way resumes from its own checkpoint; the merge waits for every chunk", async () => {
    const table = await freshTable();
    const w = wired(table);
    const ranges = planByteRanges(file.bytes.length, 700);
    expect(ranges.length).toBeGreaterThan(1);
    const first = ranges[0];
    if (!first) throw new Error("no range");
    await expect(
      ingestSettlementFile({ ...fileInput(file), range: first }, { ...w.deps, stopAfterRecords: 4 }),
    ).rejects.toBeInstanceOf(IngestInterruptedError);
    await expect(
      mergeSettlementFileChunks(
        { fileId: file.fileId, acquirer: TEST_ACQUIRER, chunks: ranges.length },
        w.deps,
      ),
    ).rejects.toThrow(/chunk 0 of .* is not done/);
    for (const range of ranges) await ingestSettlementFile({ ...fileInput(file), range }, w.deps);
    await mergeSettlementFileChunks(
      { fileId: file.fileId, acquirer: TEST_ACQUIRER, chunks: ranges.length },
      w.deps,
    );
    expect(await outcome(table)).toEqual(single);
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.file(`${file.fileId}#CHUNK#00000`).pk },
      }),
    );
    expect(Items[0]?.status).toBe("DONE");
  });
});
