import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import {
  decodeCalendarYear,
  type EncodedCalendar,
  encodeCalendar,
} from "../../../functions/domain/calendar/bundled-calendar-format.js";
import {
  bundledCalendarData,
  bundledCalendarRegions,
} from "../../../functions/domain/calendar/bundled-calendars.js";
import type { CalendarYear } from "../../../functions/domain/calendar/calendar-data.js";
import { parseCalendarData } from "../../../functions/domain/calendar/calendar-data.js";
import { BUNDLED_CALENDARS } from "../../../functions/domain/calendar/data/index.js";
import {
  buildBundledCalendars,
  CALENDAR_DATA_DIR,
  CALENDAR_REGIONS,
  calendarFileName,
  packageCalendars,
} from "../../../scripts/build-calendars.js";

const STALE =
  "functions/domain/calendar/data/ is out of date with the installed date-holidays/chinese-days " +
  "(or with CALENDAR_REGIONS in scripts/build-calendars.ts): run `npm run calendars:build` and commit the result";

// The packages' calendars, computed once for both suites below (seconds: date-holidays evaluates
// its rules for every region and year).
const fromPackages = packageCalendars();

// The committed files as the Lambdas see them, compared as plain JSON values.
const committed = (region: string): unknown => JSON.parse(JSON.stringify(BUNDLED_CALENDARS[region] ?? null));

describe("generated calendar data (functions/domain/calendar/data)", () => {
  const fresh: Map<string, EncodedCalendar> = buildBundledCalendars(fromPackages);

  it("equals what date-holidays and chinese-days produce now (else run `npm run calendars:build`)", () => {
    expect(bundledCalendarRegions(), STALE).toEqual([...fresh.keys()].sort());
    for (const [region, calendar] of fresh) {
      expect(committed(region), `${region}: ${STALE}`).toEqual(calendar);
    }
  });

  it("holds one JSON file per listed region and the index, nothing stale", () => {
    const expected = [...CALENDAR_REGIONS.map(calendarFileName), "index.ts"].sort();
    expect(readdirSync(CALENDAR_DATA_DIR).sort(), STALE).toEqual(expected);
  });

  it("says in every file that it is generated and how to regenerate it", () => {
    for (const region of bundledCalendarRegions()) {
      expect(BUNDLED_CALENDARS[region]?.$comment, region).toContain("npm run calendars:build");
    }
  });
});

describe("bundled calendars decode to the package data", () => {
  const sameYear = (year: CalendarYear | undefined) =>
    year && { holidays: [...year.holidays].sort(), workdays: [...year.workdays].sort() };

  it("every region, every year, day by day and name by name", () => {
    for (const region of CALENDAR_REGIONS) {
      const expected = fromPackages.get(region);
      if (!expected) throw new Error(`no package calendar for ${region}`);
      const data = bundledCalendarData(region);
      expect(data.years, region).toEqual([...expected.keys()].sort((a, b) => a - b));
      for (const [year, days] of expected) {
        const calendar = BUNDLED_CALENDARS[region];
        if (!calendar) throw new Error(`${region} is not bundled`);
        expect(sameYear(decodeCalendarYear(calendar, year)), `${region} ${year}`).toEqual(sameYear(days));
      }
    }
  });

  it("every region's export is valid override data as it stands", () => {
    for (const region of bundledCalendarRegions()) {
      const data = bundledCalendarData(region);
      expect(parseCalendarData(data, region), region).toEqual(data);
    }
  });
});

describe("bundled calendar format", () => {
  const year = (holidays: Record<string, string>, workdays: Record<string, string> = {}): CalendarYear => ({
    holidays: new Map(Object.entries(holidays)),
    workdays: new Map(Object.entries(workdays)),
  });
  const head = { $comment: "test", region: "ZZ", source: "test" };

  it("round-trips, numbering each name once and omitting empty workdays", () => {
    const years = new Map([
      [2026, year({ "2026-12-25": "Christmas Day", "2026-01-01": "New Year" }, { "2026-02-14": "make-up" })],
      [2027, year({ "2027-01-01": "New Year" })],
      [2028, year({})],
    ]);
    const encoded = encodeCalendar(head, years);
    expect(encoded).toEqual({
      ...head,
      names: ["New Year", "Christmas Day", "make-up"],
      years: {
        "2026": { h: { "01-01": 0, "12-25": 1 }, w: { "02-14": 2 } },
        "2027": { h: { "01-01": 0 } },
        "2028": { h: {} },
      },
    });
    for (const [number, days] of years) expect(decodeCalendarYear(encoded, number)).toEqual(days);
    expect(decodeCalendarYear(encoded, 2029)).toBeUndefined();
    expect(decodeCalendarYear(encoded, Number.NaN)).toBeUndefined();
  });

  it("refuses a date outside its year", () => {
    expect(() => encodeCalendar(head, new Map([[2026, year({ "2027-01-01": "New Year" })]]))).toThrow(
      "ZZ: 2027-01-01 is not in 2026",
    );
  });
});

describe("what the Lambdas load", () => {
  it("the calendar registry bundles without date-holidays, chinese-days, moment or astronomia", async () => {
    const entry = fileURLToPath(
      new URL("../../../functions/domain/calendar/calendar-registry.ts", import.meta.url),
    );
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      logLevel: "silent",
    });
    const packages = new Set(
      Object.keys(result.metafile.inputs).flatMap(
        (file) => file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? [],
      ),
    );
    expect([...packages].sort()).toEqual(["zod"]);
  });
});
