import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
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
import {
  BATCH_CSV_MAPPING,
  bankFileInput,
  batchCsvFile,
  fileInput,
  settlementDeps,
  TEST_CSV_MAPPING,
  textFile,
} from "../support/settlement.js";
import { onDueList, tableKeys } from "../support/table-items.js";

const CONFIRMED = new Date("2026-09-30T08:00:00Z");
/** Bank-credit mode, paid into ACCOUNT. */
const M = "m-shanghai-001";
/** Acquirer-file mode (the default), no payout account. */
const M2 = "m-file-mode";
const ACCOUNT = "NL91ABNA0417164300";

interface StatementLine {
  mark: "C" | "D";
  /** Major units with a decimal comma, e.g. "149,10". */
  amount: string;
  type: string;
  bankRef: string;
  info: string;
  /** YYMMDD; default 261009. */
  date?: string;
}

/** A one-statement MT940 (CNY) whose closing balance agrees with its lines. */
function mt940(lines: StatementLine[], statementId = "STMT-1"): string {
  const minor = (amount: string) => Math.round(Number(amount.replace(",", ".")) * 100);
  const closing = lines.reduce((sum, l) => sum + (l.mark === "C" ? 1 : -1) * minor(l.amount), 100000);
  const major = (value: number) => `${Math.floor(value / 100)},${String(value % 100).padStart(2, "0")}`;
  return [
    `:20:${statementId}`,
    `:25:${ACCOUNT}`,
    ":28C:1/1",
    ":60F:C261008CNY1000,00",
    ...lines.flatMap((l) => [
      `:61:${l.date ?? "261009"}${(l.date ?? "261009").slice(2)}${l.mark}${l.amount}${l.type}NONREF//${l.bankRef}`,
      `:86:${l.info}`,
    ]),
    `:62F:C261009CNY${major(closing)}`,
    "",
  ].join("\n");
}

describe("leg 2: payout batches and bank credits on DynamoDB Local", () => {
  let table: TestTable;

  async function confirm(items: Array<Record<string, unknown>>) {
    const { deps } = ingestDeps(table, CONFIRMED);
    deps.settlement = settlementDeps(table, CONFIRMED).store;
    const rawBody = JSON.stringify({ confirmations: items });
    return await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, CONFIRMED) }, deps);
  }
  const item = async (key: { pk: string; sk: string }) =>
    (await table.client.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item;
  const payment = (paymentId: string) => item(tableKeys.payment(TEST_ACQUIRER, paymentId));
  const status = async (paymentId: string) => (await payment(paymentId))?.status;
  const deps = (now: string) => {
    const wired = settlementDeps(table, new Date(now));
    wired.deps.acquirerCsv = [...BATCH_CSV_MAPPING, ...TEST_CSV_MAPPING];
    return wired;
  };
  const acquirerFile = (rows: string[]) => {
    const file = batchCsvFile(rows);
    return { file, input: fileInput(file) };
  };

  beforeEach(async () => {
    table = await createTestTable();
    const { deps: wiring } = ingestDeps(table, CONFIRMED);
    await wiring.merchants.put(
      merchantProfileSchema.parse({
        ...SHANGHAI_MERCHANT,
        settlement: { ...SHANGHAI_MERCHANT.settlement, arrivalMode: "bank-credit", payoutAccount: ACCOUNT },
      }),
    );
    await wiring.merchants.put(
      merchantProfileSchema.parse({ ...SHANGHAI_MERCHANT, merchantId: M2, name: "File-mode shop" }),
    );
  });

  it("bank-credit merchants settle when their batch is credited; every bank line is accounted for", async () => {
    await confirm([
      confirmation({ paymentId: "p1", amountMinor: 10000, orderId: "O-1" }),
      confirmation({ paymentId: "p2", amountMinor: 5000, orderId: "O-2" }),
      // Confirmed a day earlier: overdue before any file arrives.
      confirmation({
        paymentId: "p-late",
        amountMinor: 10000,
        orderId: "O-3",
        confirmedAt: "2026-09-29T10:00:00+08:00",
      }),
      confirmation({ paymentId: "p-c", amountMinor: 2000, orderId: "O-4" }),
      confirmation({ paymentId: "p-d", amountMinor: 2000, orderId: "O-5" }),
      confirmation({ paymentId: "p-file", amountMinor: 10000, orderId: "O-6", merchantId: M2 }),
    ]);
    const clock = new TestClock(new Date("2026-10-01T12:00:00Z"));
    expect((await runOverdueCheck(checkDeps(table, clock).check)).markedOverdue).toBe(1);
    expect(await status("p-late")).toBe("OVERDUE");

    // Leg 1: the acquirer's file, with batch references and payout lines.
    const { file: acquirer, input: acquirerInput } = acquirerFile([
      `p1,O-1,${M},100.00,0.60,99.40,CNY,2026-10-08,PAY,BR-20261008-A`,
      `p2,O-2,${M},50.00,0.30,49.70,CNY,2026-10-08,PAY,BR-20261008-A`,
      `po-A,,${M},149.10,0.00,149.10,CNY,2026-10-08,PAYOUT,BR-20261008-A`,
      `p-late,O-3,${M},100.00,0.60,99.40,CNY,2026-10-08,PAY,BR-20261008-B`,
      `po-B,,${M},99.40,0.00,99.40,CNY,2026-10-08,PAYOUT,BR-20261008-B`,
      `p-c,O-4,${M},20.00,0.12,19.88,CNY,2026-10-08,PAY,BR-20261008-C`,
      `p-d,O-5,${M},20.00,0.12,19.88,CNY,2026-10-08,PAY,BR-20261008-D`,
      `p-file,O-6,${M2},100.00,0.60,99.40,CNY,2026-10-08,PAY,BR-20261008-E`,
    ]);
    const leg1 = deps("2026-10-08T09:00:00Z");
    const { file: report1 } = await ingestSettlementFile(acquirerInput, leg1.deps);
    expect(report1.counts).toEqual({
      read: 8,
      matched: 6,
      settledLate: 0,
      mismatched: 0,
      unmatched: 2,
      rejected: 0,
    });
    expect(report1.topReasons.map((r) => [r.reasonCode, r.count])).toEqual([
      ["awaiting-bank-credit", 5],
      ["payout-batch", 2],
      ["settled", 1],
    ]);
    // Bank-credit mode: in the file, tied to the batch, still awaited (and still due).
    const p1 = await payment("p1");
    expect(p1).toMatchObject({ status: "PENDING", settlementBatchKey: `ref:${TEST_ACQUIRER}:BR-20261008-A` });
    expect(await onDueList(table.client, table.tableName, p1)).toBe(true);
    expect(await status("p-late")).toBe("OVERDUE");
    // Acquirer-file mode: settled by the file, no batch.
    expect(await payment("p-file")).toMatchObject({ status: "SETTLED" });
    expect((await payment("p-file"))?.settlementBatchKey).toBeUndefined();

    const batchA = await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-A`));
    expect(batchA).toMatchObject({
      entity: "payout-batch",
      acquirer: TEST_ACQUIRER,
      batchReference: "BR-20261008-A",
      merchantId: M,
      account: ACCOUNT,
      currency: "CNY",
      declaredNetMinor: 14910,
      computedNetMinor: 14910,
      netTotalMinor: 14910,
      lineCount: 2,
      valueDate: "2026-10-08",
    });
    expect(batchA?.creditedBy).toBeUndefined();
    expect((await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-E`)))?.account).toBeNull();
    const members = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :pay)",
        ExpressionAttributeValues: {
          ":pk": tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-A`).pk,
          ":pay": tableKeys.batchMember("", TEST_ACQUIRER, "").sk,
        },
      }),
    );
    expect(members.Items?.map((m) => m.paymentId)).toEqual(["p1", "p2"]);

    // Leg 2: the bank statement.
    const statement = textFile(
      mt940([
        // by batch reference (in the remittance information)
        {
          mark: "C",
          amount: "149,10",
          type: "NTRF",
          bankRef: "B1",
          info: "/EREF/E2E-1/REMI/PAYOUT BR-20261008-A",
        },
        // no reference: account + amount + date window → batch B
        { mark: "C", amount: "99,40", type: "NTRF", bankRef: "B2", info: "/REMI/SETTLEMENT ACME PAY" },
        // no reference, two open batches of 19.88 for the account: never guessed
        { mark: "C", amount: "19,88", type: "NTRF", bankRef: "B3", info: "/REMI/ACME PAYOUT" },
        // names batch C but pays another amount
        { mark: "C", amount: "19,00", type: "NTRF", bankRef: "B4", info: "/REMI/PAYOUT BR-20261008-C" },
        // nothing known
        { mark: "C", amount: "12,34", type: "NTRF", bankRef: "B5", info: "/REMI/INVOICE 4711" },
        // a bank charge
        { mark: "D", amount: "5,00", type: "NCHG", bankRef: "B6", info: "/REMI/ACCOUNT FEE" },
      ]),
    );
    const leg2 = deps("2026-10-09T09:00:00Z");
    const { file: report2 } = await ingestSettlementFile(bankFileInput(statement), leg2.deps);
    expect(report2).toMatchObject({ status: "DONE", format: "mt940", control: "ok" });
    expect(report2.counts).toEqual({
      read: 6,
      matched: 2,
      settledLate: 0,
      mismatched: 1,
      unmatched: 3,
      rejected: 0,
    });
    const { matched, mismatched, unmatched, rejected, read } = report2.counts;
    expect(matched + mismatched + unmatched + rejected).toBe(read);
    const kept = await leg2.store.keptLines(statement.fileId);
    expect(kept.map((line) => [line.outcome, line.reasonCode])).toEqual([
      ["unmatched", "ambiguous"],
      ["mismatched", "amount"],
      ["unmatched", "no-batch"],
      ["unmatched", "informational"],
    ]);

    for (const id of ["p1", "p2"]) {
      const settled = await payment(id);
      expect([id, settled?.status]).toEqual([id, "SETTLED"]);
      // Settled while PENDING: its due entry (or its day's due marker) stays, for the overdue check to skip.
      expect(await onDueList(table.client, table.tableName, settled)).toBe(true);
    }
    const late = await payment("p-late");
    expect(late?.status).toBe("SETTLED_LATE");
    expect(late?.[DUE_INDEX.partitionKey]).toBeUndefined();
    expect(leg2.settledLate.flat().map((p) => [p.paymentId, p.status])).toEqual([["p-late", "SETTLED_LATE"]]);
    expect(await status("p-c")).toBe("PENDING");
    expect(await status("p-d")).toBe("PENDING");
    expect(await status("p-file")).toBe("SETTLED");
    expect((await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-A`)))?.creditedBy).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect((await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-B`)))?.creditedOn).toBe(
      "2026-10-09",
    );
    expect((await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-C`)))?.creditedBy).toBeUndefined();

    // The same bank file again: a duplicate, nothing changes.
    const snapshot = async () =>
      Promise.all(["p1", "p2", "p-late", "p-c", "p-d", "p-file"].map((id) => payment(id)));
    const before = await snapshot();
    const batchesBefore = await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-A`));
    const again = await ingestSettlementFile(bankFileInput(statement), deps("2026-10-09T10:00:00Z").deps);
    expect(again.duplicate).toBe(true);
    expect(again.file.counts).toEqual(report2.counts);
    expect(await snapshot()).toEqual(before);

    // The same credit in another download of the statement (other bytes): a replay, still nothing changes.
    const redownload = textFile(
      mt940(
        [
          {
            mark: "C",
            amount: "149,10",
            type: "NTRF",
            bankRef: "B1",
            info: "/EREF/E2E-1/REMI/PAYOUT BR-20261008-A",
          },
        ],
        "STMT-1-AGAIN",
      ),
    );
    const replayed = await ingestSettlementFile(bankFileInput(redownload), deps("2026-10-09T11:00:00Z").deps);
    expect(replayed.file.counts).toMatchObject({ read: 1, matched: 1 });
    expect(replayed.file.topReasons.map((r) => r.reasonCode)).toEqual(["replay"]);
    expect(await snapshot()).toEqual(before);
    expect(await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261008-A`))).toEqual(batchesBefore);

    // The acquirer file again: a duplicate too.
    expect((await ingestSettlementFile(acquirerInput, deps("2026-10-09T12:00:00Z").deps)).duplicate).toBe(
      true,
    );
    expect(acquirer.fileId).toBe(report1.fileId);
  });

  it("a credit that comes before the acquirer's file settles the batch when the file arrives", async () => {
    await confirm([
      confirmation({ paymentId: "p1", amountMinor: 10000, orderId: "O-1" }),
      confirmation({ paymentId: "p3", amountMinor: 5000, orderId: "O-3" }),
    ]);
    const statement = textFile(
      mt940([
        { mark: "C", amount: "99,40", type: "NTRF", bankRef: "B9", info: "/REMI/PAYOUT BR-20261009-Z" },
      ]),
    );
    const leg2 = deps("2026-10-09T09:00:00Z");
    const { file: bankReport } = await ingestSettlementFile(bankFileInput(statement), leg2.deps);
    expect(bankReport.counts).toMatchObject({ read: 1, matched: 0, unmatched: 1 });
    expect(bankReport.topReasons.map((r) => r.reasonCode)).toEqual(["no-batch"]);

    const { input } = acquirerFile([
      `p1,O-1,${M},100.00,0.60,99.40,CNY,2026-10-09,PAY,BR-20261009-Z`,
      `po-Z,,${M},99.40,0.00,99.40,CNY,2026-10-09,PAYOUT,BR-20261009-Z`,
    ]);
    const { file: report } = await ingestSettlementFile(input, deps("2026-10-09T12:00:00Z").deps);
    expect(report.counts).toEqual({
      read: 2,
      matched: 1,
      settledLate: 0,
      mismatched: 0,
      unmatched: 1,
      rejected: 0,
    });
    const p1 = await payment("p1");
    expect(p1?.status).toBe("SETTLED");
    expect(await onDueList(table.client, table.tableName, p1)).toBe(true);
    const batch = await item(tableKeys.batch(`ref:${TEST_ACQUIRER}:BR-20261009-Z`));
    expect(batch?.creditedBy).toMatch(/^[0-9a-f]{64}$/);
    // No longer held.
    const held = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": tableKeys.heldCredit("CNY", "", "").pk },
      }),
    );
    expect(held.Items).toEqual([]);

    // A later line of the already credited batch settles at once (MatchOptions.isBatchCredited).
    const { input: late } = acquirerFile([`p3,O-3,${M},50.00,0.30,49.70,CNY,2026-10-09,PAY,BR-20261009-Z`]);
    const { file: lateReport } = await ingestSettlementFile(late, deps("2026-10-10T12:00:00Z").deps);
    expect(lateReport.counts).toMatchObject({ read: 1, matched: 1 });
    expect(lateReport.topReasons.map((r) => r.reasonCode)).toEqual(["settled"]);
    expect(await status("p3")).toBe("SETTLED");
  });

  it("resumes a bank file that died half way without counting a credit twice", async () => {
    await confirm([
      confirmation({ paymentId: "p1", amountMinor: 10000, orderId: "O-1" }),
      confirmation({ paymentId: "p2", amountMinor: 5000, orderId: "O-2" }),
    ]);
    const { input } = acquirerFile([
      `p1,O-1,${M},100.00,0.60,99.40,CNY,2026-10-08,PAY,BR-20261008-A`,
      `p2,O-2,${M},50.00,0.30,49.70,CNY,2026-10-08,PAY,BR-20261008-B`,
    ]);
    await ingestSettlementFile(input, deps("2026-10-08T09:00:00Z").deps);
    const statement = textFile(
      mt940([
        { mark: "C", amount: "99,40", type: "NTRF", bankRef: "B1", info: "/REMI/PAYOUT BR-20261008-A" },
        { mark: "D", amount: "5,00", type: "NCHG", bankRef: "B2", info: "/REMI/ACCOUNT FEE" },
        { mark: "C", amount: "49,70", type: "NTRF", bankRef: "B3", info: "/REMI/PAYOUT BR-20261008-B" },
      ]),
    );
    const leg2 = deps("2026-10-09T09:00:00Z");
    leg2.deps.windowSize = 1;
    await expect(
      ingestSettlementFile(bankFileInput(statement), { ...leg2.deps, stopAfterRecords: 2 }),
    ).rejects.toBeInstanceOf(IngestInterruptedError);
    expect(await status("p1")).toBe("SETTLED");
    expect(await status("p2")).toBe("PENDING");
    const resumed = await ingestSettlementFile(bankFileInput(statement), leg2.deps);
    expect(resumed.resumed).toBe(true);
    expect(resumed.file.counts).toEqual({
      read: 3,
      matched: 2,
      settledLate: 0,
      mismatched: 0,
      unmatched: 1,
      rejected: 0,
    });
    expect(await status("p2")).toBe("SETTLED");
  });
});
