import * as z from "zod";
import { BUNDLED_CALENDARS } from "../../functions/domain/calendar/data/index.js";
import type { Deployment } from "./deployment-schema.js";

// The holiday calendars a deployment is configured with are checked at synth, against the data the
// functions bundle (functions/domain/calendar/data/, written by `npm run calendars:build`):
// - malformed data (a date that does not exist, a name index out of range, a year key that is not a
//   year) fails synth, naming the calendar and the entry;
// - a calendar that covers neither the current year nor the one before fails synth: its data is
//   stale, every due date would be a weekends-only guess;
// - a year from the current one to the end of the deployment's horizon (calendarCheck.horizonDays)
//   that is not covered yet is a warning, not an error (so a deploy in early January, before the
//   package ships the year, is not blocked): China publishes next year's holidays in the autumn and chinese-days ships
//   them later still. At run time the calendar check holds the payments that depend on it and
//   raises the `settlewatch-<deployment>-calendar-horizon` alarm (docs/deploy.md, "Yearly calendar
//   routine"), so deploying in the meantime is safe.

const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/** True when "MM-DD" is a real day of `year` (02-29 only in leap years). */
function isDayOfYear(monthDay: string, year: number): boolean {
  const match = MONTH_DAY.exec(monthDay);
  if (!match) return false;
  const [month, day] = [Number(match[1]), Number(match[2])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const daysSchema = z.record(z.string(), z.number().int().min(0));

/** One region's bundled calendar (bundled-calendar-format.ts's EncodedCalendar), with its invariants. */
export const encodedCalendarSchema = z
  .strictObject({
    $comment: z.string(),
    region: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/),
    source: z.string().min(1),
    names: z.array(z.string().min(1)),
    years: z.record(
      z.string().regex(/^(19|20|21)\d{2}$/, "a year key is a 4-digit year"),
      z.strictObject({ h: daysSchema, w: daysSchema.optional() }),
    ),
  })
  .superRefine((calendar, ctx) => {
    for (const [year, entry] of Object.entries(calendar.years)) {
      for (const [kind, days] of [
        ["h", entry.h],
        ["w", entry.w ?? {}],
      ] as const) {
        for (const [monthDay, nameIndex] of Object.entries(days)) {
          if (!isDayOfYear(monthDay, Number(year)))
            ctx.addIssue({
              code: "custom",
              path: ["years", year, kind, monthDay],
              message: `${year}-${monthDay} is not a date`,
            });
          if (nameIndex >= calendar.names.length)
            ctx.addIssue({
              code: "custom",
              path: ["years", year, kind, monthDay],
              message: `name #${nameIndex} does not exist (${calendar.names.length} names)`,
            });
        }
      }
    }
  });

export interface CalendarCoverage {
  /** Problems that fail synth (malformed data, current year not covered). */
  readonly errors: string[];
  /** Years within the horizon not covered yet, or calendars only an override can supply. */
  readonly warnings: string[];
}

export interface CalendarCoverageOptions {
  /** Today as "YYYY-MM-DD" (UTC). */
  readonly today: string;
  /** The bundled calendars by region (tests pass their own). @default BUNDLED_CALENDARS */
  readonly calendars?: Readonly<Record<string, unknown>>;
}

/** The calendars a deployment is configured with (today: its default merchant terms' calendar). */
export function configuredCalendars(deployment: Pick<Deployment, "defaultMerchantTerms">): string[] {
  return [deployment.defaultMerchantTerms.calendar];
}

/** Checks each configured calendar of a deployment: well formed, covering this year and the horizon. */
export function checkCalendarCoverage(
  deployment: Pick<
    Deployment,
    "name" | "defaultMerchantTerms" | "calendarCheck" | "calendarOverridesParameter"
  >,
  options: CalendarCoverageOptions,
): CalendarCoverage {
  const calendars = options.calendars ?? BUNDLED_CALENDARS;
  const errors: string[] = [];
  const warnings: string[] = [];
  const place = `deployment ${deployment.name}`;
  for (const region of configuredCalendars(deployment)) {
    if (!Object.hasOwn(calendars, region)) {
      warnings.push(
        `${place}: no calendar is bundled for ${region}; it must come from the calendar override parameter ${deployment.calendarOverridesParameter}, or payments using it are held`,
      );
      continue;
    }
    const parsed = encodedCalendarSchema.safeParse(calendars[region]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push(`${place}: calendar ${region}: ${issue.path.join(".")}: ${issue.message}`);
      continue;
    }
    if (parsed.data.region !== region)
      errors.push(`${place}: calendar ${region}: the data is for region ${parsed.data.region}`);
    const covered = new Set(Object.keys(parsed.data.years).map(Number));
    const [first, last] = horizonYears(options.today, deployment.calendarCheck.horizonDays);
    if (!covered.has(first) && !covered.has(first - 1))
      errors.push(
        `${place}: calendar ${region} has no data for the current year ${first} nor the year before (stale data: upgrade its source package and run npm run calendars:build)`,
      );
    for (let year = covered.has(first) ? first + 1 : first; year <= last; year += 1)
      if (!covered.has(year))
        warnings.push(
          `${place}: calendar ${region} has no data for ${year}, within the ${deployment.calendarCheck.horizonDays}-day horizon: payments due in ${year} are held and the calendar-horizon alarm fires until the year is loaded (docs/deploy.md, "Yearly calendar routine")`,
        );
  }
  return { errors, warnings };
}

/** The first and last year of [today, today + horizonDays]. */
function horizonYears(today: string, horizonDays: number): [number, number] {
  const start = new Date(`${today}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || !/^\d{4}-\d{2}-\d{2}$/.test(today))
    throw new RangeError(`today must be a date (YYYY-MM-DD), not ${today}`);
  const end = new Date(start.getTime() + horizonDays * 86_400_000);
  return [start.getUTCFullYear(), end.getUTCFullYear()];
}
