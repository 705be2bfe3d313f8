import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeExpectedArrival } from "../../../functions/domain/arrival/expected-arrival.js";
import { createCalendarRegistry } from "../../../functions/domain/calendar/calendar-registry.js";
import type { BusinessDayRule } from "../../../functions/domain/merchant/merchant-profile.js";

// Property-based checks (fast-check) of how T+N and D+N count, with the calendar's own
// isBusinessDay as the oracle. Trade dates run 2019-2028, so CN's uncovered year after its data
// (weekends only) is met too.

const registry = createCalendarRegistry();
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2019, 0, 1) / DAY_MS;
const LAST_DAY = Date.UTC(2028, 11, 31) / DAY_MS;
const RULES: readonly BusinessDayRule[] = ["after-trade-date", "roll-trade-date-first"];
const RUNS = { numRuns: 600 };

const isoOf = (epochDay: number): string => new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
const dayOf = (iso: string): number => Date.parse(iso) / DAY_MS;

const region = fc.constantFrom("CN", "US", "GB", "HK", "SG", "JP", "DE");
const tradeDay = fc.integer({ min: FIRST_DAY, max: LAST_DAY });
const businessDays = fc.integer({ min: 1, max: 12 });
const rule = fc.constantFrom(...RULES);

/** The expected arrival of a trade confirmed at noon UTC on `day` (so the trade date is `day`). */
function arrive(options: { region: string; day: number; cycle: string; rule?: BusinessDayRule }) {
  return computeExpectedArrival({
    confirmedAt: `${isoOf(options.day)}T12:00:00Z`,
    timeZone: "UTC",
    terms: {
      cycle: options.cycle,
      cutoff: "23:00",
      arrivalBy: "18:00",
      graceMinutes: 30,
      businessDayRule: options.rule,
    },
    calendar: registry.get(options.region),
  });
}

const isBusiness = (regionCode: string, day: number) => registry.get(regionCode).isBusinessDay(isoOf(day));

function businessDaysStrictlyBetween(regionCode: string, from: number, to: number): number {
  let count = 0;
  for (let day = from + 1; day < to; day++) if (isBusiness(regionCode, day)) count++;
  return count;
}

describe("T+N, default rule (after-trade-date)", () => {
  it("is a business day strictly after the trade date, with exactly N-1 business days in between", () => {
    fc.assert(
      fc.property(region, tradeDay, businessDays, (regionCode, day, n) => {
        const arrival = arrive({ region: regionCode, day, cycle: `T+${n}` });
        const due = dayOf(arrival.dueDate);
        expect(arrival.tradeDate).toBe(isoOf(day));
        expect(due).toBeGreaterThan(day);
        expect(isBusiness(regionCode, due)).toBe(true);
        expect(businessDaysStrictlyBetween(regionCode, day, due)).toBe(n - 1);
        expect(arrival.explanation).toContain(
          "counted strictly after the trade date (rule after-trade-date)",
        );
      }),
      RUNS,
    );
  });

  it("is the same whether the rule is absent or named", () => {
    fc.assert(
      fc.property(region, tradeDay, businessDays, (regionCode, day, n) => {
        const absent = arrive({ region: regionCode, day, cycle: `T+${n}` });
        const named = arrive({ region: regionCode, day, cycle: `T+${n}`, rule: "after-trade-date" });
        expect(named).toEqual(absent);
      }),
      RUNS,
    );
  });

  it("T+1 is the first business day after the trade date, whatever the trade date is", () => {
    fc.assert(
      fc.property(region, tradeDay, (regionCode, day) => {
        let expected = day + 1;
        while (!isBusiness(regionCode, expected)) expected++;
        expect(arrive({ region: regionCode, day, cycle: "T+1" }).dueDate).toBe(isoOf(expected));
      }),
      RUNS,
    );
  });
});

describe("T+N, both rules", () => {
  it("is monotone in the trade date", () => {
    fc.assert(
      fc.property(
        region,
        tradeDay,
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 8 }),
        rule,
        (regionCode, day, later, n, businessDayRule) => {
          const first = arrive({ region: regionCode, day, cycle: `T+${n}`, rule: businessDayRule });
          const second = arrive({
            region: regionCode,
            day: day + later,
            cycle: `T+${n}`,
            rule: businessDayRule,
          });
          expect(second.dueDate >= first.dueDate).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it("is strictly later for each extra business day from T+1 on", () => {
    fc.assert(
      fc.property(region, tradeDay, businessDays, rule, (regionCode, day, n, businessDayRule) => {
        const shorter = arrive({ region: regionCode, day, cycle: `T+${n}`, rule: businessDayRule });
        const longer = arrive({ region: regionCode, day, cycle: `T+${n + 1}`, rule: businessDayRule });
        expect(longer.dueDate > shorter.dueDate).toBe(true);
      }),
      RUNS,
    );
  });

  it("T+1 equals T+0 only for a trade date that is not a business day, and only by default", () => {
    fc.assert(
      fc.property(region, tradeDay, rule, (regionCode, day, businessDayRule) => {
        const t0 = arrive({ region: regionCode, day, cycle: "T+0", rule: businessDayRule });
        const t1 = arrive({ region: regionCode, day, cycle: "T+1", rule: businessDayRule });
        // A Saturday trade is paid Monday both same-day (next business day) and next-day (first
        // business day after Saturday); rolling Saturday to Monday first makes T+1 Tuesday.
        const same = businessDayRule === "after-trade-date" && !isBusiness(regionCode, day);
        expect(t1.dueDate === t0.dueDate).toBe(same);
        expect(t1.dueDate >= t0.dueDate).toBe(true);
      }),
      RUNS,
    );
  });

  it("T+0 is the trade date when it is a business day, else the next business day", () => {
    fc.assert(
      fc.property(region, tradeDay, rule, (regionCode, day, businessDayRule) => {
        let expected = day;
        while (!isBusiness(regionCode, expected)) expected++;
        const arrival = arrive({ region: regionCode, day, cycle: "T+0", rule: businessDayRule });
        expect(arrival.dueDate).toBe(isoOf(expected));
      }),
      RUNS,
    );
  });

  it("rolling the trade date first is never earlier; equal when the trade date is a business day", () => {
    fc.assert(
      fc.property(region, tradeDay, businessDays, (regionCode, day, n) => {
        const cycle = `T+${n}`;
        const after = arrive({ region: regionCode, day, cycle });
        const roll = arrive({ region: regionCode, day, cycle, rule: "roll-trade-date-first" });
        expect(roll.tradeDate).toBe(after.tradeDate);
        expect(roll.dueDate >= after.dueDate).toBe(true);
        if (isBusiness(regionCode, day)) {
          expect(roll.dueDate).toBe(after.dueDate);
          expect(roll.explanation).toContain(
            "trade date is a business day, counted after it (rule roll-trade-date-first)",
          );
        } else {
          // Rolled to the first business day on or after the trade date, then counted after it.
          let rolled = day;
          while (!isBusiness(regionCode, rolled)) rolled++;
          expect(roll.dueDate).toBe(arrive({ region: regionCode, day: rolled, cycle }).dueDate);
          expect(roll.explanation).toContain("rule roll-trade-date-first");
          expect(roll.explanation).toContain("trade date rolled to");
        }
      }),
      RUNS,
    );
  });

  it("reports as uncovered exactly the years without data the count went through", () => {
    fc.assert(
      fc.property(region, tradeDay, businessDays, rule, (regionCode, day, n, businessDayRule) => {
        const calendar = registry.get(regionCode);
        const arrival = arrive({ region: regionCode, day, cycle: `T+${n}`, rule: businessDayRule });
        const dueYear = Number(arrival.dueDate.slice(0, 4));
        const tradeYear = Number(arrival.tradeDate.slice(0, 4));
        for (const year of arrival.uncoveredYears) {
          expect(calendar.coversYear(year)).toBe(false);
          expect(year >= tradeYear && year <= dueYear).toBe(true);
        }
        if (!calendar.coversYear(dueYear)) expect(arrival.uncoveredYears).toContain(dueYear);
        expect(arrival.calendarCoverage).toBe(
          arrival.uncoveredYears.length > 0 ? "weekends-only" : "covered",
        );
      }),
      RUNS,
    );
  });
});

describe("D+N", () => {
  it("is the trade date plus N calendar days, whatever the rule", () => {
    fc.assert(
      fc.property(
        region,
        tradeDay,
        fc.integer({ min: 0, max: 30 }),
        rule,
        (regionCode, day, n, businessDayRule) => {
          const arrival = arrive({ region: regionCode, day, cycle: `D+${n}`, rule: businessDayRule });
          expect(arrival.dueDate).toBe(isoOf(day + n));
          expect(arrival.explanation).not.toContain("(rule ");
        },
      ),
      RUNS,
    );
  });
});

describe("the cutoff fixes the trade date before anything is counted", () => {
  it("any confirmation instant gives the result of a noon confirmation on its trade date", () => {
    const zones = [
      ["Asia/Shanghai", "CN"],
      ["America/New_York", "US"],
      ["Europe/London", "GB"],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: FIRST_DAY * DAY_MS, max: LAST_DAY * DAY_MS }),
        fc.constantFrom("00:00", "15:00", "23:00", "23:59"),
        fc.integer({ min: 0, max: 6 }),
        rule,
        ([timeZone, regionCode], instant, cutoff, n, businessDayRule) => {
          const terms = { cycle: `T+${n}`, cutoff, arrivalBy: "18:00", graceMinutes: 0, businessDayRule };
          const calendar = registry.get(regionCode);
          const confirmed = computeExpectedArrival({
            confirmedAt: new Date(instant).toISOString(),
            timeZone,
            terms,
            calendar,
          });
          const noon = computeExpectedArrival({
            // 12:00 UTC is the same calendar day in these three zones (offsets -5 to +8).
            confirmedAt: `${confirmed.tradeDate}T12:00:00Z`,
            timeZone,
            terms: { ...terms, cutoff: "23:59" },
            calendar,
          });
          expect(noon.tradeDate).toBe(confirmed.tradeDate);
          expect(confirmed.dueDate).toBe(noon.dueDate);
        },
      ),
      RUNS,
    );
  });
});
