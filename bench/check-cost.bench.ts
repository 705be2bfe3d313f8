/**
 * The overdue check's cost must not grow with the payments that are not due: 1,000 due payments
 * among 10,000 and among 200,000 pending ones, on DynamoDB Local, side by side in one run. As many
 * again were settled while PENDING and keep their due entry (settling no longer removes it), due
 * yesterday: yesterday's check (not measured) moved each shard's watermark past them.
 * Prints time and read capacity consumed for each, and the 200k/10k ratios (target ≤ 1.3).
 * Run: node bin/run-ts.js bench/check-cost.bench.ts [bigPending]
 */
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { toItem } from "../functions/adapters/dynamodb/payment-repository.js";
import type { Payment } from "../functions/domain/payment/payment.js";
import { localDynamoDbClient, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { loadLocalConfig } from "../local/local-config.js";
import { localServices } from "../local/local-services.js";
import { ensureTable } from "../local/table-setup.js";
import { meterCapacity } from "./support/consumed-capacity.js";
import { batchPutItems } from "./support/fill-table.js";

const DUE = 1_000;
const SMALL = 10_000;
const BIG = Number(process.argv[2] ?? 200_000);
const SHARDS = 16;
const NOW = new Date("2026-10-08T12:00:00.000Z");
const YESTERDAY = new Date("2026-10-07T12:00:00.000Z");

function payment(i: number, due: boolean): Payment {
  const overdueAt = due ? "2026-10-08T11:00:00.000Z" : "2026-10-20T11:00:00.000Z";
  return {
    acquirer: "bench-acq",
    paymentId: `${due ? "due" : "later"}-${i}`,
    merchantId: `m-${i % 100}`,
    kind: "payment",
    amountMinor: 1000 + i,
    currency: "CNY",
    confirmedAt: "2026-09-30T07:00:00.000Z",
    confirmedAtUtc: "2026-09-30T07:00:00.000Z",
    status: "PENDING",
    merchantRegistered: false,
    arrival: {
      tradeDate: "2026-09-30",
      dueDate: due ? "2026-10-08" : "2026-10-20",
      expectedBy: overdueAt,
      overdueAt,
      explanation: "bench",
      calendarCoverage: "covered",
    },
    fingerprint: "bench",
    receivedAt: "2026-09-30T07:00:00.000Z",
  };
}

const dynamo = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamo.endpoint);
const db = documentClient(client);
const meter = meterCapacity(client);
const config = loadLocalConfig({ env: {} });
config.dueShards = SHARDS;

/** A payment due yesterday and settled while PENDING: its due entry stays behind the watermark. */
function settledYesterday(i: number): Record<string, unknown> {
  const due = payment(i, true);
  const overdueAt = "2026-10-07T11:00:00.000Z";
  const item = toItem(
    { ...due, paymentId: `settled-${i}`, arrival: { ...(due.arrival ?? ({} as never)), overdueAt } },
    SHARDS,
  );
  return { ...item, status: "SETTLED" };
}

async function fill(tableName: string, pending: number): Promise<void> {
  await ensureTable(client, tableName, { stream: false });
  const items = [
    ...Array.from({ length: DUE }, (_, i) => toItem(payment(i, true), SHARDS)),
    ...Array.from({ length: pending }, (_, i) => toItem(payment(i, false), SHARDS)),
    ...Array.from({ length: pending }, (_, i) => settledYesterday(i)),
  ];
  await batchPutItems(db, tableName, items);
}

const results: Record<string, { ms: number; read: number; write: number; requests: number; marked: number }> =
  {};
try {
  // Two rounds, each on fresh tables: DynamoDB Local's JVM keeps warming up during the first.
  for (const [label, pending] of [
    ["10k r1", SMALL],
    [`${BIG / 1000}k r1`, BIG],
    ["10k", SMALL],
    [`${BIG / 1000}k`, BIG],
  ] as const) {
    const tableName = `bench-check-${label.replace(" ", "-")}`;
    const fillStart = performance.now();
    await fill(tableName, pending);
    console.log(
      `filled ${tableName}: ${DUE} due + ${pending} pending + ${pending} settled yesterday in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
    );
    const yesterday = localServices(
      client,
      { ...config, tableName },
      { outboxFile: null, clock: { now: () => YESTERDAY } },
    );
    await yesterday.checkAndNotify();
    const services = localServices(
      client,
      { ...config, tableName },
      { outboxFile: null, clock: { now: () => NOW } },
    );
    meter.reset();
    const start = performance.now();
    const { report } = await services.checkAndNotify();
    const ms = performance.now() - start;
    results[label] = {
      ms,
      read: meter.read,
      write: meter.write,
      requests: meter.requests,
      marked: report.markedOverdue,
    };
  }
} finally {
  client.destroy();
  await dynamo.stop();
}

console.log(`\ncheck cost: ${DUE} due payments, ${SHARDS} shards, DynamoDB Local`);
for (const [label, r] of Object.entries(results)) {
  console.log(
    `  ${label.padEnd(8)} pending: ${r.ms.toFixed(0).padStart(6)} ms, read ${r.read.toFixed(1).padStart(7)} RCU, write ${r.write.toFixed(1).padStart(7)} WCU, ${r.requests} requests, marked overdue ${r.marked}`,
  );
}
const small = results["10k"];
const big = results[`${BIG / 1000}k`];
if (small && big) {
  console.log(
    `  ratio big/small (round 2): time ${(big.ms / small.ms).toFixed(2)}x, read capacity ${(big.read / small.read).toFixed(2)}x (target <= 1.3x each)`,
  );
}
