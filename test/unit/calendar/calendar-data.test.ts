import { describe, expect, it } from "vitest";
import {
  type CalendarData,
  CalendarDataError,
  mergeCalendarData,
  parseCalendarData,
  parseCalendarOverrides,
  parseCalendarOverridesJson,
} from "../../../functions/domain/calendar/calendar-data.js";

function errorOf(run: () => unknown): CalendarDataError {
  try {
    run();
  } catch (error) {
    if (error instanceof CalendarDataError) return error;
    throw error;
  }
  throw new Error("expected a CalendarDataError");
}

const cn2027: unknown = {
  region: "CN",
  years: [2027],
  holidays: { "2027-10-01": "National Day", "2027-10-02": "National Day" },
  workdays: { "2027-09-26": "make-up workday for National Day" },
  source: "State Council notice",
};

describe("parseCalendarData", () => {
  it("accepts a valid document and fills in empty holidays/workdays", () => {
    expect(parseCalendarData(cn2027)).toEqual(cn2027);
    expect(parseCalendarData({ region: "HK", years: [2026] })).toEqual({
      region: "HK",
      years: [2026],
      holidays: {},
      workdays: {},
    });
  });

  it("names an impossible date", () => {
    const error = errorOf(() =>
      parseCalendarData(
        { region: "CN", years: [2026], holidays: { "2026-02-30": "Spring Festival" } },
        "cn.json",
      ),
    );
    expect(error.name).toBe("CalendarDataError");
    expect(error.message).toBe(
      'invalid calendar data in cn.json: holidays["2026-02-30"]: not a real calendar date (YYYY-MM-DD)',
    );
    expect(error.issues).toEqual([
      { path: 'holidays["2026-02-30"]', message: "not a real calendar date (YYYY-MM-DD)" },
    ]);
  });

  it("names a date outside the listed years", () => {
    const error = errorOf(() =>
      parseCalendarData({ region: "CN", years: [2027], holidays: { "2028-01-01": "New Year's Day" } }),
    );
    expect(error.message).toBe(
      'invalid calendar data: holidays["2028-01-01"]: 2028 is not one of "years" (2027): add it there or remove the date',
    );
  });

  it("rejects a make-up workday that is not a weekend day", () => {
    const error = errorOf(() =>
      parseCalendarData({ region: "CN", years: [2026], workdays: { "2026-10-09": "make-up workday" } }),
    );
    expect(error.message).toBe(
      'invalid calendar data: workdays["2026-10-09"]: is a Friday; "workdays" lists only weekend days that are worked (make-up workdays)',
    );
  });

  it("rejects a day that is both a holiday and a workday", () => {
    const error = errorOf(() =>
      parseCalendarData({
        region: "CN",
        years: [2026],
        holidays: { "2026-10-10": "National Day" },
        workdays: { "2026-10-10": "make-up workday" },
      }),
    );
    expect(error.issues).toEqual([
      {
        path: 'workdays["2026-10-10"]',
        message: 'is also listed in "holidays": a day is either off or worked',
      },
    ]);
  });

  it("reports every problem at once: region, years, unknown fields, names", () => {
    const error = errorOf(() =>
      parseCalendarData({
        region: "china",
        years: [2026, 2026, 1900],
        holiday: {},
        holidays: { "2026-10-01": "National\nDay", "2026-10-02": "" },
      }),
    );
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toContain("region");
    expect(paths).toContain("years[2]");
    expect(paths).toContain("(root)"); // the unknown key "holiday"
    expect(paths).toContain('holidays["2026-10-01"]');
    expect(paths).toContain('holidays["2026-10-02"]');
    expect(error.message).toContain('region: expected a region code such as "CN", "HK", "US" or "GB-SCT"');
    expect(error.message).toContain("years[2]: years before 1970 are not supported");
    expect(error.message).toContain('holiday"');
    expect(error.message).toContain(
      'holidays["2026-10-01"]: a day name cannot contain line breaks or control characters',
    );
  });

  it("reports a year listed twice", () => {
    const error = errorOf(() => parseCalendarData({ region: "CN", years: [2026, 2026] }));
    expect(error.issues).toEqual([{ path: "years[1]", message: "2026 is listed twice" }]);
  });
});

describe("parseCalendarOverrides", () => {
  it("accepts one document or an array of them", () => {
    expect(parseCalendarOverrides(cn2027)).toHaveLength(1);
    expect(
      parseCalendarOverrides([cn2027, { region: "HK", years: [2026] }]).map((data) => data.region),
    ).toEqual(["CN", "HK"]);
  });

  it("prefixes problems with the array index and rejects two entries for a region", () => {
    const error = errorOf(() =>
      parseCalendarOverrides([
        cn2027,
        { region: "HK", years: [2026], holidays: { "2026-13-01": "x" } },
        cn2027,
      ]),
    );
    expect(error.issues).toEqual([
      { path: '[1].holidays["2026-13-01"]', message: "not a real calendar date (YYYY-MM-DD)" },
      { path: "[2].region", message: "CN is already given at [0]: one entry per region" },
    ]);
  });

  it("parses JSON text and says when it is not JSON", () => {
    expect(parseCalendarOverridesJson(JSON.stringify(cn2027))[0]?.holidays["2027-10-01"]).toBe(
      "National Day",
    );
    const error = errorOf(() => parseCalendarOverridesJson("{ region: CN", "ssm:/settlewatch/calendars"));
    expect(error.message).toMatch(/^calendar data in ssm:\/settlewatch\/calendars is not valid JSON: /);
  });
});

describe("mergeCalendarData", () => {
  const base: CalendarData = {
    region: "CN",
    years: [2025, 2026],
    holidays: { "2025-10-01": "National Day", "2026-10-01": "National Day", "2026-10-02": "National Day" },
    workdays: { "2026-10-10": "make-up workday for National Day" },
  };

  it("replaces whole years the override lists and keeps the others", () => {
    const override = parseCalendarData({
      region: "CN",
      years: [2026, 2027],
      holidays: { "2026-10-05": "Corrected holiday", "2027-01-01": "New Year's Day" },
    });
    expect(mergeCalendarData(base, override)).toEqual({
      region: "CN",
      years: [2025, 2026, 2027],
      holidays: {
        "2025-10-01": "National Day",
        "2026-10-05": "Corrected holiday",
        "2027-01-01": "New Year's Day",
      },
      workdays: {},
    });
  });

  it("refuses to merge different regions", () => {
    expect(() => mergeCalendarData(base, parseCalendarData({ region: "HK", years: [2026] }))).toThrow(
      "cannot merge calendar data of HK over CN",
    );
  });
});
