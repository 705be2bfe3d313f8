import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BatchWriteCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbMerchantPaymentReader } from "../../functions/adapters/dynamodb/merchant-payment-reader.js";
import { toItem } from "../../functions/adapters/dynamodb/payment-repository.js";
import type { Payment } from "../../functions/domain/payment/payment.js";
import { AMOUNT_INDEX, MERCHANT_OPEN_INDEX } from "../../functions/shared/table-schema.js";
import { settlewatchInProcess } from "../support/cli-in-process.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { legacyTableKeys as legacyKeys, tableKeys } from "../support/table-items.js";

// `settlewatch migrate-index-keys` as an operator runs it, against a table on DynamoDB Local holding
// payments written before this version: amount-index keys of the old shape, an OVERDUE payment with
// no merchant-open keys. Dry run, a run stopped after one page, its resumption, and a re-run.

const run = promisify(execFile);
type Item = Record<string, unknown>;

function payment(
  paymentId: string,
  status: Payment["status"],
  confirmedAtUtc: string,
  amountMinor = 1000,
): Payment {
  const tradeDate = confirmedAtUtc.slice(0, 10);
  return {
    acquirer: "acme-pay",
    paymentId,
    merchantId: "m-1",
    kind: "payment",
    amountMinor,
    currency: "CNY",
    confirmedAt: confirmedAtUtc,
    confirmedAtUtc,
    status,
    merchantRegistered: true,
    arrival: {
      tradeDate,
      dueDate: tradeDate,
      expectedBy: confirmedAtUtc,
      overdueAt: confirmedAtUtc,
      explanation: "test",
      calendarCoverage: "covered",
    },
    fingerprint: "test",
    receivedAt: confirmedAtUtc,
  };
}

/** The item as the version before wrote it: amount keys in the old shape, no merchant-open keys. */
function legacyItem(p: Payment): Item {
  const {
    [MERCHANT_OPEN_INDEX.partitionKey]: _pk,
    [MERCHANT_OPEN_INDEX.sortKey]: _sk,
    ...item
  } = toItem(p, 16);
  return {
    ...item,
    [AMOUNT_INDEX.partitionKey]: legacyKeys.amountLookup(p.merchantId, p.currency, p.amountMinor),
    [AMOUNT_INDEX.sortKey]: legacyKeys.amountSort(p.confirmedAtUtc.slice(0, 10), p.acquirer, p.paymentId),
  };
}

describe("settlewatch migrate-index-keys (DynamoDB Local)", () => {
  let table: TestTable;
  const checkpoint = join(mkdtempSync(join(tmpdir(), "settlewatch-migrate-")), "position.json");
  const pending = payment("old-pending", "PENDING", "2026-12-03T02:00:00.000Z", 12850);
  const overdue = payment("old-overdue", "OVERDUE", "2026-11-06T02:00:00.000Z", 4200);
  const settled = payment("old-settled", "SETTLED_LATE", "2026-11-10T02:00:00.000Z", 3000);
  const current = Array.from({ length: 8 }, (_, i) =>
    payment(`current-${i}`, "PENDING", `2026-12-0${1 + (i % 3)}T0${i}:00:00.000Z`),
  );
  const batch: Item = {
    pk: "BATCH#b-1",
    sk: "BATCH",
    entity: "batch",
    [AMOUNT_INDEX.partitionKey]: "BATCHAMT#acct#CNY#100",
    [AMOUNT_INDEX.sortKey]: "2026-12-01#b-1",
  };

  const target = () => ["migrate-index-keys", "--endpoint", table.endpoint, "--table", table.tableName];
  /** The command as an operator runs it, a process: the dry run. */
  const cliProcess = async (...args: string[]) => {
    const { stdout } = await run("node", ["bin/settlewatch.js", ...target(), ...args]);
    return JSON.parse(stdout) as Record<string, unknown>;
  };
  /** The same command in this process (cli/program.ts, what the process runs): the other cases. */
  const cli = async (...args: string[]) => {
    const answer = await settlewatchInProcess(...target(), ...args);
    if (answer.code !== 0) throw Object.assign(new Error(answer.stderr), answer);
    return JSON.parse(answer.stdout) as Record<string, unknown>;
  };
  const scan = async (): Promise<Item[]> => {
    const { Items } = await documentClient(table.client).send(
      new ScanCommand({ TableName: table.tableName }),
    );
    return (Items ?? []).sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
  };
  const stored = async (p: Payment) => (await scan()).find((item) => item.paymentId === p.paymentId) ?? {};

  beforeAll(async () => {
    table = await createTestTable();
    const items = [legacyItem(pending), legacyItem(overdue), legacyItem(settled), batch];
    items.push(...current.map((p) => toItem(p, 16)));
    await documentClient(table.client).send(
      new BatchWriteCommand({
        RequestItems: { [table.tableName]: items.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  });
  afterAll(() => table?.client.destroy());

  it("a dry run counts what would change and writes nothing", async () => {
    const before = await scan();
    const report = await cliProcess("--dry-run");
    expect(report).toMatchObject({
      dryRun: true,
      complete: true,
      scanned: 12,
      payments: 11,
      amountKeysRewritten: 3,
      overdueKeysAdded: 1,
      changedMeanwhile: 0,
    });
    expect(await scan()).toEqual(before);
  }, 180_000);

  it("stops after one page with a checkpoint, resumes from it, and leaves every key current", async () => {
    const first = await cli("--page-size", "4", "--max-pages", "1", "--checkpoint", checkpoint);
    expect(first).toMatchObject({ complete: false, scanned: 4 });
    expect(existsSync(checkpoint)).toBe(true);
    const rest = await cli("--page-size", "4", "--checkpoint", checkpoint);
    expect(rest).toMatchObject({ complete: true, scanned: 12, amountKeysRewritten: 3, overdueKeysAdded: 1 });
    expect(existsSync(checkpoint)).toBe(false);

    for (const p of [pending, overdue, settled, ...current]) {
      expect(await stored(p)).toMatchObject({
        [AMOUNT_INDEX.partitionKey]: tableKeys.amountLookup(p.merchantId, p.confirmedAtUtc.slice(0, 10)),
        [AMOUNT_INDEX.sortKey]: tableKeys.amountSort(p),
      });
    }
    expect(await stored(overdue)).toMatchObject({
      [MERCHANT_OPEN_INDEX.partitionKey]: tableKeys.merchantOpen("m-1"),
      [MERCHANT_OPEN_INDEX.sortKey]: tableKeys.merchantOpenSort(
        overdue.confirmedAtUtc,
        "acme-pay",
        "old-overdue",
      ),
    });
    expect(await stored(settled)).not.toHaveProperty(MERCHANT_OPEN_INDEX.partitionKey);
    expect((await scan()).find((item) => item.pk === "BATCH#b-1")).toEqual(batch);

    // The merchant page's reads find the migrated payments by their new keys.
    const reader = new DynamoDbMerchantPaymentReader(documentClient(table.client), table.tableName);
    expect((await reader.overdue({ merchantId: "m-1", limit: 10 })).map((p) => p.paymentId)).toEqual([
      "old-overdue",
    ]);
    const found = await reader.byAmount({
      merchantId: "m-1",
      tradeDates: ["2026-12-03"],
      currency: "CNY",
      amountMinor: 12850,
      from: "2026-12-03T00:00:00.000Z",
      to: "2026-12-03T23:59:59.999Z",
      limit: 10,
    });
    expect(found.map((p) => p.paymentId)).toEqual(["old-pending"]);
  }, 180_000);

  it("a re-run changes nothing (idempotent)", async () => {
    const before = await scan();
    expect(await cli()).toMatchObject({ complete: true, amountKeysRewritten: 0, overdueKeysAdded: 0 });
    expect(await scan()).toEqual(before);
  }, 180_000);

  it("refuses a nonsensical page size, naming the flag", async () => {
    await expect(cli("--page-size", "0")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--page-size 0"),
    });
  }, 180_000);
});
