// Builds the bundled business calendars into functions/domain/calendar/data/ (one JSON per region,
// plus index.ts), so the Lambdas read plain data instead of computing holidays at run time:
// date-holidays pulls in moment-timezone, moment and astronomia (~1.4 MB minified).
//
//   npm run calendars:build      (node bin/run-ts.js scripts/build-calendars.ts)
//
// Run it after upgrading date-holidays or chinese-days (a new chinese-days adds China's next year),
// or after changing CALENDAR_REGIONS or RULE_BASED_YEARS, and commit the data. The unit test
// test/unit/calendar/bundled-calendar-data.test.ts rebuilds the data in memory and fails while the
// committed files differ from what the installed packages produce.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import chineseDays from "chinese-days/dist/chinese-days.json" with { type: "json" };
import chineseDaysPackage from "chinese-days/package.json" with { type: "json" };
import Holidays from "date-holidays";
import dateHolidaysPackage from "date-holidays/package.json" with { type: "json" };
import {
  type EncodedCalendar,
  encodeCalendar,
  RULE_BASED_YEARS,
} from "../functions/domain/calendar/bundled-calendar-format.js";
import type { CalendarYear } from "../functions/domain/calendar/calendar-data.js";
import {
  isoDateOfEpochDay,
  MS_PER_DAY,
  parseIsoDate,
  yearOfIsoDate,
} from "../functions/domain/calendar/civil-date.js";

/**
 * The regions settlewatch bundles a calendar for. Anything else is an unknown region until a
 * deployment supplies it as a calendar override. Each entry costs ~2-3 KB of every Lambda bundle.
 *
 * Not here because date-holidays (3.37) has no calendar for it: MO (Macau).
 */
export const CALENDAR_REGIONS = [
  // Greater China: CN from chinese-days (make-up workdays included), the rest from date-holidays.
  "CN",
  "HK",
  "TW",
  // Rest of Asia
  "SG",
  "MY",
  "TH",
  "ID",
  "PH",
  "VN",
  "JP",
  "KR",
  "IN",
  // Oceania
  "AU",
  "NZ",
  // Europe. "GB" is England and Wales (see REGION_ALIASES).
  "GB",
  "GB-SCT",
  "GB-NIR",
  "IE",
  "DE",
  "FR",
  "ES",
  "IT",
  "NL",
  "CH",
  // Middle East
  "AE",
  "SA",
  // Americas
  "US",
  "US-NY",
  "CA",
  "BR",
  "MX",
] as const;

/** Where the generated files go. */
export const CALENDAR_DATA_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../functions/domain/calendar/data",
);

const REGENERATE = "npm run calendars:build";

/**
 * Region codes that mean a subdivision's calendar in date-holidays. "GB" is England and Wales:
 * the bank holidays UK payment systems (Bacs, Faster Payments, CHAPS) close on; "GB-SCT" and
 * "GB-NIR" are Scotland's and Northern Ireland's.
 */
const REGION_ALIASES: Readonly<Record<string, readonly [country: string, state?: string]>> = {
  GB: ["GB", "ENG"],
};

const CHINESE_DAYS_SOURCE = "chinese-days (State Council notices)";
const DATE_HOLIDAYS_SOURCE = "date-holidays (public and bank holidays)";

/** Holiday types of date-holidays that close businesses and banks (not "optional"/"observance"/"school"). */
const CLOSING_TYPES = new Set(["public", "bank"]);

// --- CN: chinese-days -------------------------------------------------------------------------

/** chinese-days values read "English name,中文名,N": keep the English name. */
function englishName(value: string): string {
  const name = value.split(",")[0]?.trim();
  return name ? name : value;
}

/**
 * China's calendar from chinese-days: State Council holidays and make-up workdays, for exactly the
 * years present in the package (each year appears once China publishes it).
 */
export function chineseDaysCalendar(): Map<number, CalendarYear> {
  const byYear = new Map<number, { holidays: Map<string, string>; workdays: Map<string, string> }>();
  const yearOf = (date: string) => {
    const year = yearOfIsoDate(date);
    let entry = byYear.get(year);
    if (!entry) {
      entry = { holidays: new Map(), workdays: new Map() };
      byYear.set(year, entry);
    }
    return entry;
  };
  const holidays: Record<string, string> = chineseDays.holidays;
  const workdays: Record<string, string> = chineseDays.workdays;
  for (const [date, value] of Object.entries(holidays)) {
    if (parseIsoDate(date) !== undefined) yearOf(date).holidays.set(date, englishName(value));
  }
  for (const [date, value] of Object.entries(workdays)) {
    if (parseIsoDate(date) !== undefined)
      yearOf(date).workdays.set(date, `make-up workday for ${englishName(value)}`);
  }
  return byYear;
}

// --- everything else: date-holidays --------------------------------------------------------------

let holidayCatalogue: Holidays | undefined;

function dateHolidaysTarget(region: string): readonly [country: string, state?: string] {
  const alias = REGION_ALIASES[region];
  if (alias) return alias;
  holidayCatalogue ??= new Holidays();
  const [country = "", state] = region.split("-");
  const unknown = () =>
    new RangeError(
      `date-holidays ${dateHolidaysPackage.version} has no calendar for ${region}: take it out of ` +
        "CALENDAR_REGIONS (a deployment can still supply it as a calendar override)",
    );
  if (!Object.hasOwn(holidayCatalogue.getCountries("en"), country)) throw unknown();
  if (state === undefined) return [country];
  const states = holidayCatalogue.getStates(country, "en");
  if (!states || !Object.hasOwn(states, state)) throw unknown();
  return [country, state];
}

/**
 * A region's closing days from date-holidays, for each year in RULE_BASED_YEARS (every one of
 * them is present, possibly without holidays): its "public" and "bank" holidays. Multi-day
 * entries (e.g. a 3-day Eid) are expanded; entries that start after midnight (half days such as
 * Christmas Eve from 14:00) are not days off and are left out. The previous year's entries are
 * read too, in case one runs into the year.
 */
export function dateHolidaysCalendar(region: string): Map<number, CalendarYear> {
  const [country, state] = dateHolidaysTarget(region);
  const holidays =
    state === undefined
      ? new Holidays(country, { languages: ["en"] })
      : new Holidays(country, state, { languages: ["en"] });
  // A holiday of one year may run into the next: each year reads its own list and the year before's,
  // computed once each (date-holidays evaluates its rules on every call).
  const lists = new Map<number, ReturnType<typeof holidays.getHolidays>>();
  const listOf = (year: number) => {
    const list = lists.get(year) ?? holidays.getHolidays(year, "en");
    lists.set(year, list);
    return list;
  };
  const byYear = new Map<number, CalendarYear>();
  for (let year = RULE_BASED_YEARS.first; year <= RULE_BASED_YEARS.last; year++) {
    const days = new Map<string, string>();
    for (const entry of [...listOf(year - 1), ...listOf(year)]) {
      if (!CLOSING_TYPES.has(entry.type)) continue;
      if (entry.date.slice(11, 19) !== "00:00:00") continue;
      const first = parseIsoDate(entry.date.slice(0, 10));
      if (first === undefined) continue;
      const length = Math.max(1, Math.round((entry.end.getTime() - entry.start.getTime()) / MS_PER_DAY));
      for (let day = first; day < first + length; day++) {
        const date = isoDateOfEpochDay(day);
        if (yearOfIsoDate(date) !== year) continue;
        const known = days.get(date);
        days.set(date, known && known !== entry.name ? `${known} / ${entry.name}` : entry.name);
      }
    }
    byYear.set(year, { holidays: days, workdays: new Map() });
  }
  return byYear;
}

// --- the generated files -------------------------------------------------------------------------

/** Every region's calendar in the stored format, keyed and ordered by region code. */
/** Every listed region's calendar as the packages give it (chinese-days for CN, date-holidays else). */
export function packageCalendars(): Map<string, Map<number, CalendarYear>> {
  return new Map(
    CALENDAR_REGIONS.map((region) => [
      region,
      region === "CN" ? chineseDaysCalendar() : dateHolidaysCalendar(region),
    ]),
  );
}

export function buildBundledCalendars(
  fromPackages: Map<string, Map<number, CalendarYear>> = packageCalendars(),
): Map<string, EncodedCalendar> {
  const calendars = new Map<string, EncodedCalendar>();
  for (const region of [...CALENDAR_REGIONS].sort()) {
    const fromChineseDays = region === "CN";
    const origin = fromChineseDays
      ? `chinese-days ${chineseDaysPackage.version}`
      : `date-holidays ${dateHolidaysPackage.version}`;
    const head = {
      $comment: `Generated from ${origin} by scripts/build-calendars.ts: do not edit, run ${REGENERATE}`,
      region,
      source: fromChineseDays ? CHINESE_DAYS_SOURCE : DATE_HOLIDAYS_SOURCE,
    };
    const calendar = fromPackages.get(region);
    if (!calendar) throw new Error(`no package calendar for ${region}`);
    calendars.set(region, encodeCalendar(head, calendar));
  }
  return calendars;
}

/** The file name of a region's data ("GB-SCT.json"). */
export function calendarFileName(region: string): string {
  return `${region}.json`;
}

/** data/index.ts: imports every region's JSON, typed, so the bundler inlines them. */
function renderIndex(regions: readonly string[]): string {
  const identifier = (region: string) => region.replace("-", "_");
  return [
    `// Generated by scripts/build-calendars.ts from date-holidays ${dateHolidaysPackage.version} and`,
    `// chinese-days ${chineseDaysPackage.version}: do not edit, run \`${REGENERATE}\`.`,
    'import type { EncodedCalendar } from "../bundled-calendar-format.js";',
    ...regions.map(
      (region) => `import ${identifier(region)} from "./${calendarFileName(region)}" with { type: "json" };`,
    ),
    "",
    "/** Every bundled calendar, by region code. */",
    "export const BUNDLED_CALENDARS: Readonly<Record<string, EncodedCalendar>> = {",
    ...regions.map((region) =>
      identifier(region) === region ? `  ${region},` : `  "${region}": ${identifier(region)},`,
    ),
    "};",
    "",
  ].join("\n");
}

/**
 * Writes every region's JSON and the index into `dir`, removes JSON files of regions no longer
 * listed, and formats the output with Biome (the repository's formatter, so `biome check` passes).
 * Returns the bytes of each region's data as it ends up in a bundle (JSON without whitespace).
 */
export function writeBundledCalendars(dir = CALENDAR_DATA_DIR): Map<string, number> {
  const calendars = buildBundledCalendars();
  mkdirSync(dir, { recursive: true });
  const keep = new Set([...calendars.keys()].map(calendarFileName));
  for (const file of readdirSync(dir)) {
    if (file.endsWith(".json") && !keep.has(file)) rmSync(join(dir, file));
  }
  const sizes = new Map<string, number>();
  for (const [region, calendar] of calendars) {
    writeFileSync(join(dir, calendarFileName(region)), `${JSON.stringify(calendar, null, 2)}\n`);
    sizes.set(region, Buffer.byteLength(JSON.stringify(calendar)));
  }
  writeFileSync(join(dir, "index.ts"), renderIndex([...calendars.keys()]));
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const biome = spawnSync(join(repoRoot, "node_modules/.bin/biome"), ["check", "--write", dir], {
    cwd: repoRoot,
    stdio: "inherit",
  });
  if (biome.status !== 0) throw new Error(`biome check --write ${dir} failed (exit ${biome.status})`);
  return sizes;
}

function main(): void {
  const sizes = writeBundledCalendars();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  let total = 0;
  for (const [region, bytes] of sizes) {
    console.log(`  ${region.padEnd(7)} ${kb(bytes)}`);
    total += bytes;
  }
  console.log(`${sizes.size} regions written to ${CALENDAR_DATA_DIR}: ${kb(total)} of data (minified JSON)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
