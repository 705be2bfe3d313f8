import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeExpectedArrival } from "../../../functions/domain/arrival/expected-arrival.js";
import { createCalendarRegistry } from "../../../functions/domain/calendar/calendar-registry.js";
import {
  DEFAULT_CHECK_LAG_MINUTES,
  pendingTradeDates,
  unionOfTradeDates,
} from "../../../functions/domain/merchant-page/pending-window.js";

const cn = createCalendarRegistry().get("CN");
const terms = (cycle: string) => ({ cycle, cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 });

describe("pendingTradeDates: the trade dates that can still hold PENDING payments", () => {
  it("T+1 on a Friday afternoon in Shanghai: from Tuesday to Saturday (an after-cutoff payment is filed under tomorrow)", () => {
    const dates = pendingTradeDates({
      now: new Date("2026-12-04T08:00:00Z"),
      timeZone: "Asia/Shanghai",
      terms: terms("T+1"),
      calendar: cn,
    });
    expect(dates).toEqual(["2026-12-05", "2026-12-04", "2026-12-03", "2026-12-02", "2026-12-01"]);
  });

  it("T+5 just after Golden Week reads back past the holiday; a D+30 merchant about a month", () => {
    const golden = pendingTradeDates({
      now: new Date("2026-10-09T04:00:00Z"),
      timeZone: "Asia/Shanghai",
      terms: terms("T+5"),
      calendar: cn,
    });
    // A 29 Sep trade is due 5 working days later, 13 Oct: still pending on 9 Oct.
    expect(golden).toContain("2026-09-29");
    expect(golden.length).toBeGreaterThan(12);
    const monthly = pendingTradeDates({
      now: new Date("2026-12-04T08:00:00Z"),
      timeZone: "Asia/Shanghai",
      terms: terms("D+30"),
      calendar: cn,
    });
    expect(monthly.length).toBeGreaterThanOrEqual(31);
    expect(monthly.length).toBeLessThan(36);
  });

  it("every confirmation not yet overdue (beyond the check's lag) is filed under a listed trade date, and nothing older is listed than needed (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2027-06-01T00:00:00Z") }),
        fc.constantFrom("T+0", "T+1", "T+2", "T+5", "T+10", "D+0", "D+1", "D+7", "D+30"),
        fc.integer({ min: -24 * 60, max: 90 * 24 * 60 }),
        (nowMs, cycle, minutesBack) => {
          const input = { timeZone: "Asia/Shanghai", terms: terms(cycle), calendar: cn };
          const dates = pendingTradeDates({ ...input, now: new Date(nowMs) });
          const arrival = computeExpectedArrival({
            ...input,
            confirmedAt: new Date(nowMs - minutesBack * 60_000).toISOString(),
          });
          if (Date.parse(arrival.overdueAt) > nowMs - DEFAULT_CHECK_LAG_MINUTES * 60_000)
            expect(dates).toContain(arrival.tradeDate);
          // The window is only a few days longer than the cycle itself (plus holidays, lag, cutoff).
          expect(dates.length).toBeLessThan(Number(cycle.slice(2)) * 2 + 16);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("unionOfTradeDates: newest first, each once", () => {
    expect(unionOfTradeDates(["2026-12-02", "2026-12-01"], ["2026-12-03", "2026-12-02"])).toEqual([
      "2026-12-03",
      "2026-12-02",
      "2026-12-01",
    ]);
  });

  it("stops at the first trade date already overdue: D+0 due at midnight, no lag, reads yesterday to tomorrow", () => {
    const dates = pendingTradeDates({
      now: new Date("2026-12-04T08:00:00Z"),
      timeZone: "Asia/Shanghai",
      terms: { cycle: "D+0", cutoff: "23:59", arrivalBy: "00:00", graceMinutes: 0 },
      calendar: cn,
      checkLagMinutes: 0,
    });
    expect(dates).toEqual(["2026-12-05", "2026-12-04", "2026-12-03"]);
  });
});
