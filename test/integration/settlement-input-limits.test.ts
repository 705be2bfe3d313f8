import { beforeEach, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { ValidationError } from "../../functions/use-cases/errors.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import {
  IngestInterruptedError,
  ingestSettlementFile,
} from "../../functions/use-cases/ingest-settlement-file.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { csvFile, fileInput, settlementDeps } from "../support/settlement.js";

const CONFIRMED = new Date("2026-09-30T08:00:00Z");
const INGESTED = new Date("2026-10-08T12:00:00Z");
const M = "m-shanghai-001";

// Settlement lines and file days beyond the input limits, through the ingest use case on DynamoDB Local.
describe("settlement files: amounts and dates beyond the input limits", { timeout: 90_000 }, () => {
  let table: TestTable;
  const file = csvFile([
    `p1,O-1,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY`,
    `p2,O-2,${M},10000000000.01,0.00,10000000000.01,CNY,2026-10-08,PAY`, // 10^12 + 1 fen
    `p3,O-3,${M},10.00,0.06,9.94,CNY,2099-01-01,PAY`, // would mark files received until 2099
    `p4,O-4,${M},10.00,0.06,9.94,CNY,2026-02-30,PAY`, // not a date at all
    `p5,O-5,${M},10.00,0.06,9.94,CNY,0001-01-01,PAY`, // an unset clock
  ]);

  beforeEach(async () => {
    table = await createTestTable();
    const { deps } = ingestDeps(table, CONFIRMED);
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const rawBody = JSON.stringify({ confirmations: [confirmation({ paymentId: "p1", orderId: "O-1" })] });
    await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, CONFIRMED) }, deps);
  });

  it("keeps each such line as rejected naming it, settles the good one, and takes the file day from good lines only", async () => {
    const { deps } = settlementDeps(table, INGESTED);
    const { file: report } = await ingestSettlementFile(fileInput(file), deps);
    expect(report.counts).toEqual({
      read: 5,
      matched: 1,
      settledLate: 0,
      mismatched: 0,
      unmatched: 0,
      rejected: 4,
    });
    const kept = await deps.store.keptLines(file.fileId);
    expect(kept.map((line) => [line.source, line.outcome])).toEqual([
      [3, "rejected"],
      [4, "rejected"],
      [5, "rejected"],
      [6, "rejected"],
    ]);
    expect(kept[0]?.reason).toMatch(/^line 3: net is larger than the CNY limit of 1000000000000 minor units/);
    expect(kept[1]?.reason).toMatch(/^line 4: value date is after/);
    expect(kept[3]?.reason).toMatch(/^line 6: value date is before 2000-01-01/);
    expect(await deps.fileDays.latestFileDay(TEST_ACQUIRER)).toBe("2026-10-08");
  });

  it("judges the lines the same way when an interrupted run resumes", async () => {
    const first = settlementDeps(table, INGESTED);
    await expect(
      ingestSettlementFile(fileInput(file), { ...first.deps, stopAfterRecords: 3 }),
    ).rejects.toBeInstanceOf(IngestInterruptedError);
    // Resumed much later: the limits are judged as of the file's first receipt.
    const later = settlementDeps(table, new Date("2099-01-02T00:00:00Z"));
    const { file: report, resumed } = await ingestSettlementFile(fileInput(file), later.deps);
    expect(resumed).toBe(true);
    expect(report.counts).toMatchObject({ read: 5, matched: 1, rejected: 4 });
  });

  it("refuses an impossible or implausible file day naming fileDay, and stores nothing", async () => {
    const { deps } = settlementDeps(table, INGESTED);
    for (const fileDay of ["2026-13-45", "2026-02-30", "1970-01-01", "2026-10-20"]) {
      const attempt = ingestSettlementFile({ ...fileInput(file), fileDay }, deps);
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ errors: [{ field: "fileDay" }] });
    }
    expect(await deps.store.getFile(file.fileId)).toBeUndefined();
    expect(await deps.fileDays.latestFileDay(TEST_ACQUIRER)).toBeUndefined();
  });
});
