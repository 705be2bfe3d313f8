import { QueryCommand } from "@aws-sdk/client-dynamodb";
import type { _Record } from "@aws-sdk/client-dynamodb-streams";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, DynamoDBStreamEvent, Handler } from "aws-lambda";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbOpenPaymentStatsStore } from "../../functions/adapters/dynamodb/open-payment-stats-store.js";
import { toItem } from "../../functions/adapters/dynamodb/payment-repository.js";
import type { Payment } from "../../functions/domain/payment/payment.js";
import {
  byAcquirerStateCurrency,
  type ItemChange,
  type OpenPaymentTotal,
} from "../../functions/domain/stats/open-payment-stats.js";
import { countTableChanges } from "../../functions/use-cases/open-payment-stats.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { localServices } from "../../local/local-services.js";
import { LocalTableStreamReader } from "../../local/table-stream.js";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import { RecordingMetrics } from "../support/ingest-deps.js";
import { tableKeys as keys } from "../support/table-items.js";

// Counting by lane (a stream shard) with one watermark per acquirer and lane: one small write per
// batch, still exact when a batch is delivered again, in part, split, or out of date. The records
// are DynamoDB Local's real stream records of real payment writes.

const payment = (acquirer: string, i: number): Payment => ({
  acquirer,
  paymentId: `p-${i}`,
  merchantId: "m-1",
  kind: "payment",
  amountMinor: 1000 + i,
  currency: i % 3 === 0 ? "USD" : "CNY",
  confirmedAt: "2026-10-01T07:00:00.000Z",
  confirmedAtUtc: "2026-10-01T07:00:00.000Z",
  status: "PENDING",
  merchantRegistered: true,
  arrival: {
    tradeDate: "2026-10-01",
    dueDate: "2026-10-08",
    expectedBy: "2026-10-08T10:00:00.000Z",
    overdueAt: "2026-10-08T11:00:00.000Z",
    explanation: "test",
    calendarCoverage: "covered",
  },
  fingerprint: "test",
  receivedAt: "2026-10-01T07:00:00.000Z",
});

/** The open payments of one acquirer as written: `overdue` of them moved PENDING → OVERDUE. */
function expectedTotals(acquirer: string, count: number, overdue: number): OpenPaymentTotal[] {
  const sums = new Map<string, OpenPaymentTotal>();
  for (let i = 0; i < count; i += 1) {
    const p = payment(acquirer, i);
    const state = i < overdue ? "OVERDUE" : "PENDING";
    const key = `${state}:${p.currency}`;
    const sum = sums.get(key) ?? { acquirer, state, currency: p.currency, count: 0, amountMinor: 0n };
    sum.count += 1;
    sum.amountMinor += BigInt(p.amountMinor);
    sums.set(key, sum);
  }
  return [...sums.values()].sort(byAcquirerStateCurrency);
}

describe("open-payment counters by lane: one write per batch, exact under redelivery (DynamoDB Local)", () => {
  let table: TestTable;
  let stats: DynamoDbOpenPaymentStatsStore;
  let handler: Handler<
    DynamoDBStreamEvent & { shardId?: string },
    { counted: number; alreadyCounted: number }
  >;
  const context = { functionName: "count-table-changes", awsRequestId: "test" } as unknown as Context;
  const db = () => documentClient(table.client);

  beforeAll(async () => {
    table = await createTestTable({ stream: true });
    stats = new DynamoDbOpenPaymentStatsStore(db(), table.tableName);
    Object.assign(process.env, handlerEnvFor(table), { POWERTOOLS_LOG_LEVEL: "SILENT" });
    ({ handler } = await import("../../functions/handlers/count-table-changes.handler.js"));
  });
  afterAll(() => table.client.destroy());

  /** Writes `count` payments of `acquirer`, moves the first `overdue` to OVERDUE; returns their stream records by shard. */
  async function writePayments(acquirer: string, count: number, overdue: number) {
    const reader = new LocalTableStreamReader(table.client, table.tableName, table.endpoint);
    await reader.readNew(); // earlier tests' records are not this test's
    for (let i = 0; i < count; i += 1)
      await db().send(new PutCommand({ TableName: table.tableName, Item: toItem(payment(acquirer, i), 16) }));
    for (let i = 0; i < overdue; i += 1)
      await db().send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.payment(acquirer, `p-${i}`),
          UpdateExpression: "SET #status = :overdue",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":overdue": "OVERDUE" },
        }),
      );
    const byShard = await reader.consumeByShard(async (shardId, records) => ({ shardId, records }));
    reader.close();
    return byShard;
  }

  const totalsOf = async (acquirer: string) =>
    (await stats.totals()).filter((total) => total.acquirer === acquirer && total.count !== 0);

  it("through the Lambda handler: a batch re-delivered whole, in part, split, or stale is counted once", async () => {
    const acquirer = "lane-handler";
    const shards = await writePayments(acquirer, 40, 15);
    const deliver = (shardId: string, records: _Record[]) =>
      handler({ Records: records as DynamoDBStreamEvent["Records"], shardId }, context, () => undefined);
    let counted = 0;
    let already = 0;
    for (const { shardId, records } of shards) {
      const half = Math.floor(records.length / 2);
      const results = [
        await deliver(shardId, records.slice(0, half)), // the first half
        await deliver(shardId, records.slice(0, half)), // the same batch again (a retry)
        await deliver(shardId, records.slice(half - 5)), // a later batch overlapping the first by 5
        await deliver(shardId, records), // everything again (an older checkpoint)
        await deliver(shardId, records.slice(3, 9)), // a stale piece out of order
      ];
      counted += results.reduce((sum, result) => sum + (result?.counted ?? 0), 0);
      already += results.reduce((sum, result) => sum + (result?.alreadyCounted ?? 0), 0);
    }
    expect(counted).toBe(55); // 40 new payments + 15 moved to OVERDUE, once each
    expect(already).toBeGreaterThan(55);
    expect(await totalsOf(acquirer)).toEqual(expectedTotals(acquirer, 40, 15));
    // One tally item per counter shard in use, not one marker per change.
    const lanes = new Set(shards.map((shard) => shard.shardId)).size;
    const raw = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues: { ":pk": { S: "STATS#OPEN" }, ":sk": { S: `TALLY#${acquirer}#` } },
      }),
    );
    expect(raw.Items?.length).toBeGreaterThan(0);
    expect(raw.Items?.length).toBeLessThanOrEqual(lanes);
    // Each holds the watermark of a lane it counted: the last sequence number of that shard.
    const lastOf = new Map(
      shards.map(({ shardId, records }) => [shardId, records.at(-1)?.dynamodb?.SequenceNumber]),
    );
    for (const item of raw.Items ?? []) {
      const marks = Object.entries(item).filter(([name]) => name.startsWith("w:"));
      expect(marks.length).toBeGreaterThan(0);
      for (const [name, value] of marks)
        expect(BigInt(value.S ?? "")).toBe(BigInt(lastOf.get(name.slice(2)) ?? -1));
    }
  });

  it("through the local runtime's stream reader: a reader starting over from the oldest record changes nothing", async () => {
    const acquirer = "lane-local";
    const config = loadLocalConfig({ env: {} });
    config.tableName = table.tableName;
    const metrics = new RecordingMetrics();
    const before = new LocalTableStreamReader(table.client, table.tableName, table.endpoint);
    await localServices(table.client, config, {
      tableStream: before,
      outboxFile: null,
      metrics,
    }).countTableChanges();
    before.close();
    await writePayments(acquirer, 30, 10);
    // A fresh reader reads the whole stream from the start, twice: every record is delivered again.
    for (let run = 0; run < 2; run += 1) {
      const reader = new LocalTableStreamReader(table.client, table.tableName, table.endpoint);
      const services = localServices(table.client, config, {
        tableStream: reader,
        outboxFile: null,
        metrics,
      });
      const result = await services.countTableChanges();
      expect(result?.counted).toBe(run === 0 ? 40 : 0);
      expect((await services.countTableChanges())?.counted).toBe(0);
      reader.close();
    }
    expect(await totalsOf(acquirer)).toEqual(expectedTotals(acquirer, 30, 10));
  });

  it("property: any in-order delivery of contiguous batches, with retries, overlaps and stale repeats, counts each change once", async () => {
    let run = 0;
    const changesOf = (acquirer: string, lane: number): ItemChange[] =>
      Array.from({ length: 24 }, (_, i) => ({
        changeId: `${acquirer}-${lane}-${i}`,
        sequenceNumber: String(1_000_000_000_000_000_000n + BigInt(lane * 1000 + i * 7)),
        newImage: {
          entity: "payment",
          kind: "payment",
          status: "PENDING",
          acquirer,
          currency: i % 2 === 0 ? "CNY" : "HKD",
          amountMinor: 2 ** 40 + i,
        },
      }));
    const deliveries = fc.array(
      fc.record({
        lane: fc.integer({ min: 0, max: 2 }),
        back: fc.nat(30),
        length: fc.integer({ min: 1, max: 12 }),
      }),
      { minLength: 1, maxLength: 25 },
    );
    await fc.assert(
      fc.asyncProperty(deliveries, async (plan) => {
        const acquirer = `prop-${run++}`;
        const lanes = [0, 1, 2].map((lane) => ({ changes: changesOf(acquirer, lane), checkpoint: 0 }));
        const metrics = new RecordingMetrics();
        let counted = 0;
        const deliver = async (lane: number, from: number, to: number) => {
          const { changes } = lanes[lane] as (typeof lanes)[number];
          const result = await countTableChanges(
            changes.slice(from, to),
            { stats, metrics },
            { lane: `shard-${acquirer}-${lane}` },
          );
          counted += result.counted;
        };
        for (const { lane, back, length } of plan) {
          const state = lanes[lane] as (typeof lanes)[number];
          // Lambda starts a batch at its checkpoint, or earlier on a retry or a stale repeat.
          const from = Math.max(0, state.checkpoint - back);
          const to = Math.min(state.changes.length, from + length);
          await deliver(lane, from, to);
          state.checkpoint = Math.max(state.checkpoint, to);
        }
        // Then each lane runs to its end: every change was delivered at least once.
        for (const [lane, state] of lanes.entries()) await deliver(lane, 0, state.changes.length);
        const all = lanes.flatMap((state) => state.changes);
        expect(counted).toBe(all.length);
        const expected = new Map<string, bigint>();
        for (const change of all) {
          const currency = String(change.newImage?.currency);
          expected.set(
            currency,
            (expected.get(currency) ?? 0n) + BigInt(Number(change.newImage?.amountMinor)),
          );
        }
        const totals = await totalsOf(acquirer);
        expect(totals.map((total) => [total.currency, total.count, total.amountMinor]).sort()).toEqual(
          [...expected.entries()].map(([currency, amount]) => [currency, 36, amount]).sort(),
        );
      }),
      { numRuns: 20 },
    );
  });
});
