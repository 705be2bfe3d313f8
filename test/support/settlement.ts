import { createHash } from "node:crypto";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../../functions/adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbSettlementStore } from "../../functions/adapters/dynamodb/settlement-store.js";
import type { Payment } from "../../functions/domain/payment/payment.js";
import { parseAcquirerCsvMappings } from "../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import type {
  IngestSettlementFileDeps,
  IngestSettlementFileInput,
} from "../../functions/use-cases/ingest-settlement-file.js";
import { TEST_ACQUIRER } from "./confirmations.js";
import type { TestTable } from "./dynamodb.js";
import { RecordingMetrics } from "./ingest-deps.js";

/** The columns of the test acquirer's CSV export, as a config would name them. */
export const TEST_CSV_COLUMNS = {
  reference: "txn_id",
  merchantReference: "order_no",
  merchantId: "merchant",
  gross: "gross",
  fee: "fee",
  net: "net",
  currency: "currency",
  valueDate: "settle_date",
  kind: "type",
} as const;

/** A small acquirer CSV layout, mapped by header name like any configured acquirer. */
export const TEST_CSV_MAPPING = parseAcquirerCsvMappings({
  acquirer: TEST_ACQUIRER,
  columns: TEST_CSV_COLUMNS,
  kindValues: { PAY: "payment", REFUND: "refund" },
});

export const CSV_HEADER = "txn_id,order_no,merchant,gross,fee,net,currency,settle_date,type";

export function csvFile(rows: string[]): { bytes: Buffer; fileId: string } {
  const bytes = Buffer.from(`${[CSV_HEADER, ...rows].join("\n")}\n`, "utf8");
  return { bytes, fileId: createHash("sha256").update(bytes).digest("hex") };
}

export function fileInput(
  file: { bytes: Buffer; fileId: string },
  fileName = "settlement.csv",
): IngestSettlementFileInput {
  return {
    fileId: file.fileId,
    acquirer: TEST_ACQUIRER,
    fileName,
    format: "acquirer-csv",
    open: () => pieces(file.bytes),
    // A ranged read of the same bytes, as a chunk worker's GET with a Range header.
    openRange: (start, end) => pieces(file.bytes.subarray(start, end)),
  };
}

/** Small chunks, so lines straddle chunk boundaries as they do in a real stream. */
async function* pieces(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += 64) yield bytes.subarray(offset, offset + 64);
}

export function settlementDeps(table: TestTable, now: Date) {
  const db = documentClient(table.client);
  const settledLate: Payment[][] = [];
  const metrics = new RecordingMetrics();
  const store = new DynamoDbSettlementStore(db, table.tableName);
  const deps: IngestSettlementFileDeps = {
    store,
    merchants: new DynamoDbMerchantRepository(db, table.tableName),
    fileDays: new DynamoDbFileDayLedger(db, table.tableName),
    clock: { now: () => now },
    metrics,
    acquirerCsv: TEST_CSV_MAPPING,
    onSettledLate: async (payments) => {
      settledLate.push(payments);
    },
    windowSize: 3,
  };
  return { deps, store, settledLate, metrics };
}

/** The same acquirer's export with a batch (payout) reference column and payout lines (leg 2). */
export const BATCH_CSV_MAPPING = parseAcquirerCsvMappings({
  acquirer: `${TEST_ACQUIRER}-batches`,
  columns: { ...TEST_CSV_COLUMNS, batchReference: "payout_id" },
  kindValues: { PAY: "payment", REFUND: "refund", PAYOUT: "payout" },
});

export const BATCH_CSV_HEADER = `${CSV_HEADER},payout_id`;

export function batchCsvFile(rows: string[]): { bytes: Buffer; fileId: string } {
  const bytes = Buffer.from(`${[BATCH_CSV_HEADER, ...rows].join("\n")}\n`, "utf8");
  return { bytes, fileId: createHash("sha256").update(bytes).digest("hex") };
}

/** Any text file (a bank statement), as the use case reads it: sha256 identity, small chunks. */
export function textFile(text: string): { bytes: Buffer; fileId: string } {
  const bytes = Buffer.from(text, "utf8");
  return { bytes, fileId: createHash("sha256").update(bytes).digest("hex") };
}

/** A bank statement input (format detected from the bytes). */
export function bankFileInput(
  file: { bytes: Buffer; fileId: string },
  fileName = "statement.sta",
): IngestSettlementFileInput {
  return { ...fileInput(file, fileName), acquirer: "bank", format: "auto" };
}
