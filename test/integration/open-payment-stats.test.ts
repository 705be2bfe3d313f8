import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbOpenPaymentStatsStore } from "../../functions/adapters/dynamodb/open-payment-stats-store.js";
import { changeOfStreamRecord } from "../../functions/adapters/dynamodb/stream-records.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import type { ItemChange } from "../../functions/domain/stats/open-payment-stats.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { ingestSettlementFile } from "../../functions/use-cases/ingest-settlement-file.js";
import { countTableChanges, reportOpenPayments } from "../../functions/use-cases/open-payment-stats.js";
import type { GaugeMetricName } from "../../functions/use-cases/ports.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { LocalTableStreamReader } from "../../local/table-stream.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, RecordingMetrics, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { csvFile, fileInput, settlementDeps } from "../support/settlement.js";

// The counters are kept from the table's real change stream on DynamoDB Local (read as Lambda's
// event source would), through the real use cases that write payments: ingest, check, settlement.

const CONFIRMED_AT = new Date("2026-09-30T08:00:00Z");
/** p1..p3 (T+1 Shanghai) are overdue from here. */
const OVERDUE_AT = "2026-10-08T11:00:00.000Z";

class RecordingGauges {
  readonly levels = new Map<string, number>();
  level(name: GaugeMetricName, value: number, dimensions: { acquirer: string; currency?: string }) {
    this.levels.set([name, dimensions.acquirer, dimensions.currency].filter(Boolean).join(":"), value);
  }
}

describe("open-payment counters from the table stream (DynamoDB Local)", () => {
  let table: TestTable;
  let stream: LocalTableStreamReader;
  let stats: DynamoDbOpenPaymentStatsStore;

  beforeEach(async () => {
    table = await createTestTable({ stream: true });
    stream = new LocalTableStreamReader(table.client, table.tableName, table.endpoint);
    stats = new DynamoDbOpenPaymentStatsStore(documentClient(table.client), table.tableName);
    const { deps } = ingestDeps(table, CONFIRMED_AT);
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
  });

  const confirm = async (items: Array<Record<string, unknown>>) => {
    const { deps } = ingestDeps(table, CONFIRMED_AT);
    const rawBody = JSON.stringify({ confirmations: items });
    const { results } = await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, CONFIRMED_AT) },
      deps,
    );
    expect(results.map((result) => result.status)).toEqual(items.map(() => "accepted"));
  };
  const newChanges = async () => (await stream.readNew()).map(changeOfStreamRecord);

  it("follows payments from pending to overdue to settled late, per acquirer, state and currency", async () => {
    await confirm([
      confirmation({ paymentId: "p1", amountMinor: 12850 }),
      confirmation({ paymentId: "p2", amountMinor: 1000, orderId: "ORD-2" }),
      confirmation({ paymentId: "p3", amountMinor: 999, currency: "USD", orderId: "ORD-3" }),
      confirmation({
        paymentId: "r1",
        kind: "refund",
        originalPaymentId: "p1",
        amountMinor: 50,
        orderId: "ORD-4",
      }),
    ]);
    const metrics = new RecordingMetrics();
    let result = await countTableChanges(await newChanges(), { stats, metrics });
    expect(result.counted).toBe(3); // the refund is no open payment; the merchant profile is no payment
    expect(await stats.totals()).toEqual([
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "CNY", count: 2, amountMinor: 13850n },
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "USD", count: 1, amountMinor: 999n },
    ]);

    const clock = new TestClock(new Date(OVERDUE_AT));
    const { check } = checkDeps(table, clock);
    expect((await runOverdueCheck(check)).markedOverdue).toBe(3);
    result = await countTableChanges(await newChanges(), { stats, metrics });
    expect(result.counted).toBe(3);
    expect(result.ignored).toBeGreaterThan(0); // notice bookkeeping on the payments changes no counter
    expect(await stats.totals()).toEqual([
      { acquirer: TEST_ACQUIRER, state: "OVERDUE", currency: "CNY", count: 2, amountMinor: 13850n },
      { acquirer: TEST_ACQUIRER, state: "OVERDUE", currency: "USD", count: 1, amountMinor: 999n },
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "CNY", count: 0, amountMinor: 0n },
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "USD", count: 0, amountMinor: 0n },
    ]);

    // The acquirer's file settles p1 (late): it leaves the overdue counters, and the file's day is new.
    const settledAt = new Date("2026-10-08T13:00:00Z");
    const file = csvFile(["p1,,m-shanghai-001,128.50,0.77,127.73,CNY,2026-10-08,PAY"]);
    await ingestSettlementFile(fileInput(file), settlementDeps(table, settledAt).deps);
    await countTableChanges(await newChanges(), { stats, metrics });
    expect(metrics.get("PaymentsSettledLate")).toBe(1);
    expect(metrics.get("SettlementFilesReceived")).toBe(1);

    const gauges = new RecordingGauges();
    const report = await reportOpenPayments({ stats, gauges }, [TEST_ACQUIRER, "other-pay"]);
    expect(report.acquirers).toEqual([
      { acquirer: TEST_ACQUIRER, pending: 0, overdue: 2 },
      { acquirer: "other-pay", pending: 0, overdue: 0 },
    ]);
    expect(Object.fromEntries(gauges.levels)).toEqual({
      [`OverdueAmountMinor:${TEST_ACQUIRER}:CNY`]: 1000,
      [`OverdueAmountMinor:${TEST_ACQUIRER}:USD`]: 999,
      [`PendingAmountMinor:${TEST_ACQUIRER}:CNY`]: 0,
      [`PendingAmountMinor:${TEST_ACQUIRER}:USD`]: 0,
      [`PendingPayments:${TEST_ACQUIRER}`]: 0,
      [`OverduePayments:${TEST_ACQUIRER}`]: 2,
      "PendingPayments:other-pay": 0,
      "OverduePayments:other-pay": 0,
    });
  });

  it("counts each change once when the stream delivers it again, whole or in overlapping batches", async () => {
    await confirm(
      Array.from({ length: 30 }, (_, i) => confirmation({ paymentId: `q${i}`, orderId: `O-${i}` })),
    );
    const changes = await newChanges();
    const payments = changes.filter((change) => change.newImage?.entity === "payment");
    expect(payments).toHaveLength(30);
    const metrics = new RecordingMetrics();
    // First delivery: changes 0..19; a retry re-delivers 10..29 (10 of them already counted).
    const first = await countTableChanges(payments.slice(0, 20), { stats, metrics });
    const retry = await countTableChanges(payments.slice(10), { stats, metrics });
    const again = await countTableChanges(payments, { stats, metrics });
    expect([first.counted, first.alreadyCounted]).toEqual([20, 0]);
    expect([retry.counted, retry.alreadyCounted]).toEqual([10, 10]);
    expect([again.counted, again.alreadyCounted]).toEqual([0, 30]);
    expect(await stats.totals()).toEqual([
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "CNY", count: 30, amountMinor: 30n * 12850n },
    ]);
  });

  it("stays exact when several consumers count disjoint batches at the same time (counter shards, conflicts retried)", async () => {
    const changes: ItemChange[] = Array.from({ length: 200 }, (_, i) => ({
      changeId: `change-${i}`,
      newImage: {
        entity: "payment",
        kind: "payment",
        status: "PENDING",
        acquirer: i % 2 === 0 ? "acme" : "beta",
        currency: "CNY",
        amountMinor: i,
      },
    }));
    // One counter shard for everyone: the worst case for transaction conflicts.
    const oneShard = new DynamoDbOpenPaymentStatsStore(
      documentClient(table.client),
      table.tableName,
      () => new Date(),
      () => 0,
    );
    const metrics = new RecordingMetrics();
    const batches = Array.from({ length: 8 }, (_, b) => changes.filter((_, i) => i % 8 === b));
    await Promise.all(batches.map((batch) => countTableChanges(batch, { stats: oneShard, metrics })));
    const evenSum = changes.filter((_, i) => i % 2 === 0).reduce((sum, _, k) => sum + 2 * k, 0);
    expect(await stats.totals()).toEqual([
      { acquirer: "acme", state: "PENDING", currency: "CNY", count: 100, amountMinor: BigInt(evenSum) },
      { acquirer: "beta", state: "PENDING", currency: "CNY", count: 100, amountMinor: BigInt(evenSum + 100) },
    ]);
  });

  it("keeps sums beyond 2^53 exact, from the confirmation to the report", async () => {
    // 4,000,000,000,000,001 fen is within a raised CNY bound; three of them pass 2^53 (9.007e15),
    // where a JS number would round the odd last digit away.
    const amount = 4_000_000_000_000_001;
    const { deps } = ingestDeps(table, CONFIRMED_AT);
    deps.inputLimits = {
      earliestDate: "2000-01-01",
      maxFutureHours: 24,
      maxAmountMinor: { default: 1_000_000_000_000, CNY: 5_000_000_000_000_000 },
    };
    const rawBody = JSON.stringify({
      confirmations: ["big-1", "big-2", "big-3"].map((paymentId) =>
        confirmation({ paymentId, orderId: paymentId, amountMinor: amount }),
      ),
    });
    const { results } = await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, CONFIRMED_AT) },
      deps,
    );
    expect(results.map((result) => result.status)).toEqual(["accepted", "accepted", "accepted"]);
    await countTableChanges(await newChanges(), { stats, metrics: new RecordingMetrics() });
    const exact = 3n * BigInt(amount);
    expect(exact > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(await stats.totals()).toEqual([
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "CNY", count: 3, amountMinor: exact },
    ]);
    const report = await reportOpenPayments({ stats, gauges: new RecordingGauges() });
    expect(report.amounts).toEqual([
      {
        acquirer: TEST_ACQUIRER,
        state: "PENDING",
        currency: "CNY",
        count: 3,
        amountMinor: "12000000000000003",
      },
    ]);
    // The counter item itself holds the exact figure (DynamoDB numbers keep 38 digits).
    const raw = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: "STATS#OPEN" } },
      }),
    );
    const stored = (raw.Items ?? []).map((item) => BigInt(item.amountMinor?.N ?? "0"));
    expect(stored.reduce((sum, value) => sum + value, 0n)).toBe(exact);
  });

  it("retries a counter update that failed: the consumer does not move past records it could not count", async () => {
    await confirm([
      confirmation({ paymentId: "r1", orderId: "R-1" }),
      confirmation({ paymentId: "r2", orderId: "R-2" }),
    ]);
    // A store whose table does not exist: every write fails, as with lost permissions or throttling.
    const broken = new DynamoDbOpenPaymentStatsStore(documentClient(table.client), `${table.tableName}-gone`);
    const metrics = new RecordingMetrics();
    const count =
      (store: DynamoDbOpenPaymentStatsStore) => (records: Parameters<typeof changeOfStreamRecord>[0][]) =>
        countTableChanges(records.map(changeOfStreamRecord), { stats: store, metrics });
    await expect(stream.consume(count(broken))).rejects.toThrow(/resource|table/i);
    expect(await stats.totals()).toEqual([]);
    // The next run gets the same two payments again and counts them; a third run has nothing new.
    const retried = await stream.consume(count(stats));
    expect(retried.counted).toBe(2);
    expect((await stream.consume(count(stats))).counted).toBe(0);
    expect(await stats.totals()).toEqual([
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "CNY", count: 2, amountMinor: 25700n },
    ]);
  });
});
