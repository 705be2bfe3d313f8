import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { computeExpectedArrival } from "../../../functions/domain/arrival/expected-arrival.js";
import { createCalendarRegistry } from "../../../functions/domain/calendar/calendar-registry.js";

// Property-style checks over seeded random inputs, with luxon as an independent oracle for the
// time-zone parts.

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const registry = createCalendarRegistry();
const merchants = [
  ["Asia/Shanghai", "CN"],
  ["America/New_York", "US"],
  ["America/Los_Angeles", "US"],
  ["Europe/London", "GB"],
  ["Asia/Hong_Kong", "HK"],
  ["Asia/Singapore", "SG"],
  ["Australia/Lord_Howe", "AU"],
] as const;
const clocks = ["00:00", "00:30", "01:30", "02:30", "09:00", "17:00", "18:00", "23:00", "23:59"];

describe("computeExpectedArrival properties", () => {
  it("holds for 20,000 seeded inputs, 2020-2029", () => {
    const next = random(20261001);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const from = Date.UTC(2020, 0, 1);
    const to = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 20_000; i++) {
      const [timeZone, region] = pick(merchants);
      const calendar = registry.get(region);
      const kind = next() < 0.7 ? "T" : "D";
      const days = Math.floor(next() * 6);
      const terms = {
        cycle: `${kind}+${days}`,
        cutoff: pick(clocks),
        arrivalBy: pick(clocks),
        graceMinutes: Math.floor(next() * 240),
      };
      const confirmedAt = new Date(from + Math.floor(next() * (to - from))).toISOString();
      const result = computeExpectedArrival({ confirmedAt, timeZone, terms, calendar });
      const label = `${confirmedAt} ${timeZone} ${JSON.stringify(terms)}`;

      // Trade date: local date, +1 day at or after the cutoff (luxon as the oracle).
      const local = DateTime.fromISO(confirmedAt, { zone: timeZone });
      const afterCutoff = local.toFormat("HH:mm") >= terms.cutoff;
      expect(result.tradeDate, label).toBe((afterCutoff ? local.plus({ days: 1 }) : local).toISODate());

      expect(result.dueDate >= result.tradeDate, label).toBe(true);
      expect(Date.parse(result.overdueAt) - Date.parse(result.expectedBy), label).toBe(
        terms.graceMinutes * 60_000,
      );
      expect(result.expectedBy).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(result.explanation).not.toMatch(/[\r\n]/);

      // expectedBy is the due date at arrivalBy, local (later the same day only in a DST gap).
      const due = DateTime.fromISO(result.expectedBy, { zone: timeZone });
      expect(due.toISODate(), label).toBe(result.dueDate);
      if (due.toFormat("HH:mm") !== terms.arrivalBy) {
        expect(due.toFormat("HH:mm") > terms.arrivalBy, label).toBe(true);
        expect(result.explanation, label).toContain("is skipped when clocks go forward");
      }

      if (kind === "D") {
        const span = DateTime.fromISO(result.dueDate).diff(DateTime.fromISO(result.tradeDate), "days").days;
        expect(span, label).toBe(days);
        expect(result.calendarCoverage).toBe("covered");
      } else if (result.calendarCoverage === "covered") {
        expect(calendar.isBusinessDay(result.dueDate), label).toBe(true);
        expect(result.uncoveredYears).toEqual([]);
      } else {
        expect(result.uncoveredYears.length, label).toBeGreaterThan(0);
        expect(result.explanation, label).toContain(`${region} calendar has no data for`);
        const weekday = DateTime.fromISO(result.dueDate).weekday;
        if (!calendar.coversYear(Number(result.dueDate.slice(0, 4)))) expect(weekday, label).toBeLessThan(6);
      }
    }
  });
});
