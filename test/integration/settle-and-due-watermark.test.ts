/**
 * Issue 14: a line that matches by reference settles its PENDING payment with one conditional
 * write and no read; the payment keeps its due entry, and the overdue check reads each due entry
 * once, forward from a per-shard watermark, skipping what is no longer PENDING. Late
 * confirmations and entries the index shows late are still alerted. All on DynamoDB Local.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { DUE_INDEX } from "../../functions/shared/table-schema.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { ingestSettlementFile } from "../../functions/use-cases/ingest-settlement-file.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, SHANGHAI_MERCHANT, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps } from "../support/ingest-deps.js";
import { csvFile, fileInput, settlementDeps } from "../support/settlement.js";
import {
  dueMarkerKey,
  dueSortKey,
  hideFromIndex,
  isDueListPartition,
  tableKeys,
} from "../support/table-items.js";

const M = "m-shanghai-001";
// Confirmed 30 Sep 2026 15:00 Shanghai (T+1, 18:00, 60 min grace): overdue from 8 Oct 11:00Z.
const OVERDUE_AT = "2026-10-08T11:00:00.000Z";
const LINE = `,,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY`;

/** Every request sent on the table's client: command name and input (keys, consistency). */
function recordRequests(table: TestTable): Array<{ command: string; input: Record<string, unknown> }> {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return await next(args);
    },
    { step: "initialize", name: "recordRequestsForTest" },
  );
  return sent;
}

/** A key's pk as sent (the document client may or may not have marshalled it yet). */
function pkOf(key: unknown): string {
  const pk = (key as { pk?: unknown } | undefined)?.pk;
  return typeof pk === "string" ? pk : String((pk as { S?: string } | undefined)?.S ?? "");
}

/** The payment keys a batch of recorded requests read (GetItem, BatchGetItem), with their consistency. */
function paymentReads(sent: ReturnType<typeof recordRequests>): Array<{ pk: string; consistent: boolean }> {
  return sent.flatMap(({ command, input }) => {
    if (command === "GetItemCommand") {
      const pk = pkOf(input.Key);
      return pk.startsWith("PAY#") ? [{ pk, consistent: input.ConsistentRead === true }] : [];
    }
    if (command !== "BatchGetItemCommand") return [];
    const requests = Object.values(input.RequestItems as Record<string, Record<string, unknown>>);
    return requests.flatMap((request) =>
      (request.Keys as unknown[]).map((key) => ({
        pk: pkOf(key),
        consistent: request.ConsistentRead === true,
      })),
    );
  });
}

describe("settling without a read, and the due list read once from a watermark", () => {
  let table: TestTable;
  let clock: TestClock;

  async function confirmAt(at: string, items: Array<Record<string, unknown>>) {
    const now = new Date(at);
    const { deps } = ingestDeps(table, now);
    deps.settlement = settlementDeps(table, now).store;
    const rawBody = JSON.stringify({ confirmations: items });
    const { results } = await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, now) }, deps);
    expect(results.every((result) => result.status === "accepted")).toBe(true);
  }
  const item = async (paymentId: string) =>
    (
      await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, paymentId) }),
      )
    ).Item;
  const checkAt = async (at: string, wiring = checkDeps(table, clock)) => {
    clock.set(at);
    const report = await runOverdueCheck(wiring.check);
    await wiring.drain();
    return report;
  };

  beforeEach(async () => {
    table = await createTestTable();
    clock = new TestClock(new Date("2026-10-08T09:00:00.000Z"));
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
  });

  it("settles a PENDING payment with one write and no read; its day's due marker stays, it is read once and never alerted", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [
      confirmation({ paymentId: "p-settled", amountMinor: 12850 }),
      confirmation({ paymentId: "p-unpaid", amountMinor: 12850 }),
    ]);
    const sent = recordRequests(table);
    const { deps } = settlementDeps(table, new Date("2026-10-08T09:00:00Z"));
    const { file } = await ingestSettlementFile(fileInput(csvFile([`p-settled${LINE}`])), deps);
    expect(file.counts).toMatchObject({ read: 1, matched: 1, mismatched: 0, unmatched: 0 });
    expect(paymentReads(sent)).toEqual([]);
    const writes = sent.filter(({ command }) => command === "UpdateItemCommand");
    const onPayment = writes.filter(({ input }) => JSON.stringify(input.Key).includes("PAY#"));
    expect(onPayment).toHaveLength(1);
    expect(onPayment[0]?.input.UpdateExpression).not.toContain("REMOVE");

    const settled = await item("p-settled");
    expect(settled).toMatchObject({ status: "SETTLED", settlementOutcome: "matched" });
    // Filed by its merchant day's due marker (no entry of its own); settling leaves the marker be.
    expect(settled?.[DUE_INDEX.partitionKey]).toBeUndefined();
    const marker = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: dueMarkerKey("2026-09-30", M, OVERDUE_AT) }),
    );
    expect(marker.Item?.entity).toBe("due-marker");

    sent.length = 0;
    const wiring = checkDeps(table, clock);
    const first = await checkAt("2026-10-08T12:00:00.000Z", wiring);
    expect(first).toMatchObject({ examined: 2, markedOverdue: 1, notified: 1 });
    expect(wiring.outbox.sent).toHaveLength(1);
    const second = await checkAt("2026-10-08T12:05:00.000Z", wiring);
    expect(second).toMatchObject({ examined: 0, markedOverdue: 0, noticesScheduled: 0 });
    expect(wiring.outbox.sent).toHaveLength(1);

    // Each due entry was read once, eventually consistent (the escalation list is read consistently).
    const reads = paymentReads(sent);
    const dueReads = reads.filter((read) => !read.consistent).map((read) => read.pk);
    expect(dueReads.sort()).toEqual(
      [
        tableKeys.payment(TEST_ACQUIRER, "p-settled").pk,
        tableKeys.payment(TEST_ACQUIRER, "p-unpaid").pk,
      ].sort(),
    );
    const after = await item("p-settled");
    expect(after).toMatchObject({ status: "SETTLED" });
    expect(after?.noticeHistory).toBeUndefined();
    const unpaid = await item("p-unpaid");
    expect(unpaid?.status).toBe("OVERDUE");
    expect(unpaid?.noticeHistory).toHaveLength(1);
  });

  it("a payment confirmed after its due time passed is filed a lag margin ahead and alerted then", async () => {
    await checkAt("2026-10-08T12:00:00.000Z"); // the watermark is now past OVERDUE_AT
    await confirmAt("2026-10-08T12:01:00Z", [confirmation({ paymentId: "p-late-confirmed" })]);
    const stored = await item("p-late-confirmed");
    expect(stored).toMatchObject({ status: "PENDING", overdueAt: OVERDUE_AT });
    expect(stored?.[DUE_INDEX.sortKey]).toBe(
      dueSortKey("2026-10-08T12:16:00.000Z", TEST_ACQUIRER, "p-late-confirmed"),
    );

    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T12:05:00.000Z", wiring)).toMatchObject({ markedOverdue: 0 });
    expect(await checkAt("2026-10-08T12:20:00.000Z", wiring)).toMatchObject({
      examined: 1,
      markedOverdue: 1,
      notified: 1,
    });
    expect(wiring.outbox.sent).toHaveLength(1);
    expect((await item("p-late-confirmed"))?.status).toBe("OVERDUE");
  });

  it("an entry the index shows late (but within the margin) is still alerted", async () => {
    await confirmAt("2026-10-08T12:01:00Z", [confirmation({ paymentId: "p-lagging" })]);
    const key = tableKeys.payment(TEST_ACQUIRER, "p-lagging");
    // The index does not show the entry yet: the checks at 12:05 and 12:10 cannot see it.
    const entry = await hideFromIndex(table, key, DUE_INDEX);
    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T12:05:00.000Z", wiring)).toMatchObject({ examined: 0 });
    expect(await checkAt("2026-10-08T12:10:00.000Z", wiring)).toMatchObject({ examined: 0 });
    // 13 minutes after the write, the entry shows: behind neither watermark, since it is filed at 12:16.
    await entry.show();
    expect(await checkAt("2026-10-08T12:16:00.000Z", wiring)).toMatchObject({
      markedOverdue: 1,
      notified: 1,
    });
    expect(wiring.outbox.sent).toHaveLength(1);
  });

  it("a redelivered file or a re-decided line applies nothing twice: the failed write returns the item, a replay", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p1", amountMinor: 12850 })]);
    const file = csvFile([`p1${LINE}`]);
    const { deps } = settlementDeps(table, new Date("2026-10-08T09:00:00Z"));
    await ingestSettlementFile(fileInput(file), deps);
    const once = await item("p1");
    // Forget the run as if it had died before its checkpoint: the line is decided again.
    await deps.store.saveProgress(file.fileId, {
      status: "PROCESSING",
      checkpoint: 0,
      counts: { read: 0, matched: 0, settledLate: 0, mismatched: 0, unmatched: 0, rejected: 0 },
      topReasons: [],
    });
    const sent = recordRequests(table);
    const again = await ingestSettlementFile(fileInput(file), deps);
    // The decision came from the item returned with the failed write: no read of the payment.
    expect(paymentReads(sent)).toEqual([]);
    expect(again.file.counts).toMatchObject({ read: 1, matched: 1, mismatched: 0 });
    expect(again.file.topReasons.map((reason) => reason.reasonCode)).toEqual(["replay"]);
    expect(await item("p1")).toEqual(once);
  });

  it("a line for an OVERDUE payment settles it late and leaves the escalation list in the same write", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-overdue", amountMinor: 12850 })]);
    await checkAt("2026-10-08T12:00:00.000Z");
    expect(isDueListPartition((await item("p-overdue"))?.[DUE_INDEX.partitionKey], "escalation")).toBe(true);
    const { deps, settledLate } = settlementDeps(table, new Date("2026-10-08T13:00:00Z"));
    const { file } = await ingestSettlementFile(fileInput(csvFile([`p-overdue${LINE}`])), deps);
    expect(file.counts).toMatchObject({ matched: 1, settledLate: 1 });
    const stored = await item("p-overdue");
    expect(stored?.status).toBe("SETTLED_LATE");
    expect(stored?.[DUE_INDEX.partitionKey]).toBeUndefined();
    expect(settledLate.flat().map((payment) => payment.paymentId)).toEqual(["p-overdue"]);
  });
});
