import { DeleteCommand, QueryCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";
import { beforeAll, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import {
  type ChunkRange,
  chunkRecordId,
  IngestInterruptedError,
  ingestSettlementFile,
  mergeSettlementFileChunks,
  planSettlementFile,
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
import { tableKeys } from "../support/table-items.js";

const CONFIRMED = new Date("2026-09-30T08:00:00Z");
const SETTLED = new Date("2026-10-08T12:00:00Z");
const M = "m-shanghai-001";
const acquirerCsv = [...BATCH_CSV_MAPPING, ...TEST_CSV_MAPPING];

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

/**
 * Quoted fields over several physical lines (RFC 4180): a line break (LF, and CRLF) inside quotes,
 * a blank line and a line that looks like a record inside quotes, escaped quotes; and a quote left
 * open near the end, which the reader rejects (naming its line) before reading the lines after it.
 */
function quotedRows(): string[] {
  const pay = (net: string) => `${M},100.00,${net === "98.00" ? "2.00" : "0.60"},${net},CNY,2026-10-08,PAY`;
  return [
    `p-1,"O-1",${pay("99.40")},BR-20261008-A`, // line 2
    `p-2,"O-2, first line\nsecond line",${pay("99.40")},BR-20261008-A`, // lines 3-4
    `p-3,"O-3 ""quoted""\n\np-9,O-9,${pay("99.40")},BR-20261008-A\nend",${pay("99.40")},BR-20261008-B`, // 5-8
    `p-4,O-4,${pay("98.00")},BR-20261008-B`, // 9: fee mismatch
    `p-5,"O-5\r\n",${M},10.0x,0.06,9.94,CNY,2026-10-08,PAY,BR-20261008-A`, // 10-11: unreadable amount
    `p-6,O-6,${pay("99.40")},BR-20261008-B`, // 12
    `x-1,"no such\npayment",${M},10.00,0.06,9.94,CNY,2026-10-09,PAY,`, // 13-14: unmatched
    `po-A,,${M},198.80,0.00,198.80,CNY,2026-10-08,PAYOUT,BR-20261008-A`, // 15
    `p-7,"O-7 never closed,${pay("99.40")},BR-20261008-B`, // 16: rejected
    `p-8,O-8,${pay("99.40")},BR-20261008-B`, // 17
    `p-10,O-10,${pay("99.40")},BR-20261008-A`, // 18
  ];
}

/**
 * A file, the single-Lambda run's outcome, and chunked runs (fresh tables) to compare with it.
 * `payments`: p-1 … p-N are confirmed on every fresh table (the ones the file's lines name).
 */
function scenario(file: { bytes: Buffer; fileId: string }, payments: number) {
  const confirmations = Array.from({ length: payments }, (_, i) =>
    confirmation({ paymentId: `p-${i + 1}`, orderId: `O-${i + 1}`, amountMinor: 10000 }),
  );
  const freshTable = async (): Promise<TestTable> => {
    const table = await createTestTable();
    const { deps } = ingestDeps(table, CONFIRMED);
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    deps.settlement = settlementDeps(table, CONFIRMED).store;
    const rawBody = JSON.stringify({ confirmations });
    await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, CONFIRMED) }, deps);
    return table;
  };
  const wired = (table: TestTable, now = SETTLED) => {
    const w = settlementDeps(table, now);
    w.deps.acquirerCsv = acquirerCsv;
    return w;
  };
  const plan = (chunkBytes: number) =>
    planSettlementFile(fileInput(file), { acquirerCsv }, { size: file.bytes.length, chunkBytes });
  /** Everything the file changed, in a comparable form. */
  const outcome = async (table: TestTable) => {
    const w = wired(table);
    const stored = await w.store.getFile(file.fileId);
    const kept = (await w.store.keptLines(file.fileId)).map(
      (k) => `${k.source}:${k.outcome}:${k.reasonCode}`,
    );
    const statuses = await Promise.all(
      Array.from({ length: payments }, async (_, i) => [
        `p-${i + 1}`,
        (await w.store.getPayment(TEST_ACQUIRER, `p-${i + 1}`))?.status,
      ]),
    );
    const batches: Array<Record<string, unknown>> = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await table.client.send(
        new ScanCommand({
          TableName: table.tableName,
          FilterExpression: "begins_with(pk, :b)",
          ExpressionAttributeValues: { ":b": tableKeys.batch("").pk },
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
      payments: Object.fromEntries(statuses),
      batches: batches
        .map(({ updatedAt: _u, ...batch }) => batch)
        .sort((a, b) => `${String(a.pk)}${String(a.sk)}`.localeCompare(`${String(b.pk)}${String(b.sk)}`)),
    };
  };
  const single = async () => {
    const table = await freshTable();
    const result = await ingestSettlementFile(fileInput(file), wired(table).deps);
    expect(result.file.status).toBe("DONE");
    return { table, outcome: await outcome(table) };
  };
  const merge = (table: TestTable, chunks: number, now = SETTLED) =>
    mergeSettlementFileChunks(
      { fileId: file.fileId, acquirer: TEST_ACQUIRER, chunks },
      wired(table, now).deps,
    );
  /** The distributed path: every chunk worker (8 at once), then the merge. */
  const chunked = async (table: TestTable, ranges: readonly ChunkRange[]) => {
    const input = { ...fileInput(file), format: "acquirer-csv" as const };
    await pMap(ranges, (range) => ingestSettlementFile({ ...input, range }, wired(table).deps), {
      concurrency: 8,
    });
    return await merge(table, ranges.length);
  };
  return { file, freshTable, wired, plan, outcome, single, merge, chunked };
}

/** The chunk records' TTL attribute, by chunk index. */
async function chunkExpiries(table: TestTable, fileId: string, chunks: number) {
  const out: Array<unknown> = [];
  for (let index = 0; index < chunks; index += 1) {
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": tableKeys.file(chunkRecordId(fileId, index)).pk },
      }),
    );
    out.push(Items.length === 0 ? "gone" : Items[0]?.expiresAt);
  }
  return out;
}

const SEVEN_DAYS_AFTER_SETTLED = Math.floor(SETTLED.getTime() / 1000) + 7 * 24 * 3600;

/** Range sizes that split a file the same way are one case (each run is a fresh table on DynamoDB Local). */
async function distinctPlans(run: ReturnType<typeof scenario>, chunkSizes: Iterable<number>) {
  const plans = new Map<string, { sizes: number[]; ranges: ChunkRange[] }>();
  for (const chunkBytes of chunkSizes) {
    const { ranges, splittable } = await run.plan(chunkBytes);
    if (!splittable) throw new Error(`the file is not split at ${chunkBytes} bytes`);
    const key = ranges.map((range) => range.start).join(",");
    const entry = plans.get(key) ?? { sizes: [], ranges };
    entry.sizes.push(chunkBytes);
    plans.set(key, entry);
  }
  const labelOf = (sizes: number[]) => {
    const [first, last] = [sizes[0], sizes.at(-1)];
    if (sizes.length === 1) return `${first}`;
    const contiguous = sizes.every((size, index) => size === (first ?? 0) + index);
    return contiguous ? `${first}-${last}` : sizes.join(", ");
  };
  return [...plans.values()].map(({ sizes, ranges }) => ({ label: labelOf(sizes), ranges }));
}

const batchRun = scenario(batchCsvFile(rows()), 30);
const batchPlans = await distinctPlans(batchRun, [
  1,
  13,
  64,
  100,
  257,
  1000,
  batchRun.file.bytes.length - 1,
  batchRun.file.bytes.length,
  1 << 20,
]);

describe("distributed ingest: chunk workers over the plan's record ranges, then the merge", () => {
  const run = batchRun;
  const { file } = run;
  let single: Awaited<ReturnType<typeof run.outcome>>;
  beforeAll(async () => {
    ({ outcome: single } = await run.single());
    expect(single.counts?.read).toBe(37);
    expect(single.counts?.rejected).toBeGreaterThan(0);
    expect(single.counts?.mismatched).toBeGreaterThan(0);
    expect(single.batches.length).toBeGreaterThan(0);
  });

  for (const { label, ranges } of batchPlans) {
    it(`${label}-byte ranges (${ranges.length}) end exactly as the single-Lambda run`, async () => {
      const table = await run.freshTable();
      const merged = await run.chunked(table, ranges);
      expect(merged.duplicate).toBe(false);
      expect(await run.outcome(table)).toEqual(single);
      expect(merged.file.control).toBe("absent");
      // A retried merge, or a re-run chunk, changes nothing.
      expect((await run.merge(table, ranges.length)).duplicate).toBe(true);
      const again = await ingestSettlementFile(
        { ...fileInput(file), range: ranges[0] },
        run.wired(table).deps,
      );
      expect(again.duplicate).toBe(true);
      expect(await run.outcome(table)).toEqual(single);
      // Merged: every chunk record is left to the table's TTL, 7 days after the merge.
      expect(await chunkExpiries(table, file.fileId, ranges.length)).toEqual(
        ranges.map(() => SEVEN_DAYS_AFTER_SETTLED),
      );
    });
  }

  it("a chunk worker that dies half way resumes from its own checkpoint; the merge waits for every chunk", async () => {
    const table = await run.freshTable();
    const w = run.wired(table);
    const { ranges } = await run.plan(700);
    expect(ranges.length).toBeGreaterThan(1);
    const first = ranges[0];
    if (!first) throw new Error("no range");
    await expect(
      ingestSettlementFile({ ...fileInput(file), range: first }, { ...w.deps, stopAfterRecords: 4 }),
    ).rejects.toBeInstanceOf(IngestInterruptedError);
    await expect(run.merge(table, ranges.length)).rejects.toThrow(/chunk 0 of .* is not done/);
    expect(await chunkExpiries(table, file.fileId, 1)).toEqual([undefined]); // not merged: kept
    for (const range of ranges) await ingestSettlementFile({ ...fileInput(file), range }, w.deps);
    await run.merge(table, ranges.length);
    expect(await run.outcome(table)).toEqual(single);
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": tableKeys.file(`${file.fileId}#CHUNK#00000`).pk },
      }),
    );
    expect(Items[0]?.status).toBe("DONE");
  });

  it("chunk records' TTL: set once the file is DONE, set again by a retried merge, never on the file record", async () => {
    const table = await run.freshTable();
    const { ranges } = await run.plan(400);
    const chunks = ranges.length;
    await run.chunked(table, ranges);
    expect(await chunkExpiries(table, file.fileId, chunks)).toEqual(
      ranges.map(() => SEVEN_DAYS_AFTER_SETTLED),
    );
    expect((await run.wired(table).store.getFile(file.fileId))?.expiresAt).toBeUndefined();
    // A merge that died after marking the file DONE, before the chunk records: the retry marks them.
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: tableKeys.file(chunkRecordId(file.fileId, 1)),
        UpdateExpression: "REMOVE expiresAt",
      }),
    );
    const later = new Date(SETTLED.getTime() + 24 * 3600 * 1000);
    expect((await run.merge(table, chunks, later)).duplicate).toBe(true);
    const expiries = await chunkExpiries(table, file.fileId, chunks);
    expect(expiries[1]).toBe(SEVEN_DAYS_AFTER_SETTLED + 24 * 3600);
    expect(expiries.filter((at) => at === SEVEN_DAYS_AFTER_SETTLED)).toHaveLength(chunks - 1); // kept their time
    // The TTL deleted a chunk record; a late re-run of that chunk neither reads it again nor makes it again.
    await table.client.send(
      new DeleteCommand({ TableName: table.tableName, Key: tableKeys.file(chunkRecordId(file.fileId, 0)) }),
    );
    const rerun = await ingestSettlementFile({ ...fileInput(file), range: ranges[0] }, run.wired(table).deps);
    expect(rerun.duplicate).toBe(true);
    expect((await chunkExpiries(table, file.fileId, 1))[0]).toBe("gone");
    expect(await run.outcome(table)).toEqual(single);
  });
});

// Every range size from 1 byte to the whole file, as the plan splits the quoted file.
// Its lines name p-1 to p-10 (p-9 only inside a quoted field).
const quoted = scenario(batchCsvFile(quotedRows()), 10);
const quotedPlans = await distinctPlans(
  quoted,
  Array.from({ length: quoted.file.bytes.length }, (_, index) => index + 1),
);

describe("distributed ingest of a CSV whose quoted fields hold line breaks", () => {
  let single: Awaited<ReturnType<typeof quoted.outcome>>;
  beforeAll(async () => {
    const run = await quoted.single();
    single = run.outcome;
    expect(single.counts).toMatchObject({ read: 11, matched: 6, rejected: 2, mismatched: 1, unmatched: 2 });
    // Lines as the single-Lambda reader numbers them: a record's first physical line.
    expect(single.kept).toEqual([
      "10:rejected:unreadable",
      "13:unmatched:awaiting-confirmation",
      "15:unmatched:payout-batch",
      "16:rejected:unreadable",
      "9:mismatched:fee",
    ]);
    const kept = await quoted.wired(run.table).store.keptLines(quoted.file.fileId);
    expect(kept.find((line) => line.source === 16)?.reason).toMatch(/never closed/);
    // p-9's "record" is text inside p-3's quoted field; p-8 and p-10 after the open quote are read.
    expect(single.payments).toMatchObject({
      "p-3": "SETTLED",
      "p-9": "PENDING",
      "p-8": "SETTLED",
      "p-10": "SETTLED",
    });
  });

  it("the plan never starts a range inside quotes, nor after the quote left open", () => {
    const starts = new Set(quotedPlans.flatMap((plan) => plan.ranges.map((range) => range.start)));
    const lineStarts = [0];
    quoted.file.bytes.forEach((byte, at) => {
      if (byte === 0x0a) lineStarts.push(at + 1);
    });
    // Physical lines (1-based) where some plan starts a range: record starts up to the open quote only.
    const lines = [...starts].map((at) => lineStarts.indexOf(at) + 1).sort((a, b) => a - b);
    expect(lines).toEqual([2, 3, 5, 9, 10, 12, 13, 15, 16]);
  });

  for (const { label, ranges } of quotedPlans) {
    it(`${label}-byte ranges (${ranges.length}) end exactly as the single-Lambda run`, async () => {
      const table = await quoted.freshTable();
      await quoted.chunked(table, ranges);
      expect(await quoted.outcome(table)).toEqual(single);
    });
  }
});
