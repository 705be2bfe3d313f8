/**
 * The settlement benchmarks' shared data: N confirmed payments and an acquirer CSV of N lines that
 * settle them exactly (fee 0.006, half-up), so every line is a match.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDbMerchantRepository } from "../../functions/adapters/dynamodb/merchant-repository.js";
import { toItem } from "../../functions/adapters/dynamodb/payment-repository.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import type { Payment } from "../../functions/domain/payment/payment.js";
import { ensureTable } from "../../local/table-setup.js";
import { batchPutItems } from "./fill-table.js";

export const BENCH_ACQUIRER = "bench-acq";
const SHARDS = 16;

export function benchPayment(i: number): Payment {
  const amountMinor = 1000 + (i % 90_000);
  return {
    acquirer: BENCH_ACQUIRER,
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

/** Writes the CSV (streamed to disk) and returns its sha256 id and size. */
export async function writeSettlementCsv(
  path: string,
  lines: number,
): Promise<{ fileId: string; bytes: number }> {
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
  for (let i = 0; i < lines; i += 1) {
    const p = benchPayment(i);
    const fee = feeOf(p.amountMinor);
    await write(
      `${p.paymentId},,${p.merchantId},${major(p.amountMinor)},${major(fee)},${major(p.amountMinor - fee)},CNY,2026-10-08,PAY\n`,
    );
  }
  await new Promise<void>((resolve) => stream.end(() => resolve()));
  return { fileId: hash.digest("hex"), bytes };
}

/**
 * A table with the N payments and their 100 merchants (fee rate 0.006), without the table's change
 * stream unless `stream: true`: DynamoDB Local gets slower with every stream record it keeps
 * (measured: the same 10,000-line ingest took 13 s, 25 s, then 66 s on three streamed tables; 14 s,
 * 7 s, 7 s without), which a benchmark of the ingest alone should not measure.
 */
export async function fillSettlementTable(
  client: DynamoDBClient,
  db: DynamoDBDocumentClient,
  tableName: string,
  lines: number,
  options: { stream?: boolean } = {},
): Promise<void> {
  await ensureTable(client, tableName, { stream: options.stream ?? false });
  await batchPutItems(
    db,
    tableName,
    Array.from({ length: lines }, (_, i) => toItem(benchPayment(i), SHARDS)),
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
