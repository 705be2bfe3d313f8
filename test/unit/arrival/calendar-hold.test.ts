import { describe, expect, it } from "vitest";
import { arrivalFieldsOf, calendarHoldOf } from "../../../functions/domain/arrival/calendar-hold.js";
import { computeExpectedArrival } from "../../../functions/domain/arrival/expected-arrival.js";
import { createCalendarRegistry } from "../../../functions/domain/calendar/calendar-registry.js";

const terms = { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 };

function arrival(confirmedAt: string, overrides = createCalendarRegistry()) {
  return computeExpectedArrival({
    confirmedAt,
    timeZone: "Asia/Shanghai",
    terms,
    calendar: overrides.get("CN"),
  });
}

describe("calendar holds", () => {
  it("a CN T+1 trade of 31 Dec 2026 counts into uncovered 2027: held for CN 2027", () => {
    const computed = arrival("2026-12-31T15:00:00+08:00");
    expect(computed.uncoveredYears).toEqual([2027]);
    expect(calendarHoldOf(computed, "CN")).toEqual({ region: "CN", year: 2027 });
    const fields = arrivalFieldsOf(computed, "CN", "a note");
    expect(fields.calendarHold).toEqual({ region: "CN", year: 2027 });
    expect(fields.calendarCoverage).toBe("weekends-only");
    expect(fields.explanation).toContain("CN calendar has no data for 2027: weekends only");
    expect(fields.explanation).toMatch(
      /held: no overdue alert on a guess until the CN calendar for 2027 is loaded \(then recomputed\); a note$/,
    );
  });

  it("a covered count is not held and its fields carry no hold", () => {
    const computed = arrival("2026-09-30T15:00:00+08:00");
    expect(calendarHoldOf(computed, "CN")).toBeUndefined();
    const fields = arrivalFieldsOf(computed, "CN");
    expect(fields).not.toHaveProperty("calendarHold");
    expect(fields.explanation).toBe(computed.explanation);
  });

  it("with the 2027 override the same trade is covered and due after New Year's Day", () => {
    const registry = createCalendarRegistry([
      { region: "CN", years: [2027], holidays: { "2027-01-01": "New Year's Day" }, workdays: {} },
    ]);
    const computed = arrival("2026-12-31T15:00:00+08:00", registry);
    expect(calendarHoldOf(computed, "CN")).toBeUndefined();
    expect(computed.dueDate).toBe("2027-01-04");
  });

  it("the hold names the first uncovered year when several are crossed", () => {
    expect(calendarHoldOf({ uncoveredYears: [2028, 2027] }, "CN")).toEqual({ region: "CN", year: 2027 });
  });
});
