/**
 * What the open-payment counters cost next to the payment writes they follow, on DynamoDB Local
 * with its real table stream: N payments written PENDING, then moved to OVERDUE; after each step the
 * stream's records are counted as Lambda's event source would hand them over (batches of 100 from
 * one stream shard, in order per shard, up to 4 shards at once; markers, which do not need the
 * order, take any 4 batches at once), two ways side by side, each into its own counter table:
 * "markers" (before issue 14: a marker per change, in transactions) and "lanes" (one conditional
 * write per acquirer and batch, guarded by the shard's watermark). Prints changes counted per
 * second, write units per change, the ratio to the writes of the payments themselves, a re-delivery
 * of everything (counted 0 times), and what reading the gauges costs (it must not grow with N).
 * Run: node bin/run-ts.js bench/open-payment-stats.bench.ts [payments]
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { DynamoDbOpenPaymentStatsStore } from "../functions/adapters/dynamodb/open-payment-stats-store.js";
import { toItem } from "../functions/adapters/dynamodb/payment-repository.js";
import { changeOfStreamRecord } from "../functions/adapters/dynamodb/stream-records.js";
import type { Payment } from "../functions/domain/payment/payment.js";
import type { ItemChange } from "../functions/domain/stats/open-payment-stats.js";
import { countTableChanges } from "../functions/use-cases/open-payment-stats.js";
import { noMetrics } from "../functions/use-cases/ports.js";
import { localDynamoDbClient, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { ensureTable } from "../local/table-setup.js";
import { LocalTableStreamReader } from "../local/table-stream.js";
import { tableKeys } from "../test/support/table-items.js";
import { meterCapacity } from "./support/consumed-capacity.js";
import { batchPutItems } from "./support/fill-table.js";
import { benchPayment } from "./support/settlement-fixture.js";

const PAYMENTS = Number(process.argv[2] ?? 20_000);
const BATCH = 100; // TABLE_STREAM_BATCH_SIZE
const SHARDS_AT_ONCE = 4;
const TABLE = "bench-open-payment-stats";
const CURRENCIES = ["CNY", "USD", "HKD"];

/** The settlement benches' payment, spread over two acquirers and three currencies. */
const payment = (i: number): Payment => ({
  ...benchPayment(i),
  acquirer: i % 2 === 0 ? "wechatpay" : "alipay",
  currency: CURRENCIES[i % CURRENCIES.length] ?? "CNY",
});

const dynamo = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamo.endpoint);
const db = documentClient(client);
const meter = meterCapacity(client);
const stream = new LocalTableStreamReader(client, TABLE, dynamo.endpoint);
/** Each way counts into a table of its own (the counters of both would add up in one). */
const stores = {
  markers: new DynamoDbOpenPaymentStatsStore(db, `${TABLE}-markers`),
  lanes: new DynamoDbOpenPaymentStatsStore(db, `${TABLE}-lanes`),
};
type Way = keyof typeof stores;
/** A shard's changes, as the event source hands them over. */
type ShardChanges = { lane: string; changes: ItemChange[] };
// DynamoDB Local's ConsumedCapacity for TransactWriteItems is not what DynamoDB bills (it charges
// 2 WRU per item of up to 1 KB in a transaction), so the items of each transaction are counted
// too and priced that way. Every marker and counter item is well under 1 KB.
let transactionItems = 0;
client.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === "TransactWriteItemsCommand")
      transactionItems += ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
    return await next(args);
  },
  { step: "initialize", name: "benchTransactionItems" },
);

/** Counts changes as the event source delivers them; returns ms, write units and the result totals. */
async function count(shards: ShardChanges[], way: Way) {
  const batches: ShardChanges[] = [];
  for (const { lane, changes } of shards)
    for (let start = 0; start < changes.length; start += BATCH)
      batches.push({ lane, changes: changes.slice(start, start + BATCH) });
  meter.reset();
  transactionItems = 0;
  const started = performance.now();
  const countBatch = ({ lane, changes }: ShardChanges) =>
    countTableChanges(changes, { stats: stores[way], metrics: noMetrics }, way === "lanes" ? { lane } : {});
  // Markers take batches in any order. A lane's batches come in order, one at a time (Lambda with
  // ParallelizationFactor 1); different lanes (shards) at once.
  const results =
    way === "markers"
      ? await pMap(batches, countBatch, { concurrency: SHARDS_AT_ONCE })
      : (
          await pMap(
            new Set(shards.map((shard) => shard.lane)),
            async (lane) => {
              const done = [];
              for (const batch of batches.filter((b) => b.lane === lane)) done.push(await countBatch(batch));
              return done;
            },
            { concurrency: SHARDS_AT_ONCE },
          )
        ).flat();
  const ms = performance.now() - started;
  const counted = results.reduce((sum, r) => sum + r.counted, 0);
  const alreadyCounted = results.reduce((sum, r) => sum + r.alreadyCounted, 0);
  // What DynamoDB would bill: 2 WRU per transaction item (cancelled transactions too); plain
  // conditional updates as metered (1 WRU per KB of the larger of the old and new item).
  return {
    ms,
    write: way === "markers" ? 2 * transactionItems : meter.write,
    requests: meter.requests,
    counted,
    alreadyCounted,
  };
}

/** The stream's new records, shard by shard. */
const readShards = async (): Promise<ShardChanges[]> =>
  await stream.consumeByShard(async (lane, records) => ({
    lane,
    changes: records.map(changeOfStreamRecord),
  }));

/** One counting step's figures, next to the write units of the payment writes it follows. */
const countedLine = (label: string, result: Awaited<ReturnType<typeof count>>, paymentWrites: number) =>
  line(label, {
    changes: result.counted,
    "changes/s": (result.counted / (result.ms / 1000)).toFixed(0),
    WRU: result.write.toFixed(0),
    "WRU/change": (result.write / result.counted).toFixed(2),
    "× the payment writes": (result.write / paymentWrites).toFixed(2),
  });

const line = (label: string, figures: Record<string, string | number>) =>
  console.log(
    `${label.padEnd(34)} ${Object.entries(figures)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );

try {
  await ensureTable(client, TABLE);
  for (const way of ["markers", "lanes"] as const)
    await ensureTable(client, `${TABLE}-${way}`, { stream: false });
  const items = Array.from({ length: PAYMENTS }, (_, i) => toItem(payment(i), 16));

  meter.reset();
  await batchPutItems(db, TABLE, items);
  const insertWrites = meter.write;
  line("payments written (PENDING)", { payments: PAYMENTS, WRU: insertWrites.toFixed(0) });
  const inserts = await readShards();
  line("stream shards read", { shards: inserts.length });
  for (const way of ["markers", "lanes"] as const)
    countedLine(`counted: new payments (${way})`, await count(inserts, way), insertWrites);

  meter.reset();
  await pMap(
    items,
    (item) =>
      db.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: tableKeys.payment(String(item.acquirer), String(item.paymentId)),
          UpdateExpression: "SET #status = :overdue",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":overdue": "OVERDUE" },
        }),
      ),
    { concurrency: 16 },
  );
  const transitionWrites = meter.write;
  line("payments moved PENDING → OVERDUE", { payments: PAYMENTS, WRU: transitionWrites.toFixed(0) });
  const transitions = await readShards();
  for (const way of ["markers", "lanes"] as const)
    countedLine(`counted: PENDING → OVERDUE (${way})`, await count(transitions, way), transitionWrites);

  for (const way of ["markers", "lanes"] as const) {
    const replay = await count([...inserts, ...transitions], way);
    line(`re-delivered, all again (${way})`, {
      counted: replay.counted,
      "already counted": replay.alreadyCounted,
      WRU: replay.write.toFixed(0),
      ms: replay.ms.toFixed(0),
    });
  }

  for (const way of ["markers", "lanes"] as const) {
    meter.reset();
    const started = performance.now();
    const totals = await stores[way].totals();
    line(`gauges read (${way})`, {
      counters: totals.length,
      RRU: meter.read.toFixed(1),
      requests: meter.requests,
      ms: (performance.now() - started).toFixed(1),
    });
    const overdue = totals.filter((t) => t.state === "OVERDUE").reduce((sum, t) => sum + t.count, 0);
    const pending = totals.filter((t) => t.state === "PENDING").reduce((sum, t) => sum + t.count, 0);
    if (overdue !== PAYMENTS || pending !== 0)
      throw new Error(
        `${way}: counters say ${pending} pending / ${overdue} overdue, expected 0 / ${PAYMENTS}`,
      );
    console.log(
      `check (${way}): counters = 0 pending / ${overdue} overdue, exactly the ${PAYMENTS} payments written`,
    );
  }
} finally {
  stream.close();
  client.destroy();
  await dynamo.stop();
}
