import { beforeEach, describe, expect, it } from "vitest";
import { OverridableCalendarProvider } from "../../../functions/adapters/calendars/calendar-provider.js";
import { DEFAULT_CALENDAR_HORIZON_DAYS } from "../../../functions/domain/calendar/calendar-horizon.js";
import { merchantProfileSchema } from "../../../functions/domain/merchant/merchant-profile.js";
import { type CalendarCheckDeps, runCalendarCheck } from "../../../functions/use-cases/run-calendar-check.js";
import { SHANGHAI_MERCHANT, TEST_ACQUIRER } from "../../support/confirmations.js";
import { InMemoryCalendarHoldStore } from "../../support/fakes/in-memory-calendar-hold-store.js";
import { InMemoryMerchantRepository } from "../../support/fakes/in-memory-merchant-repository.js";
import { InMemoryNoticeStore } from "../../support/fakes/in-memory-notice-store.js";
import { InMemoryPaymentRepository } from "../../support/fakes/in-memory-payment-repository.js";
import { InMemoryPaymentTable, paymentKey } from "../../support/fakes/in-memory-payment-table.js";
import { RecordingCalendarMetrics } from "../../support/recording-calendar-metrics.js";
import { TestClock } from "../../support/test-clock.js";
import { payment } from "../notification/fixtures.js";

// The calendar check's decisions on in-memory ports. End to end (ingest → hold → the local check →
// ops notice → recompute, on DynamoDB Local) in test/integration/calendar-check.test.ts; the horizon
// metrics through the Lambda handler in test/observability/check-calendars-handler.test.ts; the
// hold store's conditions on DynamoDB Local in the port contract suite (due-list-contracts.ts).
const GUESSED_OVERDUE_AT = "2027-01-01T11:00:00.000Z";
const CN_2027 = {
  region: "CN",
  years: [2027],
  holidays: { "2027-01-01": "New Year's Day" },
  source: "test schedule for 2027",
};

describe("calendar check: horizon and holds (in-memory ports)", () => {
  let table: InMemoryPaymentTable;
  let payments: InMemoryPaymentRepository;
  let merchants: InMemoryMerchantRepository;
  let overrides: unknown[];
  let clock: TestClock;
  let metrics: RecordingCalendarMetrics;
  let deps: CalendarCheckDeps;

  beforeEach(() => {
    table = new InMemoryPaymentTable(4);
    payments = new InMemoryPaymentRepository(table);
    merchants = new InMemoryMerchantRepository(table);
    overrides = [];
    clock = new TestClock(new Date("2026-12-31T07:00:00Z"));
    metrics = new RecordingCalendarMetrics();
    deps = {
      holds: new InMemoryCalendarHoldStore(table),
      calendars: new OverridableCalendarProvider(async () => overrides, 0),
      merchants,
      notices: new InMemoryNoticeStore(),
      clock,
      metrics,
      config: {
        horizonDays: DEFAULT_CALENDAR_HORIZON_DAYS,
        defaultTerms: {
          timeZone: "Asia/Shanghai",
          calendar: "CN",
          settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", graceMinutes: 60 },
        },
        dueShards: table.dueShards,
      },
    };
  });

  it("a payment settled while held leaves the hold and is never recomputed", async () => {
    const held = payment({
      acquirer: TEST_ACQUIRER,
      paymentId: "p-settled",
      arrival: {
        overdueAt: GUESSED_OVERDUE_AT,
        calendarCoverage: "weekends-only",
        calendarHold: { region: "CN", year: 2027 },
      },
    });
    await payments.insert(held);
    // What settlement matching does to a PENDING payment: status moves, it leaves the index.
    const key = paymentKey(TEST_ACQUIRER, "p-settled");
    const stored = table.payments.get(key);
    if (!stored) throw new Error("the payment was stored");
    stored.status = "SETTLED";
    table.slots.delete(key);

    overrides = [CN_2027];
    clock.set("2027-01-02T00:00:00.000Z");
    const report = await runCalendarCheck(deps);
    expect(report.holds).toEqual([{ region: "CN", year: 2027, covered: true, recomputed: 0, pastDue: 0 }]);
    expect(await payments.get(TEST_ACQUIRER, "p-settled")).toMatchObject({
      status: "SETTLED",
      arrival: { overdueAt: GUESSED_OVERDUE_AT, calendarHold: { region: "CN", year: 2027 } },
    });
  });

  it("horizon: a calendar in use that lacks a year within the horizon raises the metric and one ops notice a day; covered calendars do not", async () => {
    await merchants.put(
      merchantProfileSchema.parse({ ...SHANGHAI_MERCHANT, merchantId: "m-ny", calendar: "US-NY" }),
    );
    await merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));

    // 1 Jul 2026 + 90 days stays in 2026: every calendar is covered, the alarm's metric is 0.
    clock.set("2026-07-01T00:00:00.000Z");
    let report = await runCalendarCheck(deps);
    expect(report.calendars).toEqual([
      { region: "CN", missingYears: [] },
      { region: "US-NY", missingYears: [] },
    ]);
    expect(metrics.totals).toEqual([0]);
    expect(metrics.missing).toEqual([]);
    expect(report.opsNotices).toBe(0);

    // 4 Oct 2026 + 90 days reaches 2027: CN lacks it (weeks ahead), US-NY is bundled to 2035.
    clock.set("2026-10-04T00:00:00.000Z");
    report = await runCalendarCheck(deps);
    expect(report.calendars).toEqual([
      { region: "CN", missingYears: [2027] },
      { region: "US-NY", missingYears: [] },
    ]);
    expect(metrics.totals).toEqual([0, 1]);
    expect(metrics.missing).toEqual([{ region: "CN", year: 2027 }]);
    expect(report.opsNotices).toBe(1);
    // The same day again: no second notice.
    expect((await runCalendarCheck(deps)).opsNotices).toBe(0);

    // With the override loaded, the horizon is covered again.
    overrides = [CN_2027];
    report = await runCalendarCheck(deps);
    expect(report.calendars[0]).toEqual({ region: "CN", missingYears: [] });
    expect(metrics.totals.at(-1)).toBe(0);
  });
});
