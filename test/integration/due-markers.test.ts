/**
 * Issue 14: a confirmation writes its payment (item + amount-index entry: 2 WRU) and, once per
 * merchant day and container, the day's due marker (a table item on no index: 1 WRU), instead of a
 * due entry per payment. The
 * overdue check meets the marker at its instant, reads the merchant's day from the amount index and
 * handles the PENDING payments overdue by then. No alert is missed or sent early or twice. All
 * through the webhook route (POST /v1/confirmations) and the overdue check on DynamoDB Local, table
 * state asserted.
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { fromItem, toItem } from "../../functions/adapters/dynamodb/payment-repository.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { dueShardOf } from "../../functions/domain/payment/payment.js";
import { postConfirmations } from "../../functions/http/routes.js";
import { AMOUNT_INDEX, DUE_INDEX } from "../../functions/shared/table-schema.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, SHANGHAI_MERCHANT, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps } from "../support/ingest-deps.js";
import {
  dueMarkerKey,
  hideFromIndex,
  legacyTableKeys,
  TEST_DUE_SHARDS,
  tableKeys,
} from "../support/table-items.js";

const M = "m-shanghai-001";
const DAY = "2026-09-30";
// Confirmed 30 Sep 2026 15:00 Shanghai (T+1, 18:00, 60 min grace): overdue from 8 Oct 11:00Z.
const OVERDUE_AT = "2026-10-08T11:00:00.000Z";

/**
 * Each PutItem's write units, or that its condition failed, and the read units of each GetItem in
 * the partition `getsOf` (DynamoDB Local answers ReturnConsumedCapacity).
 */
function meterRequests(
  table: TestTable,
  getsOf: { pk: string },
): { puts: Array<number | "condition failed">; gets: number[] } {
  const metered = { puts: [] as Array<number | "condition failed">, gets: [] as number[] };
  const unitsOf = (output: unknown) =>
    Number((output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits);
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      // The key as the document client gives it, marshalled or not yet.
      const pk = (args.input as { Key?: { pk?: string | { S?: string } } }).Key?.pk;
      const isMetered =
        command === "PutItemCommand" ||
        (command === "GetItemCommand" && (typeof pk === "string" ? pk : pk?.S) === getsOf.pk);
      if (!isMetered) return await next(args);
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = "TOTAL";
      try {
        const result = await next(args);
        if (command === "PutItemCommand") metered.puts.push(unitsOf(result.output));
        else metered.gets.push(unitsOf(result.output));
        return result;
      } catch (error) {
        if ((error as Error).name === "ConditionalCheckFailedException")
          metered.puts.push("condition failed");
        throw error;
      }
    },
    { step: "initialize", name: "meterRequestsForTest" },
  );
  return metered;
}

/** Every command sent on the table's client. */
function recordCommands(table: TestTable): string[] {
  const sent: string[] = [];
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return await next(args);
    },
    { step: "initialize", name: "recordCommandsForTest" },
  );
  return sent;
}

describe("due markers: one per merchant day and overdue instant, on DynamoDB Local", () => {
  let table: TestTable;
  let clock: TestClock;

  /** Through the webhook route the local server and the Lambda handler both call; the answers' items. */
  async function confirmAt(
    at: string,
    items: Array<Record<string, unknown>>,
    deps = ingestDeps(table, new Date(at)).deps,
  ): Promise<Array<{ status: string }>> {
    const body = JSON.stringify({ confirmations: items });
    const response = await postConfirmations(
      {
        method: "POST",
        path: "/v1/confirmations",
        headers: { "settlewatch-signature": signed(body, new Date(at)) },
        body,
      },
      deps,
    );
    expect(response.statusCode).toBeLessThan(300);
    return (JSON.parse(response.body) as { results: Array<{ status: string }> }).results;
  }
  const get = async (key: { pk: string; sk: string }) =>
    (await table.client.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item;
  const payment = (paymentId: string) => get(tableKeys.payment(TEST_ACQUIRER, paymentId));
  const markers = async () =>
    ((await table.client.send(new ScanCommand({ TableName: table.tableName }))).Items ?? [])
      .filter((item) => item.entity === "due-marker")
      .map((item) => ({ merchantId: item.merchantId, tradeDate: item.tradeDate, overdueAt: item.overdueAt }));
  const checkAt = async (at: string, wiring = checkDeps(table, clock)) => {
    clock.set(at);
    const report = await runOverdueCheck(wiring.check);
    await wiring.drain();
    return report;
  };
  const noticesOf = async (paymentId: string) => (await payment(paymentId))?.noticeHistory ?? [];

  beforeEach(async () => {
    table = await createTestTable();
    clock = new TestClock(new Date("2026-10-08T09:00:00.000Z"));
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
  });

  it("confirms a payment for 2 WRU (item + amount entry) once its day's marker is written; one marker for the day", async () => {
    const { puts, gets } = meterRequests(table, dueMarkerKey(DAY, M, OVERDUE_AT));
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    // Without an order number: the order index entry is a third, separate one.
    const plain = (paymentId: string) => ({ ...confirmation({ paymentId }), orderId: undefined });
    await confirmAt("2026-09-30T08:00:00Z", [plain("p-first")], deps);
    expect(gets).toEqual([0.5]); // is the day's marker there? (eventually consistent) No:
    expect(puts).toEqual([1, 2]); // the marker (a table item, no index), the payment (item + amount entry)
    gets.length = 0;
    puts.length = 0;
    await confirmAt("2026-09-30T08:01:00Z", [plain("p-second"), plain("p-third")], deps);
    expect(gets).toEqual([]); // the container knows the marker: the two payments only
    expect(puts).toEqual([2, 2]);

    expect(await markers()).toEqual([{ merchantId: M, tradeDate: DAY, overdueAt: OVERDUE_AT }]);
    for (const id of ["p-first", "p-second", "p-third"]) {
      const stored = await payment(id);
      expect(stored).toMatchObject({ status: "PENDING", overdueAt: OVERDUE_AT });
      expect(stored?.[DUE_INDEX.partitionKey]).toBeUndefined();
      expect(stored?.[AMOUNT_INDEX.partitionKey]).toBe(tableKeys.amountLookup(M, DAY));
    }
    // Another container (cold cache) reads the marker (0.5 RRU) instead of putting it again (1 WRU).
    gets.length = 0;
    puts.length = 0;
    await confirmAt("2026-09-30T08:02:00Z", [plain("p-fourth")]);
    expect(gets).toEqual([0.5]);
    expect(puts).toEqual([2]);
    expect(await markers()).toHaveLength(1);
  });

  it("alerts every overdue payment of the day once, at the marker's instant and not before; never Scans", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [
      confirmation({ paymentId: "p1" }),
      confirmation({ paymentId: "p2", amountMinor: 500 }),
    ]);
    const sent = recordCommands(table);
    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T10:59:59.999Z", wiring)).toMatchObject({
      examined: 0,
      markedOverdue: 0,
    });
    expect(await checkAt("2026-10-08T11:00:00.000Z", wiring)).toMatchObject({
      examined: 2,
      markedOverdue: 2,
      notified: 2,
    });
    expect(await checkAt("2026-10-08T11:05:00.000Z", wiring)).toMatchObject({
      examined: 0,
      markedOverdue: 0,
    });
    expect(wiring.outbox.sent).toHaveLength(1); // one digest naming both
    expect(sent).not.toContain("ScanCommand");
    for (const id of ["p1", "p2"]) {
      expect((await payment(id))?.status).toBe("OVERDUE");
      expect(await noticesOf(id)).toHaveLength(1);
    }
  });

  it("a redelivered confirmation writes no second marker or payment and is alerted once", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-again" })]);
    const count = async () =>
      (await table.client.send(new ScanCommand({ TableName: table.tableName, Select: "COUNT" }))).Count;
    const before = await count();
    const again = await confirmAt("2026-09-30T09:00:00Z", [confirmation({ paymentId: "p-again" })]);
    expect(again[0]?.status).toBe("duplicate");
    expect(await count()).toBe(before);
    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T11:10:00.000Z", wiring)).toMatchObject({
      markedOverdue: 1,
      notified: 1,
    });
    expect(await checkAt("2026-10-08T12:10:00.000Z", wiring)).toMatchObject({
      markedOverdue: 0,
      notified: 0,
    });
    expect(await noticesOf("p-again")).toHaveLength(1);
  });

  it("a marker left alone by a crash before its payment was written is read and passed, harmlessly", async () => {
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-crashed" })], deps);
    // As if the process died between the marker and the payment: the payment was never written.
    await table.client.send(
      new DeleteCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, "p-crashed") }),
    );
    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T11:10:00.000Z", wiring)).toMatchObject({
      examined: 0,
      markedOverdue: 0,
      complete: true,
    });
    expect(wiring.outbox.sent).toHaveLength(0);
    expect(await markers()).toHaveLength(1);
  });

  it("a late confirmation, after its day's marker was passed, gets its own entry a margin ahead and is alerted then", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-on-time" })]);
    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T12:00:00.000Z", wiring)).toMatchObject({ markedOverdue: 1 });
    // Confirmed at 12:01, an hour after its overdue time: the watermark is past the day's marker.
    await confirmAt("2026-10-08T12:01:00Z", [confirmation({ paymentId: "p-late" })]);
    const late = await payment("p-late");
    expect(late?.[DUE_INDEX.sortKey]).toBe(
      tableKeys.dueSort("2026-10-08T12:16:00.000Z", TEST_ACQUIRER, "p-late"),
    );
    expect(await markers()).toHaveLength(1); // no marker for it: an instant no other payment shares
    expect(await checkAt("2026-10-08T12:15:00.000Z", wiring)).toMatchObject({ markedOverdue: 0 });
    expect(await checkAt("2026-10-08T12:16:00.000Z", wiring)).toMatchObject({
      markedOverdue: 1,
      notified: 1,
    });
    expect(await noticesOf("p-late")).toHaveLength(1);
    expect(await noticesOf("p-on-time")).toHaveLength(1);
  });

  it("a payment whose amount entry the index shows late (within the margin) is still alerted at its marker's instant", async () => {
    // Confirmed at 10:45 on the day it falls due (11:00): just the lag margin before it.
    await confirmAt("2026-10-08T10:45:00Z", [confirmation({ paymentId: "p-lagging" })]);
    expect(await get(dueMarkerKey(DAY, M, OVERDUE_AT))).toMatchObject({ entity: "due-marker" });
    const key = tableKeys.payment(TEST_ACQUIRER, "p-lagging");
    // The payment's amount entry does not show in the index yet.
    const amountEntry = await hideFromIndex(table, key, AMOUNT_INDEX);
    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T10:50:00.000Z", wiring)).toMatchObject({ examined: 0 });
    expect(await checkAt("2026-10-08T10:58:00.000Z", wiring)).toMatchObject({ examined: 0 });
    // Within the margin it shows, before the marker's instant: no watermark has passed the marker.
    await amountEntry.show();
    expect(await checkAt("2026-10-08T11:00:00.000Z", wiring)).toMatchObject({
      markedOverdue: 1,
      notified: 1,
    });
    expect(wiring.outbox.sent).toHaveLength(1);
  });

  it("markers an older version filed on the due index are read in instant order with the table's markers", async () => {
    // p-a (30 Sep) is filed under a table marker at 8 Oct 11:00Z.
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-a" })]);
    // p-b (8 Oct, 15:00 Shanghai; T+1 -> 9 Oct 11:00Z): its marker as the first version filed it.
    const LATER = "2026-10-08";
    const laterDue = "2026-10-09T11:00:00.000Z";
    await confirmAt("2026-10-08T07:00:00Z", [
      confirmation({ paymentId: "p-b", confirmedAt: "2026-10-08T15:00:00+08:00" }),
    ]);
    expect((await payment("p-b"))?.overdueAt).toBe(laterDue);
    const current = dueMarkerKey(LATER, M, laterDue);
    const marker = await get(current);
    expect(marker).toMatchObject({ entity: "due-marker" });
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: current }));
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...marker,
          ...legacyTableKeys.dueMarker(LATER, M, laterDue),
          [DUE_INDEX.partitionKey]: tableKeys.dueShard(dueShardOf(M, LATER, TEST_DUE_SHARDS)),
          [DUE_INDEX.sortKey]: legacyTableKeys.dueMarkerSort(laterDue, LATER, M),
        },
      }),
    );

    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T11:00:00.000Z", wiring)).toMatchObject({ markedOverdue: 1 });
    expect((await payment("p-a"))?.status).toBe("OVERDUE");
    expect((await payment("p-b"))?.status).toBe("PENDING");
    expect(await checkAt("2026-10-09T10:59:59.999Z", wiring)).toMatchObject({ markedOverdue: 0 });
    // p-b's first notice (p-a's 24-hour escalation falls due at the same instant).
    expect(await checkAt(laterDue, wiring)).toMatchObject({ markedOverdue: 1, notified: 2 });
    expect(await checkAt("2026-10-09T12:00:00.000Z", wiring)).toMatchObject({
      markedOverdue: 0,
      notified: 0,
    });
    expect((await payment("p-b"))?.status).toBe("OVERDUE");
    expect(await noticesOf("p-b")).toHaveLength(1);
  });

  it("two payments of a day with different overdue times (the profile changed): each alerted at its own time, never early", async () => {
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-grace-60" })], deps);
    const longer = {
      ...SHANGHAI_MERCHANT,
      settlement: { ...SHANGHAI_MERCHANT.settlement, graceMinutes: 180 },
    };
    await deps.merchants.put(merchantProfileSchema.parse(longer));
    await confirmAt("2026-09-30T09:00:00Z", [confirmation({ paymentId: "p-grace-180" })]);
    expect((await payment("p-grace-180"))?.overdueAt).toBe("2026-10-08T13:00:00.000Z");
    expect((await markers()).map((m) => m.overdueAt).sort()).toEqual([
      OVERDUE_AT,
      "2026-10-08T13:00:00.000Z",
    ]);

    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T11:00:00.000Z", wiring)).toMatchObject({ markedOverdue: 1 });
    expect((await payment("p-grace-60"))?.status).toBe("OVERDUE");
    expect((await payment("p-grace-180"))?.status).toBe("PENDING");
    // Its own marker stands for it: not filed again by the earlier one (no write, no entry of its own).
    expect((await payment("p-grace-180"))?.[DUE_INDEX.partitionKey]).toBeUndefined();
    expect(await checkAt("2026-10-08T12:59:59.999Z", wiring)).toMatchObject({ markedOverdue: 0 });
    expect((await payment("p-grace-180"))?.status).toBe("PENDING");
    expect(await checkAt("2026-10-08T13:00:00.000Z", wiring)).toMatchObject({
      markedOverdue: 1,
      notified: 1,
    });
    expect(await noticesOf("p-grace-60")).toHaveLength(1);
    expect(await noticesOf("p-grace-180")).toHaveLength(1);
  });

  it("two concurrent checks over a marker's day notify each payment once", async () => {
    await confirmAt(
      "2026-09-30T08:00:00Z",
      Array.from({ length: 30 }, (_, i) => confirmation({ paymentId: `p-${i}`, amountMinor: 100 + i })),
    );
    clock.set("2026-10-08T11:30:00.000Z");
    const [a, b] = [checkDeps(table, clock), checkDeps(table, clock)];
    const reports = await Promise.all([runOverdueCheck(a.check), runOverdueCheck(b.check)]);
    await a.drain();
    await b.drain();
    expect(reports.reduce((sum, r) => sum + r.markedOverdue, 0)).toBe(30);
    expect(reports.reduce((sum, r) => sum + r.notified, 0)).toBe(30);
    for (let i = 0; i < 30; i += 1) expect(await noticesOf(`p-${i}`)).toHaveLength(1);
  });

  it("a payment of the day held for an uncovered calendar year waits on its hold, not on the day's marker", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-due" })]);
    const stored = fromItem((await payment("p-due")) ?? {});
    const arrival = { ...(stored.arrival ?? ({} as never)), calendarHold: { region: "CN", year: 2026 } };
    const heldItem = toItem({ ...stored, paymentId: "p-held", amountMinor: 901, arrival }, TEST_DUE_SHARDS);
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: heldItem }));
    expect(await checkAt("2026-10-08T11:10:00.000Z")).toMatchObject({ markedOverdue: 1 });
    expect((await payment("p-due"))?.status).toBe("OVERDUE");
    const held = await payment("p-held");
    expect(held?.status).toBe("PENDING");
    expect(held?.[DUE_INDEX.partitionKey]).toBe(heldItem[DUE_INDEX.partitionKey]);
  });

  it("payments stored before due markers, with their own due entry, are alerted once beside marker-filed ones", async () => {
    await confirmAt("2026-09-30T08:00:00Z", [confirmation({ paymentId: "p-new" })]);
    const stored = await payment("p-new");
    // As an older version stored a payment of the same day: its own due entry, no marker.
    const old = toItem({ ...fromItem(stored ?? {}), paymentId: "p-old", amountMinor: 777 }, TEST_DUE_SHARDS);
    expect(old[DUE_INDEX.partitionKey]).toBeDefined();
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: old }));

    const wiring = checkDeps(table, clock);
    expect(await checkAt("2026-10-08T11:10:00.000Z", wiring)).toMatchObject({
      markedOverdue: 2,
      notified: 2,
    });
    expect(await checkAt("2026-10-08T12:10:00.000Z", wiring)).toMatchObject({ markedOverdue: 0 });
    expect(await noticesOf("p-new")).toHaveLength(1);
    expect(await noticesOf("p-old")).toHaveLength(1);
  });
});
