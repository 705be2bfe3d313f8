import { createReadStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../functions/adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../functions/adapters/dynamodb/merchant-repository.js";
import {
  DynamoDbPaymentRepository,
  dueMarkerItem,
  dueMarkerOf,
  storedItem,
} from "../functions/adapters/dynamodb/payment-repository.js";
import { DynamoDbSettlementStore } from "../functions/adapters/dynamodb/settlement-store.js";
import { parseAcquirerCsvMappings } from "../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { AMOUNT_INDEX, DUE_INDEX, ORDER_INDEX } from "../functions/shared/table-schema.js";
import {
  type IngestSettlementFileDeps,
  ingestSettlementFile,
  mergeSettlementFileChunks,
  planSettlementFile,
} from "../functions/use-cases/ingest-settlement-file.js";
import { noMetrics } from "../functions/use-cases/ports.js";
import { localDynamoDbClient, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { TEST_CSV_COLUMNS } from "../test/support/settlement.js";
import { meterCapacity } from "./support/consumed-capacity.js";
import { itemBytes } from "./support/item-size.js";
import {
  BENCH_ACQUIRER,
  benchPayment,
  fillSettlementTable,
  writeSettlementCsv,
} from "./support/settlement-fixture.js";

if (process.argv.includes("--help")) {
  console.log("usage: node bin/run-ts.js bench/distributed-ingest.bench.ts [lines=200000] [workers=4]");
  process.exit(0);
}
const LINES = Number(process.argv[2] ?? 200_000);
const WORKERS = Number(process.argv[3] ?? 4);
const CONCURRENCY = 16; // each run's write concurrency (the use case's default)
const ACQUIRER = BENCH_ACQUIRER;
const out = join(import.meta.dirname, "out");
mkdirSync(out, { recursive: true });

/**
 * Assumed prices, us-east-1 (N. Virginia), USD, as published by AWS for on-demand use (check the
 * region you deploy to; cn-north-1 is billed in CNY at other rates):
 * DynamoDB on-demand $0.625 per million write request units, $0.125 per million read request units;
 * Lambda arm64 $0.0000133334 per GB-s and $0.20 per million requests;
 * Step Functions Standard $0.025 per 1,000 state transitions (Distributed Map child executions are
 * Standard executions and billed the same way).
 */
const PRICE = {
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
  gbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  transition: 0.025 / 1000,
};
/** The deployment defaults (infra/config/deployment-schema.ts). */
const MEMORY_GB = 1024 / 1024;
const CHUNK_BYTES = 8 * 1024 * 1024;
const LAMBDA_SECONDS = 15 * 60 - 30; // a run stops 30 s before the 15-minute timeout
const TARGET_LINES = 10_000_000;
/**
 * The same bench before settling went write-only (commit 8974003, \`20000 2\`, same machine, load
 * average 11-20): every settled line read its payment first and removed it from the due index.
 */
const BEFORE = {
  commit: "8974003",
  single: { wruPerLine: 2.01, rruPerLine: 1.005, cost10M: 14.53 },
  distributed: { wruPerLine: 2.015, rruPerLine: 1.016, cost10M: 15.61 },
} as const;
/**
 * The payments a confirmation writes, measured through the repository the confirmation uses: 20
 * per merchant day (100 merchants), the first of each day also writing the day's due marker.
 */
const CONFIRM_SAMPLE = 2000;
const CONFIRM_DAYS = 100;
/** The same measure before due markers (commit 2715b74, 200 inserts): the item and two index entries. */
const CONFIRM_BEFORE_WRU = 3.0;

const dynamo = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamo.endpoint);
const db = documentClient(client);

function depsFor(tableName: string): IngestSettlementFileDeps {
  return {
    store: new DynamoDbSettlementStore(db, tableName),
    merchants: new DynamoDbMerchantRepository(db, tableName),
    fileDays: new DynamoDbFileDayLedger(db, tableName),
    clock: { now: () => new Date() },
    metrics: noMetrics,
    acquirerCsv: parseAcquirerCsvMappings({
      acquirer: ACQUIRER,
      columns: TEST_CSV_COLUMNS,
      kindValues: { PAY: "payment" },
    }),
    concurrency: CONCURRENCY,
  };
}

/** Bytes a read took from the file, added to `into` as they stream (what S3 would send). */
async function* counted(
  bytes: AsyncIterable<Uint8Array>,
  into: { bytes: number; requests: number },
): AsyncGenerator<Uint8Array> {
  into.requests += 1;
  for await (const chunk of bytes) {
    into.bytes += chunk.length;
    yield chunk;
  }
}

interface Run {
  seconds: number;
  /** Sum of the runs' busy seconds (what Lambda would bill): one run, or every chunk worker's. */
  workerSeconds: number;
  wru: number;
  rru: number;
  requests: number;
}

const meter = meterCapacity(client);
let single: Run | undefined;
let distributed: (Run & { chunks: number; planSeconds: number; mergeSeconds: number }) | undefined;
let fileBytes = 0;
const confirmWru = { firstOfDay: Number.NaN, rest: Number.NaN, all: Number.NaN };
/** Read units of the same inserts (the marker's look before its put, once per merchant day and container). */
const confirmRru = { firstOfDay: Number.NaN, rest: Number.NaN };
/** A further container's first payment of a day already marked (before: a failed conditional put, 1 WRU). */
const confirmFurther = { wru: Number.NaN, rru: Number.NaN };
/**
 * The same inserts for payments that carry the merchant's order number, as WeChat Pay's and Alipay's
 * do (`out_trade_no`): their order-index entry is the one write the figures above leave out.
 */
const confirmWithOrder = { firstOfDay: Number.NaN, rest: Number.NaN, all: Number.NaN };
/** The same, for an acquirer that switched the order index off (`matchByOrderNumber: false`). */
const confirmWithOrderUnfiled = { firstOfDay: Number.NaN, rest: Number.NaN, all: Number.NaN };
/** Bytes read from the file (S3 on AWS): the single run, the plan, and each chunk worker. */
const reads = {
  single: { bytes: 0, requests: 0 },
  plan: { bytes: 0, requests: 0 },
  workers: [] as Array<{ bytes: number; requests: number }>,
  /** What the former chunk workers read: each streamed the file from byte 0 to its range's end. */
  fromZero: 0,
};
try {
  const path = join(out, `settlement-${LINES}.csv`);
  const file = await writeSettlementCsv(path, LINES);
  fileBytes = file.bytes;
  console.log(`generated ${path}: ${LINES} lines, ${(file.bytes / 1_048_576).toFixed(1)} MiB`);
  // Without the table stream (see fillSettlementTable): on DynamoDB Local it slows every later run.
  await fillSettlementTable(client, db, "bench-single", LINES, { stream: false });
  await fillSettlementTable(client, db, "bench-distributed", LINES, { stream: false });
  console.log("filled two tables with the same payments (no table stream)");
  // An unmeasured run first: the JIT and DynamoDB Local's JVM warm up on it, not on the single path.
  const warmLines = Math.min(LINES, 10_000);
  const warmPath = join(out, `settlement-warm-up-${warmLines}.csv`);
  const warm = await writeSettlementCsv(warmPath, warmLines);
  await fillSettlementTable(client, db, "bench-warm-up", warmLines, { stream: false });
  await ingestSettlementFile(
    {
      fileId: warm.fileId,
      acquirer: ACQUIRER,
      fileName: "warm-up.csv",
      format: "acquirer-csv",
      open: () => createReadStream(warmPath),
    },
    depsFor("bench-warm-up"),
  );
  console.log(`warmed up on ${warmLines} lines`);
  const input = {
    fileId: file.fileId,
    acquirer: ACQUIRER,
    fileName: "bench.csv",
    format: "acquirer-csv" as const,
    open: () => createReadStream(path),
  };

  meter.reset();
  let start = performance.now();
  const one = await ingestSettlementFile(
    { ...input, open: () => counted(createReadStream(path), reads.single) },
    depsFor("bench-single"),
  );
  const seconds = (performance.now() - start) / 1000;
  if (one.file.counts.matched !== LINES) throw new Error(`single: ${JSON.stringify(one.file.counts)}`);
  single = { seconds, workerSeconds: seconds, wru: meter.write, rru: meter.read, requests: meter.requests };

  meter.reset();
  const deps = depsFor("bench-distributed");
  start = performance.now();
  const plan = await planSettlementFile(
    { ...input, open: () => counted(createReadStream(path), reads.plan) },
    deps,
    { size: file.bytes, chunkBytes: Math.ceil(file.bytes / WORKERS) },
  );
  const planSeconds = (performance.now() - start) / 1000;
  if (!plan.splittable) throw new Error("bench file not splittable");
  const busy = await Promise.all(
    plan.ranges.map(async (range) => {
      const began = performance.now();
      const read = { bytes: 0, requests: 0 };
      reads.workers[range.index] = read;
      reads.fromZero += range.end;
      await ingestSettlementFile(
        {
          ...input,
          format: plan.format,
          encoding: plan.encoding,
          // A ranged GET on AWS; a file stream of those bytes here (end is inclusive for both).
          openRange: (from, to) => counted(createReadStream(path, { start: from, end: to - 1 }), read),
          range,
        },
        deps,
      );
      return (performance.now() - began) / 1000;
    }),
  );
  const merging = performance.now();
  const merged = await mergeSettlementFileChunks(
    { fileId: file.fileId, acquirer: ACQUIRER, chunks: plan.ranges.length },
    deps,
  );
  const mergeSeconds = (performance.now() - merging) / 1000;
  const total = (performance.now() - start) / 1000;
  if (merged.file.counts.matched !== LINES || merged.file.counts.read !== LINES) {
    throw new Error(`distributed: ${JSON.stringify(merged.file.counts)}`);
  }
  distributed = {
    seconds: total,
    workerSeconds: planSeconds + busy.reduce((a, b) => a + b, 0) + mergeSeconds,
    wru: meter.write,
    rru: meter.read,
    requests: meter.requests,
    chunks: plan.ranges.length,
    planSeconds,
    mergeSeconds,
  };
  console.log(`chunk workers' busy seconds: ${busy.map((s) => s.toFixed(1)).join(", ")}`);
  // The confirmation's write, for the "≤ 2 WRU per confirm" target (measured, not changed here).
  const confirmations = new DynamoDbPaymentRepository(db, "bench-single", 16);
  meter.reset();
  for (let i = 0; i < CONFIRM_DAYS; i += 1) await confirmations.insert(benchPayment(LINES + i));
  const firstOfDay = meter.write;
  confirmRru.firstOfDay = meter.read / CONFIRM_DAYS;
  meter.reset();
  for (let i = CONFIRM_DAYS; i < CONFIRM_SAMPLE; i += 1) await confirmations.insert(benchPayment(LINES + i));
  confirmWru.firstOfDay = firstOfDay / CONFIRM_DAYS;
  confirmWru.rest = meter.write / (CONFIRM_SAMPLE - CONFIRM_DAYS);
  confirmWru.all = (firstOfDay + meter.write) / CONFIRM_SAMPLE;
  confirmRru.rest = meter.read / (CONFIRM_SAMPLE - CONFIRM_DAYS);
  // A further container (cold cache) meets each of those merchant days once: one payment per day.
  const further = new DynamoDbPaymentRepository(db, "bench-single", 16);
  meter.reset();
  for (let i = 0; i < CONFIRM_DAYS; i += 1) await further.insert(benchPayment(LINES + CONFIRM_SAMPLE + i));
  confirmFurther.wru = meter.write / CONFIRM_DAYS;
  confirmFurther.rru = meter.read / CONFIRM_DAYS;
  // Payments with an order number, on merchant days of their own (so each day's first writes its
  // marker): filed by order number (the default), then for an acquirer that switched that off.
  for (const [into, merchants, options] of [
    [confirmWithOrder, "mo", {}],
    [confirmWithOrderUnfiled, "mu", { acquirersWithoutOrderIndex: [BENCH_ACQUIRER] }],
  ] as const) {
    const withOrder = (i: number) => ({
      ...benchPayment(LINES + (merchants === "mo" ? 3 : 4) * CONFIRM_SAMPLE + i),
      merchantId: `${merchants}-${i % CONFIRM_DAYS}`,
      orderId: `ORD-${merchants}-${i}`,
    });
    const repository = new DynamoDbPaymentRepository(db, "bench-single", 16, options);
    meter.reset();
    for (let i = 0; i < CONFIRM_DAYS; i += 1) await repository.insert(withOrder(i));
    const first = meter.write;
    meter.reset();
    for (let i = CONFIRM_DAYS; i < CONFIRM_SAMPLE; i += 1) await repository.insert(withOrder(i));
    into.firstOfDay = first / CONFIRM_DAYS;
    into.rest = meter.write / (CONFIRM_SAMPLE - CONFIRM_DAYS);
    into.all = (first + meter.write) / CONFIRM_SAMPLE;
  }
} finally {
  client.destroy();
  await dynamo.stop();
}
if (!single || !distributed) process.exit(1);

const rate = (run: Run) => LINES / run.seconds;
console.log(
  `\ndistributed ingest: ${LINES} lines, ${WORKERS} chunk workers, concurrency ${CONCURRENCY} each, DynamoDB Local (in memory, one process, tables without stream)`,
);
console.log(`                     lines/s   wall s   WRU        RRU        requests   WRU/line RRU/line`);
for (const [name, run] of [
  ["single path", single],
  [`${distributed.chunks} chunk workers`, distributed],
] as const) {
  console.log(
    `  ${name.padEnd(17)} ${rate(run).toFixed(0).padStart(7)} ${run.seconds.toFixed(1).padStart(8)}   ${run.wru.toFixed(0).padEnd(10)} ${run.rru.toFixed(0).padEnd(10)} ${String(run.requests).padEnd(10)} ${(run.wru / LINES).toFixed(3).padStart(8)} ${(run.rru / LINES).toFixed(3).padStart(8)}`,
  );
}
console.log(
  `  plan ${distributed.planSeconds.toFixed(2)} s, merge ${distributed.mergeSeconds.toFixed(2)} s; speed-up ${(rate(distributed) / rate(single)).toFixed(2)}x`,
);
const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MiB`;
const workerBytes = reads.workers.reduce((sum, read) => sum + read.bytes, 0);
console.log(`
bytes read from the file (S3 GetObject on AWS), file ${mib(fileBytes)}:`);
console.log(`  single path      ${mib(reads.single.bytes)} in ${reads.single.requests} read(s)`);
console.log(`  plan             ${mib(reads.plan.bytes)} in ${reads.plan.requests} read (once, sequential)`);
console.log(
  `  chunk workers    ${reads.workers.map((read) => `${mib(read.bytes)} (${read.requests} ranged)`).join(", ")}`,
);
console.log(
  `  distributed      ${mib(reads.plan.bytes + workerBytes)} in all = ${((reads.plan.bytes + workerBytes) / fileBytes).toFixed(2)}x the file (workers alone ${(workerBytes / fileBytes).toFixed(2)}x); streaming each range from byte 0, as before, the workers would read ${mib(reads.fromZero)} = ${(reads.fromZero / fileBytes).toFixed(2)}x`,
);

// ---- 10M lines on AWS, on paper, from the measured per-line figures ----
const scale = TARGET_LINES / LINES;
const bytes10M = (fileBytes / LINES) * TARGET_LINES;
const chunks10M = Math.ceil(bytes10M / CHUNK_BYTES);
function cost(run: Run, lambdaRequests: number, transitions: number) {
  const wru = run.wru * scale;
  const rru = run.rru * scale;
  const gbSeconds = run.workerSeconds * scale * MEMORY_GB;
  const parts = {
    dynamoWrites: wru * PRICE.wru,
    dynamoReads: rru * PRICE.rru,
    lambda: gbSeconds * PRICE.gbSecond + lambdaRequests * PRICE.lambdaRequest,
    stepFunctions: transitions * PRICE.transition,
  };
  return {
    wru,
    rru,
    gbSeconds,
    lambdaRequests,
    transitions,
    parts,
    total: Object.values(parts).reduce((a, b) => a + b, 0),
  };
}
const singleRuns = Math.ceil((single.workerSeconds * scale) / LAMBDA_SECONDS);
// Transitions: the parent (Plan, Chunks map, Merge: one each, plus start/end counted by AWS) ≈ 5;
// each child execution (one Chunk task state) ≈ 2 (the state entered, the execution succeeding).
// Retries of a chunk that ran out of time add one each (none at 8 MiB chunks if a chunk fits in a run).
const transitions10M = 5 + 2 * chunks10M;
const costs = {
  single: cost(single, singleRuns, 0),
  distributed: cost(distributed, 1 + 1 + chunks10M + 1, transitions10M),
};
console.log(
  `\n10M-line file on AWS (us-east-1 prices, arm64 Lambda at ${MEMORY_GB} GB), from the measured per-line units:`,
);
console.log(
  `  file ≈ ${(bytes10M / 1_048_576).toFixed(0)} MiB → ${chunks10M} chunks of ${CHUNK_BYTES / 1_048_576} MiB`,
);
console.log("  DynamoDB  = WRU/line × 10M × $0.625/M + RRU/line × 10M × $0.125/M");
console.log("  Lambda    = busy s/line (local rate) × 10M × 1 GB × $0.0000133334 + invocations × $0.20/M");
console.log(`  StepFns   = (5 + 2 × chunks) transitions × $0.025/1000`);
for (const [name, c] of Object.entries(costs)) {
  console.log(
    `  ${name.padEnd(12)} WRU ${(c.wru / 1e6).toFixed(1)}M ($${c.parts.dynamoWrites.toFixed(2)}), RRU ${(c.rru / 1e6).toFixed(1)}M ($${c.parts.dynamoReads.toFixed(2)}), ${c.gbSeconds.toFixed(0)} GB-s in ${c.lambdaRequests} invocations ($${c.parts.lambda.toFixed(2)}), ${c.transitions} transitions ($${c.parts.stepFunctions.toFixed(4)}) → $${c.total.toFixed(2)}`,
  );
}
console.log(
  "  (GB-s use DynamoDB Local's rate; on AWS a run waits on the network more, so GB-s scale with the real rate. The single path's runs are resumptions of one file, 14.5 min each.)",
);

// Side by side with the figures before (see BEFORE): per line and the 10M-line file.
console.log(`\nbefore (commit ${BEFORE.commit}) → now, settling ${LINES} lines that match by reference:`);
for (const [name, run, c] of [
  ["single", single, costs.single],
  ["distributed", distributed, costs.distributed],
] as const) {
  const before = BEFORE[name];
  console.log(
    `  ${name.padEnd(12)} WRU/line ${before.wruPerLine.toFixed(3)} → ${(run.wru / LINES).toFixed(3)}, RRU/line ${before.rruPerLine.toFixed(3)} → ${(run.rru / LINES).toFixed(3)}, 10M-line file $${before.cost10M.toFixed(2)} → $${c.total.toFixed(2)} (targets ≤ 1.1 WRU, ≤ 0.1 RRU, < $8)`,
  );
}

const sample = storedItem(benchPayment(LINES), 16);
const indexEntries = [DUE_INDEX, ORDER_INDEX, AMOUNT_INDEX].filter((index) => index.partitionKey in sample);
const marker = dueMarkerOf(benchPayment(LINES), 15 * 60 * 1000);
console.log(
  `\nconfirming a payment (${CONFIRM_SAMPLE} inserts through the confirmation's repository, ${CONFIRM_SAMPLE / CONFIRM_DAYS} per merchant day): the item is ${itemBytes(sample)} bytes as DynamoDB sizes it, ${Object.keys(sample).length} attributes, ${indexEntries.length} index entr${indexEntries.length === 1 ? "y" : "ies"}: ${indexEntries.map((index) => index.name).join(", ")}; the day's due marker ${marker ? itemBytes(dueMarkerItem(marker, 16)) : "-"} bytes, written once per merchant day (each further container reads it once)`,
);
console.log(
  `  WRU per payment: first of its merchant day ${confirmWru.firstOfDay.toFixed(2)} (with the marker), the others ${confirmWru.rest.toFixed(2)}, all ${confirmWru.all.toFixed(2)}; before (commit 2715b74) ${CONFIRM_BEFORE_WRU.toFixed(2)} → ${confirmWru.rest.toFixed(2)} (target ≤ 2 WRU); RRU per payment: first of its merchant day ${confirmRru.firstOfDay.toFixed(2)}, the others ${confirmRru.rest.toFixed(2)}`,
);
console.log(
  `  with the merchant's order number (WeChat Pay / Alipay out_trade_no: + the order-index entry): WRU per payment: first of its merchant day ${confirmWithOrder.firstOfDay.toFixed(2)}, the others ${confirmWithOrder.rest.toFixed(2)}, all ${confirmWithOrder.all.toFixed(2)}; the acquirer's matchByOrderNumber false: first ${confirmWithOrderUnfiled.firstOfDay.toFixed(2)}, the others ${confirmWithOrderUnfiled.rest.toFixed(2)}, all ${confirmWithOrderUnfiled.all.toFixed(2)}`,
);
console.log(
  `  a further container's first payment of a merchant day already marked: WRU ${confirmFurther.wru.toFixed(2)}, RRU ${confirmFurther.rru.toFixed(2)} (markers on the index, 2715b74..3a2e705: 3 WRU, the marker's put failing on its condition)`,
);
