import { describe, expect, it } from "vitest";
import { missingCalendarYears } from "../../../functions/domain/calendar/calendar-horizon.js";
import { createCalendarRegistry } from "../../../functions/domain/calendar/calendar-registry.js";

const registry = createCalendarRegistry();
const cn = registry.get("CN");

describe("missingCalendarYears", () => {
  it("is empty while today + horizon stays in covered years", () => {
    expect(missingCalendarYears(cn, "2026-07-01", 90)).toEqual([]);
    expect(missingCalendarYears(cn, "2026-10-02", 90)).toEqual([]); // 31 Dec 2026 exactly
  });

  it("names the year as soon as the horizon reaches it (weeks ahead of 1 January)", () => {
    expect(missingCalendarYears(cn, "2026-10-03", 90)).toEqual([2027]); // 1 Jan 2027
    expect(missingCalendarYears(cn, "2026-12-04", 30)).toEqual([2027]);
    expect(missingCalendarYears(cn, "2027-02-10", 0)).toEqual([2027]);
  });

  it("lists every uncovered year of a long horizon, oldest first", () => {
    expect(missingCalendarYears(cn, "2026-12-01", 400)).toEqual([2027, 2028]);
  });

  it("is empty once an override covers the year", () => {
    const withOverride = createCalendarRegistry([
      { region: "CN", years: [2027], holidays: { "2027-01-01": "New Year's Day" }, workdays: {} },
    ]).get("CN");
    expect(missingCalendarYears(withOverride, "2026-12-04", 90)).toEqual([]);
  });

  it("rule-based calendars are covered to 2035", () => {
    expect(missingCalendarYears(registry.get("US-NY"), "2035-10-05", 90)).toEqual([2036]);
    expect(missingCalendarYears(registry.get("US-NY"), "2030-10-01", 90)).toEqual([]);
  });

  it("refuses a malformed day or horizon", () => {
    expect(() => missingCalendarYears(cn, "2026-02-30", 90)).toThrow(RangeError);
    expect(() => missingCalendarYears(cn, "2026-02-01", -1)).toThrow(RangeError);
  });
});
