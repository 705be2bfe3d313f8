import { IANAZone } from "luxon";

// Local wall-clock arithmetic for notices and file expectations: what a merchant's clock reads at
// an instant, and when it next reads a given time. Pure: instants come in as parameters.

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date on a local wall clock (month 1-12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A local wall-clock date and time, to the minute. */
export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
}

/** The time zone name is not in this runtime's tz database. */
export class UnknownZoneError extends RangeError {
  override name = "UnknownZoneError";
  constructor(readonly timeZone: string) {
    super(`not an IANA time zone: ${JSON.stringify(timeZone)} (e.g. Asia/Shanghai)`);
  }
}

const zones = new Map<string, IANAZone>();

function zone(timeZone: string): IANAZone {
  let found = zones.get(timeZone);
  if (!found) {
    if (!IANAZone.isValidZone(timeZone)) throw new UnknownZoneError(timeZone);
    found = IANAZone.create(timeZone);
    zones.set(timeZone, found);
  }
  return found;
}

/** UTC offset of the zone at an instant, in minutes (480 for Asia/Shanghai). */
export function offsetMinutes(instantMs: number, timeZone: string): number {
  return zone(timeZone).offset(instantMs);
}

/** What a wall clock in `timeZone` reads at an instant (seconds dropped). */
export function localDateTime(instantMs: number, timeZone: string): LocalDateTime {
  const wall = new Date(instantMs + offsetMinutes(instantMs, timeZone) * MS_PER_MINUTE);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
  };
}

/** Minutes since local midnight of a strict 24-hour "HH:MM". @throws RangeError */
export function minuteOfDay(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) throw new RangeError(`expected "HH:MM" (24-hour), got ${JSON.stringify(hhmm)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** A strict "YYYY-MM-DD" as a local date. @throws RangeError */
export function parseLocalDate(isoDate: string): LocalDate {
  const match = ISO_DATE.exec(isoDate);
  const date = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
  if (!date || formatLocalDate(addDays(date, 0)) !== isoDate) {
    throw new RangeError(`expected a real date "YYYY-MM-DD", got ${JSON.stringify(isoDate)}`);
  }
  return date;
}

/** "YYYY-MM-DD" */
export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, "0")}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}

/** The local date `days` later (or earlier when negative). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * MS_PER_DAY);
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/**
 * Every instant at which the wall clock in `timeZone` reads `minute` (minutes since midnight) on
 * `date`, earliest first:
 * - one instant normally;
 * - two when clocks go back and the time occurs twice;
 * - when clocks go forward over it (the time never shows), the one instant the clock jumps past
 *   it: the transition itself. From that instant on the clock reads later than `minute`, which is
 *   what "from HH:MM on" means. (luxon would move the time forward by the gap length instead.)
 *
 * Assumes at most one offset change within a day either side, true of the tz database.
 */
export function instantsAt(date: LocalDate, minute: number, timeZone: string): number[] {
  const wallMs = Date.UTC(date.year, date.month - 1, date.day) + minute * MS_PER_MINUTE;
  const before = offsetMinutes(wallMs - MS_PER_DAY, timeZone);
  const after = offsetMinutes(wallMs + MS_PER_DAY, timeZone);
  const found: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wallMs - offset * MS_PER_MINUTE;
    if (offsetMinutes(instant, timeZone) === offset) found.push(instant);
  }
  if (found.length > 0) return found.sort((a, b) => a - b);
  // In a gap: read with the offset after the change, the instant is before the change; read with
  // the offset before it, after. Bisect between them for the change itself.
  let low = wallMs - after * MS_PER_MINUTE;
  let high = wallMs - before * MS_PER_MINUTE;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetMinutes(middle, timeZone) === after) high = middle;
    else low = middle;
  }
  return [high];
}

/** The first instant at which the wall clock reads `minute` on `date` (see {@link instantsAt}). */
export function firstInstantAt(date: LocalDate, minute: number, timeZone: string): number {
  const [first] = instantsAt(date, minute, timeZone);
  if (first === undefined) throw new Error("unreachable: instantsAt always finds an instant");
  return first;
}
