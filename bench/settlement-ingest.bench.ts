import { createReadStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../functions/adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbSettlementStore } from "../functions/adapters/dynamodb/settlement-store.js";
import { parseAcquirerCsvMappings } from "../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { ingestSettlementFile } from "../functions/use-cases/ingest-settlement-file.js";
import { noMetrics } from "../functions/use-cases/ports.js";
import { localDynamoDbClient, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { TEST_CSV_COLUMNS } from "../test/support/settlement.js";
import { tableKeys } from "../test/support/table-items.js";
import { BENCH_ACQUIRER, fillSettlementTable, writeSettlementCsv } from "./support/settlement-fixture.js";

const LINES = Number(process.argv[2] ?? 200_000);
const CONCURRENCY = 16; // the use case's write concurrency
const ACQUIRER = BENCH_ACQUIRER;
const out = join(import.meta.dirname, "out");
mkdirSync(out, { recursive: true });

const dynamo = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamo.endpoint);
const db = documentClient(client);

const figures: Record<string, number> = {};
try {
  const path = join(out, `settlement-${LINES}.csv`);
  const file = await writeSettlementCsv(path, LINES);
  console.log(`generated ${path}: ${LINES} lines, ${(file.bytes / 1_048_576).toFixed(1)} MiB`);

  await fillSettlementTable(client, db, "bench-bare", LINES);
  await fillSettlementTable(client, db, "bench-ingest", LINES);
  console.log("filled two tables with the same payments");

  // Bare: the same conditional update the matcher makes (PENDING → SETTLED, leave the due index).
  let start = performance.now();
  await pMap(
    Array.from({ length: LINES }, (_, i) => i),
    (i) =>
      db.send(
        new UpdateCommand({
          TableName: "bench-bare",
          Key: tableKeys.payment(ACQUIRER, `pay-${i}`),
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
