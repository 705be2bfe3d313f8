import { createHash } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { DUE_INDEX } from "../../functions/shared/table-schema.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import {
  IngestInterruptedError,
  ingestSettlementFile,
} from "../../functions/use-cases/ingest-settlement-file.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { csvFile, fileInput, settlementDeps } from "../support/settlement.js";
import { onDueList, tableKeys } from "../support/table-items.js";

const CONFIRMED = new Date("2026-09-30T08:00:00Z");
const M = "m-shanghai-001";

describe("settlement files on DynamoDB Local", () => {
  let table: TestTable;

  async function confirm(items: Array<Record<string, unknown>>) {
    const { deps } = ingestDeps(table, CONFIRMED);
    deps.settlement = settlementDeps(table, CONFIRMED).store;
    const rawBody = JSON.stringify({ confirmations: items });
    return await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, CONFIRMED) }, deps);
  }
  const item = async (paymentId: string) =>
    (
      await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, paymentId) }),
      )
    ).Item;

  beforeEach(async () => {
    table = await createTestTable();
    const { deps } = ingestDeps(table, CONFIRMED);
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT)); // feeRate 0.006
  });

  it("walks the ladder (reference, order, window), checks fees, and accounts for every line", async () => {
    await confirm([
      confirmation({ paymentId: "p-ref", amountMinor: 12850, orderId: "O-1" }),
      confirmation({ paymentId: "p-order", amountMinor: 10000, orderId: "O-2" }),
      confirmation({ paymentId: "p-window", amountMinor: 5000, orderId: "O-3" }),
      confirmation({ paymentId: "p-fee", amountMinor: 10000, orderId: "O-4" }),
      confirmation({ paymentId: "p-twin-a", amountMinor: 7000 }),
      confirmation({ paymentId: "p-twin-b", amountMinor: 7000 }),
    ]);
    const file = csvFile([
      `p-ref,O-1,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY`, // fee 0.006 × 128.50 = 0.771 → 0.77
      `unknown-ref,O-2,${M},100.00,0.60,99.40,CNY,2026-10-08,PAY`, // found by order number
      `acq-777,,${M},50.00,0.30,49.70,CNY,2026-10-08,PAY`, // found by merchant + amount + date window
      `p-fee,O-4,${M},100.00,2.00,98.00,CNY,2026-10-08,PAY`, // fee 2.00 instead of 0.60
      `acq-778,,${M},70.00,0.42,69.58,CNY,2026-10-08,PAY`, // two payments of 70.00: never guess
      `p-missing,O-9,${M},10.00,0.06,9.94,CNY,2026-10-08,PAY`, // no confirmation yet
      `p-bad,O-8,${M},12.3x,0.06,9.94,CNY,2026-10-08,PAY`, // unreadable amount
    ]);
    const { deps } = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    const { file: report, duplicate } = await ingestSettlementFile(fileInput(file), deps);
    expect(duplicate).toBe(false);
    expect(report.status).toBe("DONE");
    expect(report.counts).toEqual({
      read: 7,
      matched: 3,
      settledLate: 0,
      mismatched: 1,
      unmatched: 2,
      rejected: 1,
    });
    expect(
      report.counts.matched + report.counts.mismatched + report.counts.unmatched + report.counts.rejected,
    ).toBe(7);

    for (const id of ["p-ref", "p-order", "p-window"]) {
      const stored = await item(id);
      expect([id, stored?.status]).toEqual([id, "SETTLED"]);
      // Settled while PENDING: its due entry (or its day's due marker) stays, for the overdue check
      // to skip (one write, no index write).
      expect(await onDueList(table.client, table.tableName, stored)).toBe(true);
    }
    const mismatched = await item("p-fee");
    expect(mismatched?.status).toBe("MISMATCH");
    expect(mismatched?.settlementFigures).toMatchObject({ expectedNetMinor: 9940, lineNetMinor: 9800 });
    expect((await item("p-twin-a"))?.status).toBe("PENDING");
    expect((await item("p-twin-b"))?.status).toBe("PENDING");

    const kept = await deps.store.keptLines(file.fileId);
    expect(kept.map((line) => [line.source, line.outcome, line.reasonCode])).toEqual([
      [5, "mismatched", "fee"],
      [6, "unmatched", "ambiguous"],
      [7, "unmatched", "awaiting-confirmation"],
      [8, "rejected", "unreadable"],
    ]);
    expect(kept.find((line) => line.reasonCode === "ambiguous")?.reason).toContain("p-twin-a");
    expect(await deps.fileDays.latestFileDay(TEST_ACQUIRER)).toBe("2026-10-08");
  });

  it("rejects only the line holding an invalid UTF-8 byte, naming it, and stores the others", async () => {
    await confirm([
      confirmation({ paymentId: "p-u1", amountMinor: 12850, orderId: "订单-1" }),
      confirmation({ paymentId: "p-u2", amountMinor: 10000, orderId: "订单-2" }),
      confirmation({ paymentId: "p-u3", amountMinor: 5000, orderId: "订单-3" }),
    ]);
    const good = csvFile([
      `p-u1,订单-1,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY`,
      `p-u2,订单-2,${M},100.00,0.60,99.40,CNY,2026-10-08,PAY`,
      `p-u3,订单-3,${M},50.00,0.30,49.70,CNY,2026-10-08,PAY`,
    ]);
    // Line 3's "订" (E8 AE A2) loses its last byte: E8 AE then "单" is not UTF-8.
    const at = good.bytes.indexOf(Buffer.from("订单-2", "utf8"));
    const bytes = Buffer.concat([good.bytes.subarray(0, at + 2), good.bytes.subarray(at + 3)]);
    const file = { bytes, fileId: createHash("sha256").update(bytes).digest("hex") };
    const { deps } = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    const { file: report } = await ingestSettlementFile(fileInput(file), deps);
    expect(report.status).toBe("DONE");
    expect(report.counts).toMatchObject({ read: 3, matched: 2, rejected: 1 });
    const kept = await deps.store.keptLines(file.fileId);
    expect(kept.map((line) => [line.source, line.outcome, line.reasonCode])).toEqual([
      [3, "rejected", "unreadable"],
    ]);
    expect(kept[0]?.reason).toContain("the line holds a byte that is not valid UTF-8");
    expect((await item("p-u1"))?.status).toBe("SETTLED");
    expect((await item("p-u2"))?.status).toBe("PENDING");
    expect((await item("p-u3"))?.status).toBe("SETTLED");
  });

  it("changes nothing when the same file is delivered again", async () => {
    await confirm([confirmation({ paymentId: "p1", amountMinor: 12850 })]);
    const file = csvFile([`p1,,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY`]);
    const { deps } = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    const first = await ingestSettlementFile(fileInput(file), deps);
    const before = await item("p1");
    const again = await ingestSettlementFile(fileInput(file), deps);
    expect(again.duplicate).toBe(true);
    expect(again.file.counts).toEqual(first.file.counts);
    expect(await item("p1")).toEqual(before);
  });

  it("resumes a run that died half way without counting a line twice", async () => {
    await confirm(
      Array.from({ length: 8 }, (_, i) =>
        confirmation({ paymentId: `p${i}`, amountMinor: 10000, orderId: `O-${i}` }),
      ),
    );
    const rows = Array.from(
      { length: 8 },
      (_, i) => `p${i},O-${i},${M},100.00,0.60,99.40,CNY,2026-10-08,PAY`,
    );
    rows.splice(4, 0, "garbage,,,x,,,CNY,2026-10-08,PAY");
    const file = csvFile(rows);
    const { deps } = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    await expect(
      ingestSettlementFile(fileInput(file), { ...deps, stopAfterRecords: 5 }),
    ).rejects.toBeInstanceOf(IngestInterruptedError);
    const halfway = await deps.store.getFile(file.fileId);
    expect(halfway).toMatchObject({ status: "PROCESSING", checkpoint: 5 });
    expect((await item("p5"))?.status).toBe("PENDING");

    const resumed = await ingestSettlementFile(fileInput(file), deps);
    expect(resumed.resumed).toBe(true);
    expect(resumed.file.counts).toEqual({
      read: 9,
      matched: 8,
      settledLate: 0,
      mismatched: 0,
      unmatched: 0,
      rejected: 1,
    });
    for (let i = 0; i < 8; i += 1) expect((await item(`p${i}`))?.status).toBe("SETTLED");
  });

  it("re-deciding a line already applied is a replay: a crash after the writes but before the checkpoint", async () => {
    await confirm([
      confirmation({ paymentId: "p1", amountMinor: 10000 }),
      confirmation({ paymentId: "p2", amountMinor: 10000 }),
    ]);
    const file = csvFile([
      `p1,,${M},100.00,0.60,99.40,CNY,2026-10-08,PAY`,
      `p2,,${M},100.00,0.60,99.40,CNY,2026-10-08,PAY`,
    ]);
    const { deps } = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    await ingestSettlementFile(fileInput(file), deps);
    // Forget the file's progress as if the run had died before saving it: the payment writes stay.
    await deps.store.saveProgress(file.fileId, {
      status: "PROCESSING",
      checkpoint: 0,
      counts: { read: 0, matched: 0, settledLate: 0, mismatched: 0, unmatched: 0, rejected: 0 },
      topReasons: [],
    });
    const again = await ingestSettlementFile(fileInput(file), deps);
    expect(again.file.counts).toMatchObject({ read: 2, matched: 2, mismatched: 0 });
    expect(again.file.topReasons.map((reason) => reason.reasonCode)).toEqual(["replay"]);
  });

  it("moves OVERDUE to SETTLED_LATE and reports the late payments for the 'arrived' notice", async () => {
    await confirm([confirmation({ paymentId: "p-late", amountMinor: 10000 })]);
    const clock = new TestClock(new Date("2026-10-08T12:00:00Z"));
    expect((await runOverdueCheck(checkDeps(table, clock).check)).markedOverdue).toBe(1);
    const file = csvFile([`p-late,,${M},100.00,0.60,99.40,CNY,2026-10-09,PAY`]);
    const { deps, settledLate } = settlementDeps(table, new Date("2026-10-09T12:00:00Z"));
    const { file: report } = await ingestSettlementFile(fileInput(file), deps);
    expect(report.counts).toMatchObject({ matched: 1, settledLate: 1 });
    const stored = await item("p-late");
    expect(stored?.status).toBe("SETTLED_LATE");
    expect(stored?.[DUE_INDEX.partitionKey]).toBeUndefined(); // no more reminders
    expect(settledLate.flat().map((payment) => payment.paymentId)).toEqual(["p-late"]);
  });

  it("closes the original payment with a full refund line", async () => {
    await confirm([confirmation({ paymentId: "p-refunded", amountMinor: 10000, orderId: "O-R" })]);
    const file = csvFile([`p-refunded,O-R,${M},100.00,0.60,99.40,CNY,2026-10-08,REFUND`]);
    const { deps } = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    const { file: report } = await ingestSettlementFile(fileInput(file), deps);
    expect(report.counts).toMatchObject({ matched: 1 });
    expect((await item("p-refunded"))?.status).toBe("REFUNDED");
  });

  it("keeps a line that comes before its confirmation and settles the payment when it arrives", async () => {
    const file = csvFile([`p-early,,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY`]);
    const { deps } = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    const { file: report } = await ingestSettlementFile(fileInput(file), deps);
    expect(report.counts).toMatchObject({ unmatched: 1 });
    expect((await item("p-early"))?.entity).toBe("pending-lines");

    const { results } = await confirm([confirmation({ paymentId: "p-early", amountMinor: 12850 })]);
    expect(results[0]?.status).toBe("accepted");
    const settled = await item("p-early");
    expect(settled).toMatchObject({ entity: "payment", status: "SETTLED", amountMinor: 12850 });
    expect(await onDueList(table.client, table.tableName, settled)).toBe(true);
  });
});
