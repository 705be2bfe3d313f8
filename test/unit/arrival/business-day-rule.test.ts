import { describe, expect, it } from "vitest";
import { computeExpectedArrival } from "../../../functions/domain/arrival/expected-arrival.js";
import { createCalendarRegistry } from "../../../functions/domain/calendar/calendar-registry.js";
import type { BusinessDayRule } from "../../../functions/domain/merchant/merchant-profile.js";

// T+N is the N-th business day strictly after the trade date (CONVENTIONS.md, "Expected arrival");
// rolling a non-working trade date first is only a named option. Every case runs with both rules.

const registry = createCalendarRegistry();
const cn = registry.get("CN");
const us = registry.get("US");

interface Case {
  /** Merchant-local trade date (confirmed at noon, well before the cutoff). */
  trade: string;
  cycle: string;
  rule?: BusinessDayRule | undefined;
}

function shanghai({ trade, cycle, rule }: Case) {
  return computeExpectedArrival({
    confirmedAt: `${trade}T12:00:00+08:00`,
    timeZone: "Asia/Shanghai",
    terms: { cycle, cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60, businessDayRule: rule },
    calendar: cn,
  });
}

function newYork({ trade, cycle, rule }: Case) {
  return computeExpectedArrival({
    confirmedAt: `${trade}T12:00:00-05:00`,
    timeZone: "America/New_York",
    terms: { cycle, cutoff: "23:59", arrivalBy: "17:00", graceMinutes: 0, businessDayRule: rule },
    calendar: us,
  });
}

/** Calendar dates from `first` to `last`, inclusive. */
function days(first: string, last: string): string[] {
  const result: string[] = [];
  for (let ms = Date.parse(first); ms <= Date.parse(last); ms += 86_400_000) {
    result.push(new Date(ms).toISOString().slice(0, 10));
  }
  return result;
}

describe("the bundled CN calendar has the days these cases rely on", () => {
  it("2021 Labour Day and 2026 National Day, with their make-up workdays", () => {
    expect(cn.coversYear(2021)).toBe(true);
    expect(cn.coversYear(2026)).toBe(true);
    expect(days("2021-05-01", "2021-05-05").every((day) => cn.holidayName(day) === "Labour Day")).toBe(true);
    expect(["2021-04-25", "2021-05-08"].map((day) => cn.isMakeUpWorkday(day))).toEqual([true, true]);
    expect(cn.isBusinessDay("2021-04-24")).toBe(false); // a plain Saturday
    expect(days("2026-10-01", "2026-10-07").every((day) => cn.holidayName(day) === "National Day")).toBe(
      true,
    );
    expect(["2026-09-20", "2026-10-10"].map((day) => cn.isMakeUpWorkday(day))).toEqual([true, true]);
    expect(days("2026-09-25", "2026-09-27").every((day) => !cn.isBusinessDay(day))).toBe(true); // Mid-Autumn
  });
});

describe("CN T1 processors' 2021 Labour Day table (T+1)", () => {
  const table: Array<[trade: string, afterTradeDate: string, rollFirst: string]> = [
    ["2021-04-23", "2021-04-25", "2021-04-25"], // Fri -> Sun 25 Apr, a make-up workday
    ["2021-04-24", "2021-04-25", "2021-04-26"], // Sat -> Sun 25 Apr; rolled first: to Sun, then Mon
    ["2021-04-25", "2021-04-26", "2021-04-26"], // the working Sunday itself -> Mon
    ["2021-04-30", "2021-05-06", "2021-05-06"], // Fri before the holiday -> Thu 6 May
    ["2021-05-01", "2021-05-06", "2021-05-07"],
    ["2021-05-02", "2021-05-06", "2021-05-07"],
    ["2021-05-03", "2021-05-06", "2021-05-07"],
    ["2021-05-04", "2021-05-06", "2021-05-07"],
    ["2021-05-05", "2021-05-06", "2021-05-07"],
    ["2021-05-07", "2021-05-08", "2021-05-08"], // Fri -> Sat 8 May, a make-up workday
    ["2021-05-08", "2021-05-10", "2021-05-10"], // the working Saturday -> Mon 10 May
    ["2021-05-09", "2021-05-10", "2021-05-11"], // plain Sunday -> Mon; rolled first: to Mon, then Tue
  ];
  it.each(table)(
    "trade %s: due %s by default, %s when the trade date is rolled first",
    (trade, after, roll) => {
      expect(shanghai({ trade, cycle: "T+1" }).dueDate).toBe(after);
      expect(shanghai({ trade, cycle: "T+1", rule: "after-trade-date" }).dueDate).toBe(after);
      expect(shanghai({ trade, cycle: "T+1", rule: "roll-trade-date-first" }).dueDate).toBe(roll);
    },
  );

  it("explains a Saturday trade paid on the make-up Sunday", () => {
    expect(shanghai({ trade: "2021-04-24", cycle: "T+1" }).explanation).toBe(
      "T+1 business day from trade date 24 Apr 2021 (confirmed 2021-04-24 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); 25 Apr is a make-up workday; " +
        "due 25 Apr 2021 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
    expect(shanghai({ trade: "2021-04-24", cycle: "T+1", rule: "roll-trade-date-first" }).explanation).toBe(
      "T+1 business day from trade date 24 Apr 2021 (confirmed 2021-04-24 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "trade date rolled to 25 Apr 2021, counted after it (rule roll-trade-date-first); 25 Apr is a make-up workday; " +
        "due 26 Apr 2021 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
  });
});

describe("CN Golden Week 2026 (1-7 Oct off; Sun 20 Sep and Sat 10 Oct worked; 25-27 Sep Mid-Autumn)", () => {
  it.each(days("2026-09-30", "2026-10-07"))(
    "T+1 from %s arrives 8 Oct (9 Oct if a holiday trade date is rolled first)",
    (trade) => {
      const after = shanghai({ trade, cycle: "T+1" });
      expect(after.tradeDate).toBe(trade);
      expect(after.dueDate).toBe("2026-10-08");
      expect(after.expectedBy).toBe("2026-10-08T10:00:00.000Z");
      const roll = shanghai({ trade, cycle: "T+1", rule: "roll-trade-date-first" });
      expect(roll.dueDate).toBe(trade === "2026-09-30" ? "2026-10-08" : "2026-10-09");
    },
  );

  it.each(days("2026-10-01", "2026-10-07"))(
    "T+2 from %s arrives 9 Oct, or on the make-up Saturday 10 Oct when rolled first",
    (trade) => {
      expect(shanghai({ trade, cycle: "T+2" }).dueDate).toBe("2026-10-09");
      const roll = shanghai({ trade, cycle: "T+2", rule: "roll-trade-date-first" });
      expect(roll.dueDate).toBe("2026-10-10");
      expect(roll.explanation).toContain("10 Oct is a make-up workday");
    },
  );

  it("around the make-up days: Sat 19 Sep -> Sun 20 Sep, Fri 9 Oct -> Sat 10 Oct, Sat 10 Oct -> Mon 12 Oct", () => {
    const cases: Array<[trade: string, afterTradeDate: string, rollFirst: string]> = [
      ["2026-09-18", "2026-09-20", "2026-09-20"], // Fri -> the working Sunday
      ["2026-09-19", "2026-09-20", "2026-09-21"], // Sat -> the working Sunday; rolled: Sun, then Mon
      ["2026-09-20", "2026-09-21", "2026-09-21"],
      ["2026-09-24", "2026-09-28", "2026-09-28"], // Thu before Mid-Autumn -> Mon
      ["2026-09-26", "2026-09-28", "2026-09-29"], // in Mid-Autumn
      ["2026-10-09", "2026-10-10", "2026-10-10"], // Fri -> the working Saturday
      ["2026-10-10", "2026-10-12", "2026-10-12"],
      ["2026-10-11", "2026-10-12", "2026-10-13"], // plain Sunday
    ];
    for (const [trade, after, roll] of cases) {
      expect(shanghai({ trade, cycle: "T+1" }).dueDate, trade).toBe(after);
      expect(shanghai({ trade, cycle: "T+1", rule: "roll-trade-date-first" }).dueDate, trade).toBe(roll);
    }
  });

  it("explains a holiday trade date under each rule", () => {
    expect(shanghai({ trade: "2026-10-03", cycle: "T+1" }).explanation).toBe(
      "T+1 business day from trade date 3 Oct 2026 (confirmed 2026-10-03 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); 4–7 Oct National Day skipped; " +
        "due 8 Oct 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
    expect(shanghai({ trade: "2026-10-03", cycle: "T+1", rule: "roll-trade-date-first" }).explanation).toBe(
      "T+1 business day from trade date 3 Oct 2026 (confirmed 2026-10-03 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "trade date rolled to 8 Oct 2026, counted after it (rule roll-trade-date-first); 3–7 Oct National Day skipped; " +
        "due 9 Oct 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
    expect(
      shanghai({ trade: "2026-09-30", cycle: "T+1", rule: "roll-trade-date-first" }).explanation,
    ).toContain(
      "; trade date is a business day, counted after it (rule roll-trade-date-first); 1–7 Oct National Day skipped;",
    );
  });

  it("T+0 and D+N do not depend on the rule", () => {
    for (const rule of ["after-trade-date", "roll-trade-date-first"] as const) {
      expect(shanghai({ trade: "2026-10-03", cycle: "T+0", rule }).dueDate).toBe("2026-10-08");
      expect(shanghai({ trade: "2026-10-03", cycle: "T+0", rule }).explanation).not.toContain("rule");
      expect(shanghai({ trade: "2026-09-29", cycle: "T+0", rule }).dueDate).toBe("2026-09-29");
      expect(shanghai({ trade: "2026-10-03", cycle: "D+1", rule }).dueDate).toBe("2026-10-04");
      expect(shanghai({ trade: "2026-09-30", cycle: "D+3", rule }).dueDate).toBe("2026-10-03");
      expect(shanghai({ trade: "2026-10-03", cycle: "D+1", rule }).explanation).not.toContain("rule");
    }
  });
});

describe("Stripe's two-business-day schedule (US calendar)", () => {
  it("a Friday payment is paid out on Tuesday, with either rule", () => {
    for (const rule of [undefined, "after-trade-date", "roll-trade-date-first"] as const) {
      const arrival = newYork({ trade: "2026-03-13", cycle: "T+2", rule }); // Friday
      expect(arrival.dueDate).toBe("2026-03-17");
      expect(arrival.expectedBy).toBe("2026-03-17T21:00:00.000Z"); // 17:00 EDT
    }
  });

  it("a Saturday or Sunday payment is paid on Tuesday too; Wednesday only when rolled first", () => {
    for (const trade of ["2026-03-14", "2026-03-15"]) {
      expect(newYork({ trade, cycle: "T+2" }).dueDate).toBe("2026-03-17");
      expect(newYork({ trade, cycle: "T+2", rule: "roll-trade-date-first" }).dueDate).toBe("2026-03-18");
    }
  });

  it("the Friday before Memorial Day is paid on Wednesday", () => {
    const arrival = newYork({ trade: "2026-05-22", cycle: "T+2" });
    expect(arrival.dueDate).toBe("2026-05-27");
    expect(arrival.explanation).toContain("; 25 May Memorial Day skipped;");
  });
});
