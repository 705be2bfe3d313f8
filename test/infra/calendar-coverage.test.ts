import type { Stack } from "aws-cdk-lib";
import { afterEach, describe, expect, it } from "vitest";
import { BUNDLED_CALENDARS } from "../../functions/domain/calendar/data/index.js";
import { checkCalendarCoverage } from "../../infra/config/calendar-coverage.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { addSettlewatch, type SettlewatchAppOptions } from "../../infra/settlewatch-app.js";
import { stackMessages, testApp } from "./support/synth.js";

// Calendar data is checked at synth: malformed data or a calendar that does not cover the current
// year fails it; a year missing within the deployment's horizon is a warning on the API stack.
// The bundled CN calendar (chinese-days 1.5.7) ends with 2026; HK is rule-based up to 2035.

const deployments = loadDeployments();
const cn = deployments.find((d) => d.name === "cn-example");
const hk = deployments.find((d) => d.name === "hk-example");
if (!cn || !hk) throw new Error("cn-example and hk-example are expected in infra/config/deployments.ts");

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

/**
 * addSettlewatch as `cdk synth` runs it (cdk.json's flags, cdk-nag), without bundling the functions:
 * cn-example, and hk-example too where a test says the other deployment gets no warning.
 */
function synthesize(options: SettlewatchAppOptions, withHk = false) {
  const { app, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
  cleanups.push(cleanup);
  const both = [cn as NonNullable<typeof cn>, hk as NonNullable<typeof hk>];
  const stacks = addSettlewatch(app, withHk ? both : both.slice(0, 1), options);
  app.synth();
  return stacks;
}

const calendarWarnings = (stack: Stack) =>
  stackMessages(stack, "warning").filter((warning) => /calendar/.test(warning));

/** The bundled CN calendar with one year's entries replaced. */
const cnWith = (year: string, entry: unknown) => {
  const calendar = structuredClone(BUNDLED_CALENDARS.CN) as unknown as { years: Record<string, unknown> };
  calendar.years[year] = entry;
  return { ...BUNDLED_CALENDARS, CN: calendar };
};

describe("calendar coverage at synth", () => {
  it("passes in December with a warning naming CN and the missing next year (on cn-example's API stack only)", () => {
    const [cnStacks, hkStacks] = synthesize({ today: "2026-12-04" }, true);
    const warnings = calendarWarnings(cnStacks?.api ?? expect.fail("no stacks"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("calendar CN has no data for 2027");
    expect(warnings[0]).toContain("90-day horizon");
    expect(calendarWarnings(hkStacks?.api ?? expect.fail("no stacks"))).toEqual([]);
  }, 180_000);

  it("warns about nothing while the horizon stays within a covered year", () => {
    const [cnStacks] = synthesize({ today: "2026-06-01" });
    expect(calendarWarnings(cnStacks?.api ?? expect.fail("no stacks"))).toEqual([]);
  }, 180_000);

  it("fails synth when a calendar covers neither the current year nor the one before (stale data)", () => {
    const { app, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
    cleanups.push(cleanup);
    expect(() => addSettlewatch(app, [hk, cn], { today: "2028-01-02" })).toThrow(
      /deployment cn-example: calendar CN has no data for the current year 2028 nor the year before \(stale data/,
    );
  });

  it("only warns in early January before the package ships the new year (deploys are not blocked)", () => {
    const [cnStacks] = synthesize({ today: "2027-01-02" });
    const warnings = calendarWarnings(cnStacks?.api ?? expect.fail("no stacks"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("calendar CN has no data for 2027");
  }, 180_000);

  it("fails synth on malformed calendar data, naming the calendar and the entry", () => {
    const { app, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
    cleanups.push(cleanup);
    const calendars = cnWith("2026", { h: { "02-30": 0, "10-01": 9999 } });
    expect(() => addSettlewatch(app, [cn], { today: "2026-06-01", calendars })).toThrow(
      "calendar CN: years.2026.h.02-30: 2026-02-30 is not a date",
    );
  });
});

describe("checkCalendarCoverage", () => {
  it("reports each malformed entry: impossible dates, unknown name indexes, odd year keys, extra fields", () => {
    const calendars = {
      ...cnWith("2026", { h: { "2026-01-01": 0, "02-29": 1, "10-01": 9999 }, x: {} }),
    };
    (calendars.CN as unknown as { years: Record<string, unknown> }).years["26"] = { h: {} };
    const { errors } = checkCalendarCoverage(cn, { today: "2026-06-01", calendars });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("calendar CN: years.26"),
        expect.stringContaining("years.2026: Unrecognized key"),
      ]),
    );
    const dates = checkCalendarCoverage(cn, {
      today: "2026-06-01",
      calendars: cnWith("2026", { h: { "2026-01-01": 0, "02-29": 1, "10-01": 9999 } }),
    }).errors;
    expect(dates).toEqual([
      "deployment cn-example: calendar CN: years.2026.h.2026-01-01: 2026-2026-01-01 is not a date",
      "deployment cn-example: calendar CN: years.2026.h.02-29: 2026-02-29 is not a date",
      `deployment cn-example: calendar CN: years.2026.h.10-01: name #9999 does not exist (${BUNDLED_CALENDARS.CN?.names.length} names)`,
    ]);
  });

  it("accepts every bundled calendar as it is (the data npm run calendars:build writes)", () => {
    for (const region of Object.keys(BUNDLED_CALENDARS)) {
      const deployment = { ...hk, defaultMerchantTerms: { ...hk.defaultMerchantTerms, calendar: region } };
      expect(checkCalendarCoverage(deployment, { today: "2026-06-01" }), region).toEqual({
        errors: [],
        warnings: [],
      });
    }
  });

  it("warns for a calendar that is not bundled (only an override can supply it)", () => {
    const deployment = { ...hk, defaultMerchantTerms: { ...hk.defaultMerchantTerms, calendar: "MO" } };
    const { errors, warnings } = checkCalendarCoverage(deployment, { today: "2026-06-01" });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining("no calendar is bundled for MO")]);
  });

  it("counts the horizon in days: 14 days before the new year reaches it, 15 does not with a 14-day horizon", () => {
    const short = { ...cn, calendarCheck: { ...cn.calendarCheck, horizonDays: 14 } };
    expect(checkCalendarCoverage(short, { today: "2026-12-17" }).warnings).toHaveLength(0);
    expect(checkCalendarCoverage(short, { today: "2026-12-18" }).warnings).toEqual([
      expect.stringContaining("no data for 2027, within the 14-day horizon"),
    ]);
  });
});
