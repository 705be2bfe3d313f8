/**
 * What the open-payment counters cost next to the payment writes they follow, on DynamoDB Local
 * with its real table stream: N payments written PENDING, then moved to OVERDUE; after each step the
 * stream's records are counted as Lambda's event source would hand them over (batches of 100,
 * 4 stream shards at once). Prints changes counted per second, write units per change, the ratio
 * to the writes of the payments themselves, a re-delivery of everything (counted 0 times), and what
 * reading the gauges costs (it must not grow with N).
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
const stats = new DynamoDbOpenPaymentStatsStore(db, TABLE);
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
async function count(changes: ItemChange[]) {
  const batches: ItemChange[][] = [];
  for (let start = 0; start < changes.length; start += BATCH)
    batches.push(changes.slice(start, start + BATCH));
  meter.reset();
  transactionItems = 0;
  const started = performance.now();
  const results = await pMap(batches, (batch) => countTableChanges(batch, { stats, metrics: noMetrics }), {
    concurrency: SHARDS_AT_ONCE,
  });
  const ms = performance.now() - started;
  const counted = results.reduce((sum, r) => sum + r.counted, 0);
  const alreadyCounted = results.reduce((sum, r) => sum + r.alreadyCounted, 0);
  // What DynamoDB would bill: 2 WRU per transaction item (cancelled transactions too).
  return {
    ms,
    write: 2 * transactionItems,
    localWrite: meter.write,
    requests: meter.requests,
    counted,
    alreadyCounted,
  };
}

/** One counting step's figures, next to the write units of the payment writes it follows. */
const countedLine = (label: string, result: Awaited<ReturnType<typeof count>>, paymentWrites: number) =>
  line(label, {
    changes: result.counted,
    "changes/s": (result.counted / (result.ms / 1000)).toFixed(0),
    "WRU (2 × items)": result.write.toFixed(0),
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
  const items = Array.from({ length: PAYMENTS }, (_, i) => toItem(payment(i), 16));

  meter.reset();
  await batchPutItems(db, TABLE, items);
  const insertWrites = meter.write;
  line("payments written (PENDING)", { payments: PAYMENTS, WRU: insertWrites.toFixed(0) });
  const inserts = (await stream.readNew()).map(changeOfStreamRecord);
  const insertCount = await count(inserts);
  countedLine("counted: new payments", insertCount, insertWrites);

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
  const transitions = (await stream.readNew()).map(changeOfStreamRecord);
  const transitionCount = await count(transitions);
  countedLine("counted: PENDING → OVERDUE", transitionCount, transitionWrites);

  const replay = await count([...inserts, ...transitions]);
  line("re-delivered (all of them again)", {
    counted: replay.counted,
    "already counted": replay.alreadyCounted,
    "WRU (2 × items)": replay.write.toFixed(0),
    ms: replay.ms.toFixed(0),
  });

  meter.reset();
  const started = performance.now();
  const totals = await stats.totals();
  line("gauges read (check, every run)", {
    counters: totals.length,
    RRU: meter.read.toFixed(1),
    requests: meter.requests,
    ms: (performance.now() - started).toFixed(1),
  });
  const overdue = totals.filter((t) => t.state === "OVERDUE").reduce((sum, t) => sum + t.count, 0);
  const pending = totals.filter((t) => t.state === "PENDING").reduce((sum, t) => sum + t.count, 0);
  if (overdue !== PAYMENTS || pending !== 0)
    throw new Error(`counters say ${pending} pending / ${overdue} overdue, expected 0 / ${PAYMENTS}`);
  console.log(`check: counters = 0 pending / ${overdue} overdue, exactly the ${PAYMENTS} payments written`);
} finally {
  stream.close();
  client.destroy();
  await dynamo.stop();
}
