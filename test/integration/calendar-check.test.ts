import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import {
  type MerchantProfileInput,
  merchantProfileSchema,
} from "../../functions/domain/merchant/merchant-profile.js";
import { DUE_INDEX } from "../../functions/shared/table-schema.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { type LocalConfig, localConfigSchema } from "../../local/local-config.js";
import { type LocalServices, localServices } from "../../local/local-services.js";
import { TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { RecordingCalendarMetrics } from "../support/recording-calendar-metrics.js";
import { dueSortKey, isDueListPartition, tableKeys } from "../support/table-items.js";

// A CN merchant (T+1, 18:00, 60 min grace) is paid on Thursday 31 Dec 2026, 15:00 Shanghai. The
// bundled CN calendar stops at 2026, so T+1 lands in 2027 on a weekends-only guess: Friday 1 Jan
// (overdue from 11:00Z). With the 2027 schedule loaded (1 Jan New Year's Day), it is Monday 4 Jan.
const CONFIRMED_AT = "2026-12-31T15:00:00+08:00";
const GUESSED_OVERDUE_AT = "2027-01-01T11:00:00.000Z";
const RECOMPUTED_EXPECTED_BY = "2027-01-04T10:00:00.000Z";
const RECOMPUTED_OVERDUE_AT = "2027-01-04T11:00:00.000Z";
const CN_2027 = {
  region: "CN",
  years: [2027],
  holidays: { "2027-01-01": "New Year's Day" },
  source: "test schedule for 2027",
};

describe("calendar check on DynamoDB Local: holds, horizon, recompute after an override", () => {
  let table: TestTable;
  let dir: string;
  let overridesFile: string;
  let clock: TestClock;
  let metrics: RecordingCalendarMetrics;
  let services: LocalServices;

  beforeEach(async () => {
    table = await createTestTable();
    dir = mkdtempSync(join(tmpdir(), "settlewatch-calendars-"));
    overridesFile = join(dir, "calendar-overrides.json");
    writeFileSync(overridesFile, "[]");
    clock = new TestClock(new Date("2026-12-31T07:00:00Z"));
    metrics = new RecordingCalendarMetrics();
    const config: LocalConfig = {
      ...localConfigSchema.parse({ tableName: table.tableName, dataDir: dir }),
      calendarOverridesFile: overridesFile,
      webhookSecrets: { [TEST_ACQUIRER]: [TEST_SECRET] },
      usingDemoSecrets: false,
      source: "test",
    };
    services = localServices(table.client, config, { clock, outboxFile: null, calendarMetrics: metrics });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function registerAndConfirm(merchant: MerchantProfileInput, paymentId: string) {
    await services.operator.merchants.put(merchantProfileSchema.parse(merchant));
    const rawBody = JSON.stringify(confirmation({ paymentId, confirmedAt: CONFIRMED_AT }));
    return await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, clock.now()) },
      services.ingest,
    );
  }

  async function storedItem(paymentId: string) {
    const { Item } = await documentClient(table.client).send(
      new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, paymentId) }),
    );
    return Item;
  }

  it("holds a late-December trade due in uncovered 2027, tells ops not the merchant, then recomputes it after the override", async () => {
    const { results } = await registerAndConfirm(SHANGHAI_MERCHANT, "p-dec31");
    expect(results[0]).toMatchObject({ status: "accepted", overdueAt: GUESSED_OVERDUE_AT });
    expect(results[0]?.status === "accepted" && results[0].explanation).toContain(
      "held: no overdue alert on a guess until the CN calendar for 2027 is loaded",
    );
    let item = await storedItem("p-dec31");
    expect(item).toMatchObject({
      status: "PENDING",
      calendarCoverage: "weekends-only",
      calendarHold: { region: "CN", year: 2027 },
      [DUE_INDEX.partitionKey]: tableKeys.calendarHold("CN", 2027),
      [DUE_INDEX.sortKey]: dueSortKey(GUESSED_OVERDUE_AT, TEST_ACQUIRER, "p-dec31"),
    });

    const { Item: marker } = await documentClient(table.client).send(
      new GetCommand({ TableName: table.tableName, Key: tableKeys.calendarHoldMarker("CN", 2027) }),
    );
    expect(marker).toMatchObject({ region: "CN", year: 2027 });

    // Past the guessed overdue time, the overdue check never sees it; the calendar check tells ops.
    clock.set("2027-01-02T00:00:00.000Z");
    const held = await services.checkAndNotify();
    expect(held.report).toMatchObject({ examined: 0, markedOverdue: 0, notified: 0 });
    expect(held.calendars.holds).toEqual([
      { region: "CN", year: 2027, covered: false, recomputed: 0, pastDue: 1 },
    ]);
    expect(held.calendars.calendars).toEqual([{ region: "CN", missingYears: [2027] }]);
    expect(metrics.held).toEqual([{ region: "CN", year: 2027, count: 1 }]);
    expect(metrics.missing).toEqual([{ region: "CN", year: 2027 }]);
    expect(metrics.totals).toEqual([1]);
    expect(held.deliveries).toEqual(["sent", "sent"]);
    expect(services.outbox.sent.map((sent) => sent.channel)).toEqual(["ops", "ops"]);
    expect(services.outbox.sent.map((sent) => sent.subject).sort()).toEqual([
      "settlewatch: CN calendar has no 2027 data",
      "settlewatch: payments held, CN calendar has no 2027 data",
    ]);
    expect((await storedItem("p-dec31"))?.status).toBe("PENDING");
    // A second run the same day tells ops nothing new.
    expect((await services.checkAndNotify()).deliveries).toEqual([]);

    // Ops load the 2027 schedule; the next check recomputes the held payment.
    writeFileSync(overridesFile, JSON.stringify([CN_2027]));
    clock.set("2027-01-02T01:00:00.000Z");
    const recomputed = await services.checkAndNotify();
    expect(recomputed.calendars.holds).toEqual([
      { region: "CN", year: 2027, covered: true, recomputed: 1, pastDue: 0 },
    ]);
    expect(recomputed.calendars.calendars).toEqual([{ region: "CN", missingYears: [] }]);
    expect(metrics.totals.at(-1)).toBe(0);
    item = await storedItem("p-dec31");
    expect(item).toMatchObject({
      status: "PENDING",
      calendarCoverage: "covered",
      dueDate: "2027-01-04",
      expectedBy: RECOMPUTED_EXPECTED_BY,
      overdueAt: RECOMPUTED_OVERDUE_AT,
      [DUE_INDEX.sortKey]: dueSortKey(RECOMPUTED_OVERDUE_AT, TEST_ACQUIRER, "p-dec31"),
    });
    expect(isDueListPartition(item?.[DUE_INDEX.partitionKey], "due")).toBe(true);
    expect(item?.calendarHold).toBeUndefined();
    expect(String(item?.explanation)).toContain("1 Jan New Year's Day skipped");
    expect(String(item?.explanation)).toContain("recomputed when the CN calendar for 2027 was loaded");
    expect(String(item?.explanation)).not.toContain("weekends only");
    const api = await services.ingest.payments.get(TEST_ACQUIRER, "p-dec31");
    expect(api?.arrival?.calendarHold).toBeUndefined();

    // Now the money is really late: the merchant is told, once.
    clock.set(RECOMPUTED_OVERDUE_AT);
    const overdue = await services.checkAndNotify();
    expect(overdue.report).toMatchObject({ markedOverdue: 1, notified: 1 });
    expect(overdue.calendars.holds[0]).toMatchObject({ recomputed: 0 });
    expect(services.outbox.sent.at(-1)).toMatchObject({ channel: "sms", to: "+86138****8000" });
    expect((await storedItem("p-dec31"))?.status).toBe("OVERDUE");
  });

  it("horizon end to end: the calendars merchants use are stored; one that lacks a year within the horizon gets one ops notice a day through the local check", async () => {
    // The check's decisions (each instant, the metric, one notice a day) on in-memory ports:
    // test/unit/use-cases/calendar-check.test.ts.
    await services.operator.merchants.put(
      merchantProfileSchema.parse({ ...SHANGHAI_MERCHANT, merchantId: "m-ny", calendar: "US-NY" }),
    );
    await services.operator.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const usage = await documentClient(table.client).send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": tableKeys.calendarUsage("CN").pk },
      }),
    );
    expect(usage.Items?.map((entry) => entry.sk)).toEqual(["CN", "US-NY"]);

    // 4 Oct 2026 + 90 days reaches 2027: CN lacks it (weeks ahead), US-NY is bundled to 2035.
    clock.set("2026-10-04T00:00:00.000Z");
    const first = await services.checkAndNotify();
    expect(first.calendars.calendars).toEqual([
      { region: "CN", missingYears: [2027] },
      { region: "US-NY", missingYears: [] },
    ]);
    expect(metrics.totals).toEqual([1]);
    // The notice goes through the outbox: the overdue check queues it and the notifier sends it to ops.
    expect(first.deliveries).toEqual(["sent"]);
    expect(services.outbox.sent).toHaveLength(1);
    expect(services.outbox.sent[0]).toMatchObject({ channel: "ops" });
    expect(services.outbox.sent[0]?.text).toContain("CN business calendar has no holiday data for 2027");
    expect((await services.checkAndNotify()).deliveries).toEqual([]);

    // With the override loaded, the horizon is covered again.
    writeFileSync(overridesFile, JSON.stringify([CN_2027]));
    const covered = await services.checkAndNotify();
    expect(covered.calendars.calendars[0]).toEqual({ region: "CN", missingYears: [] });
    expect(metrics.totals.at(-1)).toBe(0);
  });

  it("the overdue check alone never alerts a held payment, whatever the time", async () => {
    await registerAndConfirm(SHANGHAI_MERCHANT, "p-held");
    clock.set("2027-03-01T00:00:00.000Z");
    const report = await runOverdueCheck({ ...services.check, clock });
    expect(report).toMatchObject({ examined: 0, markedOverdue: 0, noticesScheduled: 0 });
    expect((await storedItem("p-held"))?.status).toBe("PENDING");
  });
});
