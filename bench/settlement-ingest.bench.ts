/**
 * Settlement-file ingest end to end on DynamoDB Local: an acquirer CSV of N lines against N stored
 * confirmations (stream → parse → batched reads → match → conditional update per line), next to the
 * bare conditional updates of the same keys at the same concurrency, in one run. Target ≥ 0.7×.
 * Run: node bin/run-ts.js bench/settlement-ingest.bench.ts [lines]
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../functions/adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../functions/adapters/dynamodb/merchant-repository.js";
import { toItem } from "../functions/adapters/dynamodb/payment-repository.js";
import { DynamoDbSettlementStore } from "../functions/adapters/dynamodb/settlement-store.js";
import { merchantProfileSchema } from "../functions/domain/merchant/merchant-profile.js";
import type { Payment } from "../functions/domain/payment/payment.js";
import { parseAcquirerCsvMappings } from "../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { keys } from "../functions/shared/table-schema.js";
import { ingestSettlementFile } from "../functions/use-cases/ingest-settlement-file.js";
import { noMetrics } from "../functions/use-cases/ports.js";
import { localDynamoDbClient, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { ensureTable } from "../local/table-setup.js";
import { TEST_CSV_COLUMNS } from "../test/support/settlement.js";
import { batchPutItems } from "./support/fill-table.js";

const LINES = Number(process.argv[2] ?? 200_000);
const CONCURRENCY = 16; // the use case's write concurrency
const SHARDS = 16;
const ACQUIRER = "bench-acq";
const out = join(import.meta.dirname, "out");
mkdirSync(out, { recursive: true });

function payment(i: number): Payment {
  const amountMinor = 1000 + (i % 90_000);
  return {
    acquirer: ACQUIRER,
    paymentId: `pay-${i}`,
    merchantId: `m-${i % 100}`,
    kind: "payment",
    amountMinor,
    currency: "CNY",
    confirmedAt: "2026-10-01T07:00:00.000Z",
    confirmedAtUtc: "2026-10-01T07:00:00.000Z",
    status: "PENDING",
    merchantRegistered: true,
    arrival: {
      tradeDate: "2026-10-01",
      dueDate: "2026-10-08",
      expectedBy: "2026-10-08T10:00:00.000Z",
      overdueAt: "2026-10-08T11:00:00.000Z",
      explanation: "bench",
      calendarCoverage: "covered",
    },
    fingerprint: "bench",
    receivedAt: "2026-10-01T07:00:00.000Z",
  };
}

/** Half-up fee at 0.006, as the matcher computes it. */
const feeOf = (gross: number) => Math.floor((gross * 6 + 500) / 1000);
const major = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;

async function writeFile(path: string): Promise<{ fileId: string; bytes: number }> {
  const hash = createHash("sha256");
  const stream = createWriteStream(path);
  let bytes = 0;
  const write = (text: string) => {
    hash.update(text);
    bytes += Buffer.byteLength(text);
    return stream.write(text)
      ? Promise.resolve()
      : new Promise<void>((resolve) => stream.once("drain", () => resolve()));
  };
  await write("txn_id,order_no,merchant,gross,fee,net,currency,settle_date,type\n");
  for (let i = 0; i < LINES; i += 1) {
    const p = payment(i);
    const fee = feeOf(p.amountMinor);
    await write(
      `${p.paymentId},,${p.merchantId},${major(p.amountMinor)},${major(fee)},${major(p.amountMinor - fee)},CNY,2026-10-08,PAY\n`,
    );
  }
  await new Promise<void>((resolve) => stream.end(() => resolve()));
  return { fileId: hash.digest("hex"), bytes };
}

const dynamo = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamo.endpoint);
const db = documentClient(client);

async function fill(tableName: string): Promise<void> {
  await ensureTable(client, tableName);
  await batchPutItems(
    db,
    tableName,
    Array.from({ length: LINES }, (_, i) => toItem(payment(i), SHARDS)),
  );
  const merchants = new DynamoDbMerchantRepository(db, tableName);
  for (let m = 0; m < 100; m += 1) {
    await merchants.put(
      merchantProfileSchema.parse({
        merchantId: `m-${m}`,
        name: `Merchant ${m}`,
        timeZone: "Asia/Shanghai",
        calendar: "CN",
        settlement: { cycle: "T+1", feeRate: "0.006" },
      }),
    );
  }
}

const figures: Record<string, number> = {};
try {
  const path = join(out, `settlement-${LINES}.csv`);
  const file = await writeFile(path);
  console.log(`generated ${path}: ${LINES} lines, ${(file.bytes / 1_048_576).toFixed(1)} MiB`);

  await fill("bench-bare");
  await fill("bench-ingest");
  console.log("filled two tables with the same payments");

  // Bare: the same conditional update the matcher makes (PENDING → SETTLED, leave the due index).
  let start = performance.now();
  await pMap(
    Array.from({ length: LINES }, (_, i) => i),
    (i) =>
      db.send(
        new UpdateCommand({
          TableName: "bench-bare",
          Key: keys.payment(ACQUIRER, `pay-${i}`),
          UpdateExpression: "SET #status = :settled, settlementLineKey = :line REMOVE gsi1pk, gsi1sk",
          ConditionExpression: "#status = :pending AND attribute_not_exists(settlementLineKey)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":settled": "SETTLED", ":pending": "PENDING", ":line": `line-${i}` },
        }),
      ),
    { concurrency: CONCURRENCY },
  );
  figures.bare = (LINES / (performance.now() - start)) * 1000;

  const store = new DynamoDbSettlementStore(db, "bench-ingest");
  const mapping = parseAcquirerCsvMappings({
    acquirer: ACQUIRER,
    columns: TEST_CSV_COLUMNS,
    kindValues: { PAY: "payment" },
  });
  start = performance.now();
  const result = await ingestSettlementFile(
    {
      fileId: file.fileId,
      acquirer: ACQUIRER,
      fileName: "bench.csv",
      format: "acquirer-csv",
      open: () => createReadStream(path),
    },
    {
      store,
      merchants: new DynamoDbMerchantRepository(db, "bench-ingest"),
      fileDays: new DynamoDbFileDayLedger(db, "bench-ingest"),
      clock: { now: () => new Date() },
      metrics: noMetrics,
      acquirerCsv: mapping,
      concurrency: CONCURRENCY,
    },
  );
  figures.ingest = (LINES / (performance.now() - start)) * 1000;
  if (result.file.counts.matched !== LINES) {
    throw new Error(`bench: expected ${LINES} matched lines, got ${JSON.stringify(result.file.counts)}`);
  }
} finally {
  client.destroy();
  await dynamo.stop();
}
console.log(`settlement ingest: ${LINES} lines, concurrency ${CONCURRENCY}, DynamoDB Local (in memory)`);
console.log(`  bare conditional updates  ${figures.bare?.toFixed(0).padStart(6)} lines/s`);
console.log(`  ingest end to end         ${figures.ingest?.toFixed(0).padStart(6)} lines/s`);
console.log(
  `  ratio ingest / bare = ${((figures.ingest ?? 0) / (figures.bare ?? 1)).toFixed(2)}x (target >= 0.70x)`,
);
