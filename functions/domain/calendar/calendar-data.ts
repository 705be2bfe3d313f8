import * as z from "zod";
import {
  isWeekendEpochDay,
  parseIsoDate,
  weekdayName,
  weekdayOfEpochDay,
  yearOfIsoDate,
} from "./civil-date.js";

// Calendars are data: a bundled default per region (built from chinese-days / date-holidays) that
// a deployment can override, year by year, with a JSON document of this shape - without a deploy.

/** A calendar region: an ISO 3166-1 country code, optionally with a subdivision ("CN", "US-NY", "GB-SCT"). */
export const calendarRegionSchema = z
  .string()
  .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'expected a region code such as "CN", "HK", "US" or "GB-SCT"');

/** Oldest and newest year a calendar document may describe. */
export const CALENDAR_YEAR_RANGE = { first: 1970, last: 2200 } as const;

// Names end up inside the one-line explanation of an expected arrival: no line breaks or other
// control characters.
const dayNameSchema = z
  .string()
  .trim()
  .min(1, 'a day needs a name, e.g. "National Day"')
  .max(100, "a day name is at most 100 characters")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, "a day name cannot contain line breaks or control characters");

/**
 * The JSON shape of one region's calendar data (bundled default or deployment override).
 *
 * - `years`: the years this document covers completely. A covered year's business days are the
 *   weekdays that are not in `holidays`, plus the weekend days in `workdays`.
 * - `holidays`: "YYYY-MM-DD" -> name, for days off (a holiday on a weekend may be listed too).
 * - `workdays`: "YYYY-MM-DD" -> name, for weekend days that are worked (China's make-up workdays, 调休).
 * - `source`: optional free text saying where the data comes from (a notice, a package version).
 *
 * Every date must be a real date in one of `years`; a date cannot be both a holiday and a workday.
 */
export const calendarDataSchema = z
  .strictObject({
    region: calendarRegionSchema,
    years: z
      .array(
        z
          .number()
          .int("a year is a whole number")
          .min(CALENDAR_YEAR_RANGE.first, `years before ${CALENDAR_YEAR_RANGE.first} are not supported`)
          .max(CALENDAR_YEAR_RANGE.last, `years after ${CALENDAR_YEAR_RANGE.last} are not supported`),
      )
      .min(1, "list at least one year the data covers"),
    holidays: z.record(z.string(), dayNameSchema).default({}),
    workdays: z.record(z.string(), dayNameSchema).default({}),
    source: z.string().max(200).optional(),
  })
  .superRefine((data, ctx) => {
    const years = new Set<number>();
    data.years.forEach((year, index) => {
      if (years.has(year))
        ctx.addIssue({ code: "custom", path: ["years", index], message: `${year} is listed twice` });
      years.add(year);
    });
    for (const field of ["holidays", "workdays"] as const) {
      for (const date of Object.keys(data[field])) {
        const epochDay = parseIsoDate(date);
        if (epochDay === undefined) {
          ctx.addIssue({
            code: "custom",
            path: [field, date],
            message: "not a real calendar date (YYYY-MM-DD)",
          });
          continue;
        }
        const year = yearOfIsoDate(date);
        if (!years.has(year)) {
          ctx.addIssue({
            code: "custom",
            path: [field, date],
            message: `${year} is not one of "years" (${data.years.join(", ")}): add it there or remove the date`,
          });
        }
        if (field === "workdays") {
          if (!isWeekendEpochDay(epochDay)) {
            ctx.addIssue({
              code: "custom",
              path: [field, date],
              message: `is a ${weekdayName(weekdayOfEpochDay(epochDay))}; "workdays" lists only weekend days that are worked (make-up workdays)`,
            });
          }
          if (Object.hasOwn(data.holidays, date)) {
            ctx.addIssue({
              code: "custom",
              path: [field, date],
              message: 'is also listed in "holidays": a day is either off or worked',
            });
          }
        }
      }
    }
  });

/** Calendar data after validation (holidays and workdays always present). */
export type CalendarData = z.output<typeof calendarDataSchema>;
/** Calendar data as written in JSON (holidays/workdays may be omitted). */
export type CalendarDataInput = z.input<typeof calendarDataSchema>;

/** One problem found in calendar data: where (e.g. `holidays["2026-02-30"]`) and what. */
export interface CalendarDataIssue {
  path: string;
  message: string;
}

/** Calendar data that cannot be used. The message names every offending field or date. */
export class CalendarDataError extends Error {
  override name = "CalendarDataError";
  constructor(
    message: string,
    readonly issues: readonly CalendarDataIssue[] = [],
  ) {
    super(message);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment))
      out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || "(root)";
}

function toError(error: z.ZodError, origin: string, prefix: readonly PropertyKey[] = []): CalendarDataError {
  const issues = error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
  const listed = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  return new CalendarDataError(`invalid calendar data${origin ? ` in ${origin}` : ""}: ${listed}`, issues);
}

/**
 * Validates one region's calendar data (an already-parsed JSON value).
 *
 * @param origin where the data came from, for the error message (a file name or SSM parameter).
 * @throws CalendarDataError naming each bad field or date, e.g.
 *   `holidays["2026-02-30"]: not a real calendar date (YYYY-MM-DD)`.
 */
export function parseCalendarData(input: unknown, origin = ""): CalendarData {
  const result = calendarDataSchema.safeParse(input);
  if (!result.success) throw toError(result.error, origin);
  return result.data;
}

/**
 * Validates a deployment's calendar overrides: one region's data or an array of them (at most one
 * entry per region).
 *
 * @throws CalendarDataError naming each bad field or date, prefixed with the array index.
 */
export function parseCalendarOverrides(input: unknown, origin = ""): CalendarData[] {
  const list = Array.isArray(input) ? input : [input];
  const parsed: CalendarData[] = [];
  const issues: CalendarDataIssue[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, index) => {
    const result = calendarDataSchema.safeParse(entry);
    if (!result.success) {
      issues.push(...toError(result.error, "", Array.isArray(input) ? [index] : []).issues);
      return;
    }
    const first = seen.get(result.data.region);
    if (first !== undefined) {
      issues.push({
        path: `[${index}].region`,
        message: `${result.data.region} is already given at [${first}]: one entry per region`,
      });
      return;
    }
    seen.set(result.data.region, index);
    parsed.push(result.data);
  });
  if (issues.length > 0) {
    const listed = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    throw new CalendarDataError(`invalid calendar data${origin ? ` in ${origin}` : ""}: ${listed}`, issues);
  }
  return parsed;
}

/**
 * Parses calendar overrides from JSON text (the content of a file or an SSM parameter).
 *
 * @throws CalendarDataError when the text is not JSON or the data is invalid.
 */
export function parseCalendarOverridesJson(text: string, origin = ""): CalendarData[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CalendarDataError(`calendar data${origin ? ` in ${origin}` : ""} is not valid JSON: ${reason}`);
  }
  return parseCalendarOverrides(value, origin);
}

/** One year of a calendar: its holidays and make-up workdays, by "YYYY-MM-DD". */
export interface CalendarYear {
  readonly holidays: ReadonlyMap<string, string>;
  readonly workdays: ReadonlyMap<string, string>;
}

/** Splits calendar data into its years (every listed year is present, possibly empty). */
export function calendarYearsOf(data: CalendarData): Map<number, CalendarYear> {
  const years = new Map<number, { holidays: Map<string, string>; workdays: Map<string, string> }>();
  for (const year of data.years) years.set(year, { holidays: new Map(), workdays: new Map() });
  for (const [date, name] of Object.entries(data.holidays))
    years.get(yearOfIsoDate(date))?.holidays.set(date, name);
  for (const [date, name] of Object.entries(data.workdays))
    years.get(yearOfIsoDate(date))?.workdays.set(date, name);
  return years;
}

/**
 * Lays an override over a base calendar of the same region: every year the override lists
 * replaces that year of the base entirely (its holidays and workdays); the base's other years stay.
 *
 * @throws CalendarDataError if the regions differ.
 */
export function mergeCalendarData(base: CalendarData, override: CalendarData): CalendarData {
  if (base.region !== override.region) {
    throw new CalendarDataError(`cannot merge calendar data of ${override.region} over ${base.region}`);
  }
  const replaced = new Set(override.years);
  const keep = (entries: Record<string, string>) =>
    Object.fromEntries(Object.entries(entries).filter(([date]) => !replaced.has(yearOfIsoDate(date))));
  const merged: CalendarData = {
    region: base.region,
    years: [...new Set([...base.years, ...override.years])].sort((a, b) => a - b),
    holidays: sortByDate({ ...keep(base.holidays), ...override.holidays }),
    workdays: sortByDate({ ...keep(base.workdays), ...override.workdays }),
  };
  const source = [base.source, override.source].filter((text): text is string => Boolean(text)).join(" + ");
  if (source) merged.source = source.slice(0, 200);
  return merged;
}

function sortByDate(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
