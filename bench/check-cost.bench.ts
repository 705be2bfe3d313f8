/**
 * The overdue check's cost must not grow with the payments that are not due: 1,000 due payments
 * among 10,000 and among 200,000 pending ones, on DynamoDB Local, side by side in one run. As many
 * again were settled while PENDING, due yesterday: yesterday's check (not measured) moved each
 * shard's watermark past them. Payments are stored as a confirmation stores them (issue 14): no due
 * entry of their own, one due marker per merchant, trade date and overdue instant; a marker's check
 * reads its merchant day, so each group has its own trade date (due today: 30 Sep; pending, due in
 * two weeks: 7 Oct; settled yesterday: 29 Sep), as the payments of a day share their overdue time.
 * Prints time and read capacity consumed for each, and the 200k/10k ratios (target ≤ 1.3).
 * Run: node bin/run-ts.js bench/check-cost.bench.ts [bigPending]
 */
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { dueMarkerItem, dueMarkerOf, storedItem } from "../functions/adapters/dynamodb/payment-repository.js";
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
  const confirmedAt = due ? "2026-09-30T07:00:00.000Z" : "2026-10-07T07:00:00.000Z";
  return {
    acquirer: "bench-acq",
    paymentId: `${due ? "due" : "later"}-${i}`,
    merchantId: `m-${i % 100}`,
    kind: "payment",
    amountMinor: 1000 + i,
    currency: "CNY",
    confirmedAt,
    confirmedAtUtc: confirmedAt,
    status: "PENDING",
    merchantRegistered: false,
    arrival: {
      tradeDate: confirmedAt.slice(0, 10),
      dueDate: due ? "2026-10-08" : "2026-10-20",
      expectedBy: overdueAt,
      overdueAt,
      explanation: "bench",
      calendarCoverage: "covered",
    },
    fingerprint: "bench",
    receivedAt: confirmedAt,
  };
}

const dynamo = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamo.endpoint);
const db = documentClient(client);
const meter = meterCapacity(client);
const config = loadLocalConfig({ env: {} });
config.dueShards = SHARDS;

/** A payment of 29 Sep due yesterday and settled while PENDING: its day's marker is behind the watermark. */
function settledYesterday(i: number): Payment {
  const due = payment(i, true);
  const arrival = {
    ...(due.arrival ?? ({} as never)),
    tradeDate: "2026-09-29",
    overdueAt: "2026-10-07T11:00:00.000Z",
  };
  return { ...due, paymentId: `settled-${i}`, confirmedAtUtc: "2026-09-29T07:00:00.000Z", arrival };
}

/** The items the confirmations would have written: each payment, and each day's marker once. */
function storedItems(payments: Payment[]): Array<Record<string, unknown>> {
  const markers = new Map<string, Record<string, unknown>>();
  for (const p of payments) {
    const marker = dueMarkerOf(p, 15 * 60 * 1000);
    if (marker) markers.set(JSON.stringify(marker), dueMarkerItem(marker, SHARDS));
  }
  return [...markers.values(), ...payments.map((p) => storedItem(p, SHARDS))];
}

async function fill(tableName: string, pending: number): Promise<void> {
  await ensureTable(client, tableName, { stream: false });
  const settled = Array.from({ length: pending }, (_, i) => settledYesterday(i));
  const items = [
    ...storedItems(Array.from({ length: DUE }, (_, i) => payment(i, true))),
    ...storedItems(Array.from({ length: pending }, (_, i) => payment(i, false))),
    // Stored while PENDING (the marker written then), settled since.
    ...storedItems(settled).map((item) =>
      item.entity === "payment" ? { ...item, status: "SETTLED" } : item,
    ),
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
