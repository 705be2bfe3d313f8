import { describe, expect, it } from "vitest";
import {
  bundledCalendarData,
  bundledCalendarSource,
  chineseDaysYears,
  hasBundledCalendar,
  RULE_BASED_YEARS,
} from "../../../functions/domain/calendar/bundled-calendars.js";
import { createBusinessCalendar } from "../../../functions/domain/calendar/business-calendar.js";
import { parseCalendarData } from "../../../functions/domain/calendar/calendar-data.js";

const bundled = (region: string) => createBusinessCalendar(bundledCalendarSource(region));

function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms <= Date.parse(`${last}T00:00:00Z`); ms += 86_400_000) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

describe("weekends", () => {
  const plain = createBusinessCalendar(parseCalendarData({ region: "ZZ", years: [2026] }));

  it("Saturday and Sunday are not business days, weekdays are", () => {
    expect(plain.isBusinessDay("2026-03-06")).toBe(true); // Friday
    expect(plain.isBusinessDay("2026-03-07")).toBe(false); // Saturday
    expect(plain.isBusinessDay("2026-03-08")).toBe(false); // Sunday
    expect(plain.isBusinessDay("2026-03-09")).toBe(true); // Monday
    expect(plain.holidayName("2026-03-07")).toBeUndefined();
  });

  it("rejects a string that is not a date", () => {
    expect(() => plain.isBusinessDay("2026-13-01")).toThrow(RangeError);
    expect(() => plain.holidayName("30/09/2026")).toThrow(
      'not a real calendar date (YYYY-MM-DD): "30/09/2026"',
    );
  });

  it("knows the years it covers; an uncovered year has weekends only", () => {
    const calendar = createBusinessCalendar(
      parseCalendarData({ region: "ZZ", years: [2026], holidays: { "2026-12-25": "Christmas Day" } }),
    );
    expect(calendar.coversYear(2026)).toBe(true);
    expect(calendar.coversYear(2027)).toBe(false);
    expect(calendar.isBusinessDay("2026-12-25")).toBe(false);
    expect(calendar.isBusinessDay("2027-12-24")).toBe(true); // Friday, no data
    expect(calendar.isBusinessDay("2027-12-25")).toBe(false); // Saturday
  });
});

describe("CN (chinese-days)", () => {
  const cn = bundled("CN");

  it("covers the years in the package data, 2026 included, and nothing after", () => {
    const years = chineseDaysYears();
    expect(years[0]).toBe(2004);
    expect(years).toContain(2026);
    const last = years.at(-1) ?? 0;
    expect(cn.coversYear(2026)).toBe(true);
    expect(cn.coversYear(last)).toBe(true);
    expect(cn.coversYear(last + 1)).toBe(false);
  });

  it("Golden Week 2026: 1-7 Oct off, Sunday 20 Sep and Saturday 10 Oct worked", () => {
    for (const day of daysBetween("2026-10-01", "2026-10-07")) {
      expect(cn.isBusinessDay(day), day).toBe(false);
      expect(cn.holidayName(day), day).toBe("National Day");
    }
    expect(cn.isBusinessDay("2026-09-30")).toBe(true);
    expect(cn.isBusinessDay("2026-10-08")).toBe(true);
    expect(cn.isBusinessDay("2026-10-09")).toBe(true);
    for (const day of ["2026-09-20", "2026-10-10"]) {
      expect(cn.isBusinessDay(day), day).toBe(true);
      expect(cn.isMakeUpWorkday(day), day).toBe(true);
      expect(cn.holidayName(day), day).toBeUndefined();
    }
    expect(cn.isBusinessDay("2026-10-11")).toBe(false); // an ordinary Sunday
    expect(cn.isMakeUpWorkday("2026-10-11")).toBe(false);
  });

  it("Mid-Autumn 2026 is 25-27 Sep", () => {
    expect(daysBetween("2026-09-24", "2026-09-28").map((day) => cn.holidayName(day) ?? "-")).toEqual([
      "-",
      "Mid-autumn Festival",
      "Mid-autumn Festival",
      "Mid-autumn Festival",
      "-",
    ]);
  });

  it("Spring Festival 2026: 15-23 Feb off, Saturdays 14 and 28 Feb worked", () => {
    for (const day of daysBetween("2026-02-15", "2026-02-23")) {
      expect(cn.isBusinessDay(day), day).toBe(false);
      expect(cn.holidayName(day), day).toBe("Spring Festival");
    }
    expect(cn.isMakeUpWorkday("2026-02-14")).toBe(true);
    expect(cn.isMakeUpWorkday("2026-02-28")).toBe(true);
    expect(cn.isBusinessDay("2026-02-14")).toBe(true);
    expect(cn.isBusinessDay("2026-02-24")).toBe(true);
  });

  it("exports its bundled data in the override shape", () => {
    const data = bundledCalendarData("CN", [2026]);
    expect(data.years).toEqual([2026]);
    expect(data.holidays["2026-10-01"]).toBe("National Day");
    expect(data.workdays).toEqual({
      "2026-01-04": "make-up workday for New Year's Day",
      "2026-02-14": "make-up workday for Spring Festival",
      "2026-02-28": "make-up workday for Spring Festival",
      "2026-05-09": "make-up workday for Labour Day",
      "2026-09-20": "make-up workday for National Day",
      "2026-10-10": "make-up workday for National Day",
    });
    // The export is valid override data as it stands.
    expect(parseCalendarData(data)).toEqual(data);
  });
});

describe("date-holidays regions", () => {
  it("HK: National Day, HKSAR Establishment Day, Lunar New Year, Christmas", () => {
    const hk = bundled("HK");
    expect(hk.holidayName("2026-10-01")).toBe("National Day");
    expect(hk.holidayName("2026-07-01")).toBe("Hong Kong Special Administrative Region Establishment Day");
    expect(hk.holidayName("2026-02-17")).toBe("Lunar New Year’s Day");
    expect(hk.holidayName("2026-12-25")).toBe("Christmas Day");
    expect(hk.isBusinessDay("2026-10-02")).toBe(true);
  });

  it("SG: National Day on a Sunday is observed on the Monday", () => {
    const sg = bundled("SG");
    expect(sg.holidayName("2026-08-09")).toBe("National Day");
    expect(sg.holidayName("2026-08-10")).toBe("National Day (substitute day)");
    expect(sg.isBusinessDay("2026-08-10")).toBe(false);
    expect(sg.holidayName("2026-12-25")).toBe("Christmas Day");
  });

  it("GB is England and Wales; GB-SCT is Scotland", () => {
    const gb = bundled("GB");
    expect(gb.holidayName("2026-12-25")).toBe("Christmas Day");
    expect(gb.holidayName("2026-12-28")).toBe("Boxing Day (substitute day)");
    expect(gb.holidayName("2026-08-31")).toBe("Summer bank holiday");
    const scotland = bundled("GB-SCT");
    expect(scotland.holidayName("2026-08-31")).toBeUndefined();
    expect(scotland.holidayName("2026-08-03")).toBe("Summer bank holiday");
    expect(scotland.holidayName("2026-11-30")).toBe("St Andrew’s Day");
  });

  it("US: federal holidays are off; observances are business days", () => {
    const us = bundled("US");
    expect(us.holidayName("2026-07-04")).toBe("Independence Day");
    expect(us.holidayName("2026-07-03")).toBe("Independence Day (substitute day)");
    expect(us.holidayName("2026-11-26")).toBe("Thanksgiving Day");
    expect(us.holidayName("2026-12-25")).toBe("Christmas Day");
    expect(us.isBusinessDay("2026-11-27")).toBe(true); // day after Thanksgiving: an observance
    expect(us.isBusinessDay("2026-02-14")).toBe(false); // Valentine's Day is a Saturday anyway
    expect(us.holidayName("2026-02-14")).toBeUndefined();
  });

  it("leaves out half days and expands multi-day holidays", () => {
    expect(bundled("DE").isBusinessDay("2026-12-24")).toBe(true); // Christmas Eve from 14:00
    const ae = bundled("AE");
    expect(daysBetween("2026-03-20", "2026-03-22").map((day) => ae.holidayName(day))).toEqual([
      "End of Ramadan (Eid al-Fitr)",
      "End of Ramadan (Eid al-Fitr)",
      "End of Ramadan (Eid al-Fitr)",
    ]);
  });

  it(`counts ${RULE_BASED_YEARS.first}-${RULE_BASED_YEARS.last} as covered`, () => {
    const us = bundled("US");
    expect(us.coversYear(RULE_BASED_YEARS.first)).toBe(true);
    expect(us.coversYear(RULE_BASED_YEARS.last)).toBe(true);
    expect(us.coversYear(RULE_BASED_YEARS.last + 1)).toBe(false);
    expect(us.coversYear(RULE_BASED_YEARS.first - 1)).toBe(false);
  });

  it("knows which regions are bundled", () => {
    for (const region of ["CN", "HK", "SG", "GB", "US", "US-NY", "GB-SCT", "DE"]) {
      expect(hasBundledCalendar(region), region).toBe(true);
    }
    for (const region of ["ZZ", "CN-BJ", "US-XX", "cn"])
      expect(hasBundledCalendar(region), region).toBe(false);
  });
});
