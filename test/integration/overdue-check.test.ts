import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import {
  type MerchantProfileInput,
  merchantProfileSchema,
} from "../../functions/domain/merchant/merchant-profile.js";
import { DUE_INDEX } from "../../functions/shared/table-schema.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { dueSortKey, isDueListPartition, tableKeys } from "../support/table-items.js";

// A payment confirmed 30 Sep 2026 15:00 Shanghai (T+1, 18:00, 60 min grace) is due 8 Oct 18:00
// local = 10:00Z and overdue from 11:00Z.
const OVERDUE_AT = "2026-10-08T11:00:00.000Z";

describe("overdue check on DynamoDB Local", () => {
  let table: TestTable;
  let clock: TestClock;

  async function confirm(
    items: Array<Record<string, unknown>>,
    merchant: MerchantProfileInput = SHANGHAI_MERCHANT,
  ) {
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(merchant));
    const rawBody = JSON.stringify({ confirmations: items });
    const { results } = await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, new Date("2026-09-30T08:00:00Z")) },
      deps,
    );
    expect(results.every((result) => result.status === "accepted")).toBe(true);
  }

  beforeEach(async () => {
    table = await createTestTable();
    clock = new TestClock(new Date("2026-10-08T10:59:59.999Z"));
  });

  it("does nothing before overdueAt, marks OVERDUE from overdueAt on, and leaves the due partition", async () => {
    await confirm([confirmation({ paymentId: "p1" })]);
    const { check } = checkDeps(table, clock);
    let report = await runOverdueCheck(check);
    expect(report).toMatchObject({ markedOverdue: 0, noticesScheduled: 0, examined: 0 });

    clock.set(OVERDUE_AT);
    report = await runOverdueCheck(check);
    expect(report).toMatchObject({ markedOverdue: 1, notified: 1, noticesScheduled: 1, noticesQueued: 1 });
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, "p1") }),
    );
    expect(Item?.status).toBe("OVERDUE");
    expect(isDueListPartition(Item?.[DUE_INDEX.partitionKey], "escalation")).toBe(true);
    // Next reminder 24 h after the first notice.
    expect(String(Item?.[DUE_INDEX.sortKey])).toBe(
      dueSortKey("2026-10-09T11:00:00.000Z", TEST_ACQUIRER, "p1"),
    );
  });

  it("sends one digest per merchant per run, in the merchant's language, to a masked address", async () => {
    await confirm([
      confirmation({ paymentId: "p1", amountMinor: 12850 }),
      confirmation({ paymentId: "p2", amountMinor: 115600, orderId: "ORD-2" }),
    ]);
    clock.set("2026-10-08T12:00:00.000Z");
    const { check, drain, outbox } = checkDeps(table, clock);
    const report = await runOverdueCheck(check);
    expect(report).toMatchObject({ markedOverdue: 2, notified: 2, noticesScheduled: 1 });
    expect(await drain()).toEqual(["sent"]);
    expect(outbox.sent).toHaveLength(1);
    expect(outbox.sent[0]).toMatchObject({ channel: "sms", to: "+86138****8000" });
    expect(outbox.sent[0]?.text).toContain("¥1,284.50");
    expect(outbox.sent[0]?.text).toMatch(/[\u4e00-\u9fff]/);
  });

  it("never notifies a payment twice under a retried check", async () => {
    await confirm([confirmation({ paymentId: "p1" }), confirmation({ paymentId: "p2" })]);
    clock.set("2026-10-08T12:00:00.000Z");
    const first = checkDeps(table, clock);
    expect((await runOverdueCheck(first.check)).noticesScheduled).toBe(1);
    // The same run again (a retry after a timeout): the same decision, so the same notice id.
    const retried = await runOverdueCheck(first.check);
    expect(retried).toMatchObject({ markedOverdue: 0, noticesScheduled: 0 });
    // A redelivered queue message: claimed once, sent once.
    const queued = first.queue.drain();
    await first.queue.enqueue([...queued, ...queued]);
    const outcomes = await first.drain();
    expect(outcomes.filter((outcome) => outcome === "sent")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "already-sent")).toHaveLength(1);
  });

  it("never notifies a payment twice under two concurrent checks", async () => {
    await confirm([
      confirmation({ paymentId: "p1" }),
      confirmation({ paymentId: "p2" }),
      confirmation({ paymentId: "p3" }),
    ]);
    clock.set("2026-10-08T12:00:00.000Z");
    const first = checkDeps(table, clock);
    const second = checkDeps(table, clock);
    const [a, b] = await Promise.all([runOverdueCheck(first.check), runOverdueCheck(second.check)]);
    // Each payment is moved by exactly one of them (a conditional write) and notified by that one only.
    expect(a.markedOverdue + b.markedOverdue).toBe(3);
    await first.drain();
    await second.drain();
    const sent = [...first.outbox.sent, ...second.outbox.sent];
    const named: string[] = [];
    for (const notice of sent) {
      const record = await first.check.notices.get(notice.noticeId, notice.channel);
      named.push(...(record?.payments.map((payment) => payment.paymentId) ?? []));
    }
    expect(named.sort()).toEqual(["p1", "p2", "p3"]);
  });

  it("re-notifies on the escalation schedule (24 h, 72 h), never on every check", async () => {
    await confirm([confirmation({ paymentId: "p1" })]);
    const { check, drain } = checkDeps(table, clock, { escalationHours: [0, 24, 72] });
    const sentAt: string[] = [];
    for (const at of [
      "2026-10-08T11:00:00.000Z",
      "2026-10-08T11:05:00.000Z",
      "2026-10-09T10:59:00.000Z",
      "2026-10-09T11:00:00.000Z",
      "2026-10-09T11:05:00.000Z",
      "2026-10-11T11:00:00.000Z",
      "2026-10-12T11:00:00.000Z",
      "2026-10-20T11:00:00.000Z",
    ]) {
      clock.set(at);
      await runOverdueCheck(check);
      if ((await drain()).includes("sent")) sentAt.push(at);
    }
    expect(sentAt).toEqual([
      "2026-10-08T11:00:00.000Z",
      "2026-10-09T11:00:00.000Z",
      "2026-10-11T11:00:00.000Z",
    ]);
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, "p1") }),
    );
    expect(
      (Item?.noticeHistory as Array<{ level: number }> | undefined)?.map((entry) => entry.level),
    ).toEqual([0, 1, 2]);
    expect(Item?.[DUE_INDEX.partitionKey]).toBeUndefined();
  });

  it("holds an SMS until the merchant's quiet hours end (across midnight, in the merchant's zone)", async () => {
    await confirm([confirmation({ paymentId: "p1" })], {
      ...SHANGHAI_MERCHANT,
      contact: { ...SHANGHAI_MERCHANT.contact, quietHours: { start: "18:30", end: "08:00" } },
    });
    // 19:30 Shanghai: inside 18:30–08:00; the SMS waits until 08:00 Shanghai = 00:00Z next day.
    clock.set("2026-10-08T11:30:00.000Z");
    const { check, drain, outbox } = checkDeps(table, clock);
    expect(await runOverdueCheck(check)).toMatchObject({ noticesScheduled: 1, noticesQueued: 0 });
    expect(await drain()).toEqual([]);
    clock.set("2026-10-08T23:55:00.000Z");
    expect((await runOverdueCheck(check)).noticesQueued).toBe(0);
    clock.set("2026-10-09T00:00:00.000Z");
    expect((await runOverdueCheck(check)).noticesQueued).toBe(1);
    expect(await drain()).toEqual(["sent"]);
    expect(outbox.sent[0]?.at).toBe("2026-10-09T00:00:00.000Z");
  });

  it("holds payments of an acquirer whose settlement file is missing, and alerts ops once when it is late", async () => {
    await confirm([confirmation({ paymentId: "p1" })]);
    const config = {
      fileExpectations: { [TEST_ACQUIRER]: { expectedBy: "10:00", timeZone: "Asia/Shanghai", daysAfter: 1 } },
    };
    const { check, drain, outbox } = checkDeps(table, clock, config);
    // The file for 8 Oct is expected 9 Oct 10:00 Shanghai = 02:00Z.
    clock.set("2026-10-08T12:00:00.000Z");
    expect(await runOverdueCheck(check)).toMatchObject({
      markedOverdue: 0,
      awaitingFile: 1,
      noticesScheduled: 0,
    });
    clock.set("2026-10-09T02:00:00.000Z");
    const late = await runOverdueCheck(check);
    expect(late).toMatchObject({
      markedOverdue: 0,
      awaitingFile: 1,
      lateFiles: [{ acquirer: TEST_ACQUIRER, day: "2026-10-08", heldPayments: 1 }],
    });
    expect(await drain()).toEqual(["sent"]);
    expect(outbox.sent.map((notice) => notice.channel)).toEqual(["ops"]);
    clock.set("2026-10-09T02:05:00.000Z");
    expect((await runOverdueCheck(check)).noticesScheduled).toBe(0);
    // The file arrives without this payment: now it is overdue and the merchant is told.
    await check.fileDays.recordFileDay(TEST_ACQUIRER, "2026-10-08");
    clock.set("2026-10-09T03:00:00.000Z");
    expect(await runOverdueCheck(check)).toMatchObject({ markedOverdue: 1, awaitingFile: 0 });
  });

  it("marks payments of a merchant without contacts OVERDUE and counts them unreachable", async () => {
    await confirm([confirmation({ paymentId: "p1", merchantId: "m-silent" })], {
      merchantId: "m-silent",
      name: "Silent",
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 },
    });
    clock.set("2026-10-08T12:00:00.000Z");
    const { check, metrics } = checkDeps(table, clock);
    const report = await runOverdueCheck(check);
    expect(report).toMatchObject({ markedOverdue: 1, unreachable: 1, noticesScheduled: 0 });
    expect(metrics.get("MerchantsUnreachable")).toBe(1);
  });

  it("stops at its deadline and resumes next run", async () => {
    await confirm([confirmation({ paymentId: "p1" })]);
    clock.set("2026-10-08T12:00:00.000Z");
    const { check } = checkDeps(table, clock);
    expect(await runOverdueCheck(check, { budget: { pastDeadline: () => true } })).toMatchObject({
      complete: false,
      markedOverdue: 0,
    });
    expect(await runOverdueCheck(check)).toMatchObject({ complete: true, markedOverdue: 1 });
  });
});
