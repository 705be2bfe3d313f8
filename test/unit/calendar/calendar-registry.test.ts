import { describe, expect, it } from "vitest";
import {
  bundledCalendarData,
  chineseDaysYears,
} from "../../../functions/domain/calendar/bundled-calendars.js";
import { createBusinessCalendar } from "../../../functions/domain/calendar/business-calendar.js";
import {
  mergeCalendarData,
  parseCalendarOverrides,
} from "../../../functions/domain/calendar/calendar-data.js";
import {
  createCalendarRegistry,
  UnknownCalendarRegionError,
} from "../../../functions/domain/calendar/calendar-registry.js";

describe("createCalendarRegistry", () => {
  it("serves bundled calendars and validates region codes", () => {
    const registry = createCalendarRegistry();
    expect(registry.has("CN")).toBe(true);
    expect(registry.has("US-NY")).toBe(true);
    expect(registry.has("ZZ")).toBe(false);
    expect(registry.get("CN")).toBe(registry.get("CN"));
    expect(registry.get("CN").region).toBe("CN");
    expect(registry.overriddenRegions).toEqual([]);
  });

  it("throws a typed error for an unknown region", () => {
    const registry = createCalendarRegistry();
    expect(() => registry.get("ZZ")).toThrow(UnknownCalendarRegionError);
    try {
      registry.get("ZZ");
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownCalendarRegionError);
      expect((error as UnknownCalendarRegionError).name).toBe("UnknownCalendarRegionError");
      expect((error as UnknownCalendarRegionError).region).toBe("ZZ");
      expect((error as Error).message).toMatch(/^no business calendar for region "ZZ": /);
      // It names what is bundled (the generated list, not "any country date-holidays knows").
      expect((error as Error).message).toContain("calendars are bundled for AE, AU, ");
      expect((error as Error).message).toContain("any other region needs a calendar override");
    }
  });

  it("an override year replaces the bundled year; other years stay bundled", () => {
    const [override] = parseCalendarOverrides({
      region: "CN",
      years: [2026],
      holidays: { "2026-10-01": "National Day" },
    });
    const registry = createCalendarRegistry(override ? [override] : []);
    const cn = registry.get("CN");
    expect(registry.overriddenRegions).toEqual(["CN"]);
    expect(cn.isBusinessDay("2026-10-01")).toBe(false);
    expect(cn.isBusinessDay("2026-10-02")).toBe(true); // the bundled 2026 is gone entirely
    expect(cn.isMakeUpWorkday("2026-10-10")).toBe(false);
    expect(cn.isBusinessDay("2025-10-02")).toBe(false); // 2025 still from chinese-days
    expect(cn.holidayName("2025-10-02")).toBe("National Day");
  });

  it("an override can add the year China has just published", () => {
    const next = (chineseDaysYears().at(-1) ?? 2026) + 1;
    expect(createCalendarRegistry().get("CN").coversYear(next)).toBe(false);
    const overrides = parseCalendarOverrides([
      {
        region: "CN",
        years: [next],
        holidays: { [`${next}-10-01`]: "National Day" },
      },
    ]);
    const cn = createCalendarRegistry(overrides).get("CN");
    expect(cn.coversYear(next)).toBe(true);
    expect(cn.holidayName(`${next}-10-01`)).toBe("National Day");
    expect(cn.coversYear(2026)).toBe(true);
  });

  it("a region with no bundled calendar is exactly its override", () => {
    const registry = createCalendarRegistry(
      parseCalendarOverrides({ region: "ZZ", years: [2026], holidays: { "2026-06-01": "Founders' Day" } }),
    );
    expect(registry.has("ZZ")).toBe(true);
    const zz = registry.get("ZZ");
    expect(zz.isBusinessDay("2026-06-01")).toBe(false);
    expect(zz.coversYear(2026)).toBe(true);
    expect(zz.coversYear(2027)).toBe(false);
  });

  it("agrees day by day with mergeCalendarData over the bundled export", () => {
    const overrides = parseCalendarOverrides({
      region: "CN",
      years: [2026, 2027],
      holidays: { "2026-10-05": "Test holiday", "2027-02-08": "Spring Festival" },
      workdays: { "2027-02-06": "make-up workday" },
    });
    const viaRegistry = createCalendarRegistry(overrides).get("CN");
    const [override] = overrides;
    if (!override) throw new Error("no override");
    const viaData = createBusinessCalendar(mergeCalendarData(bundledCalendarData("CN"), override));
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 86_400_000) {
      const day = new Date(ms).toISOString().slice(0, 10);
      expect(viaRegistry.isBusinessDay(day), day).toBe(viaData.isBusinessDay(day));
      expect(viaRegistry.holidayName(day), day).toBe(viaData.holidayName(day));
      expect(viaRegistry.isMakeUpWorkday(day), day).toBe(viaData.isMakeUpWorkday(day));
    }
  });

  it("rejects two overrides for one region", () => {
    const cn = { region: "CN", years: [2026], holidays: {}, workdays: {} };
    expect(() => createCalendarRegistry([cn, cn])).toThrow("two calendar overrides for region CN");
  });
});
