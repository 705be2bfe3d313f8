import { IANAZone } from "luxon";
import { MS_PER_DAY } from "../calendar/civil-date.js";

// UTC offsets of an IANA zone, cached per UTC day, so the expected-arrival hot path does not call
// Intl (through luxon) for every payment.
//
// The cache stores, for each UTC day, either the one offset in force all day or the single
// transition inside it (found by bisection to the millisecond, once). That is exact as long as a
// zone changes its offset at most once per UTC day, which holds for every zone in the tz database
// since 1970 (transitions are months apart). Answers are compared with luxon across many zones in
// test/unit/arrival/zone-offsets.test.ts.

interface Transition {
  /** First UTC millisecond with the new offset. */
  at: number;
  before: number;
  after: number;
}

/** No such IANA time zone in this runtime's tz database. */
export class UnknownTimeZoneError extends Error {
  override name = "UnknownTimeZoneError";
  constructor(readonly timeZone: string) {
    super(`not an IANA time zone: ${JSON.stringify(timeZone)} (e.g. Asia/Shanghai)`);
  }
}

/** A wall-clock time resolved to a UTC instant. */
export interface ResolvedLocalTime {
  utcMs: number;
  /** Minutes the wall clock was moved forward because the time fell in a DST gap (0 otherwise). */
  shiftedMinutes: number;
}

const DAY_CACHE_LIMIT = 20_000;

/** Offsets of one zone. Get instances through {@link zoneOffsets}. */
export class ZoneOffsets {
  readonly #zone: IANAZone;
  readonly #days = new Map<number, number | Transition>();

  constructor(readonly timeZone: string) {
    if (!IANAZone.isValidZone(timeZone)) throw new UnknownTimeZoneError(timeZone);
    this.#zone = IANAZone.create(timeZone);
  }

  /** The zone's UTC offset in minutes at a UTC instant (e.g. 480 for Asia/Shanghai). */
  offsetMinutes(utcMs: number): number {
    const day = Math.floor(utcMs / MS_PER_DAY);
    let entry = this.#days.get(day);
    if (entry === undefined) {
      entry = this.#compute(day);
      if (this.#days.size >= DAY_CACHE_LIMIT) this.#days.clear();
      this.#days.set(day, entry);
    }
    if (typeof entry === "number") return entry;
    return utcMs < entry.at ? entry.before : entry.after;
  }

  /**
   * The UTC instant of a local wall-clock time, given as milliseconds since 1970-01-01T00:00 of
   * the wall clock (i.e. as if the wall clock were UTC).
   *
   * - A time that occurs twice (the hour repeated when clocks go back) resolves to the earlier
   *   instant.
   * - A time that does not exist (the hour skipped when clocks go forward) moves forward by the
   *   length of the gap: 02:30 on the day New York springs forward is 03:30 EDT. This is what
   *   luxon and Temporal ("compatible") do.
   */
  utcFromLocal(wallMs: number): ResolvedLocalTime {
    const before = this.offsetMinutes(wallMs - MS_PER_DAY);
    const after = this.offsetMinutes(wallMs + MS_PER_DAY);
    // Read with the earlier offset first: when clocks go back (the offset decreases), that is the
    // earlier of the two instants an ambiguous wall time has.
    const first = wallMs - before * 60_000;
    if (this.offsetMinutes(first) === before) return { utcMs: first, shiftedMinutes: 0 };
    const second = wallMs - after * 60_000;
    if (this.offsetMinutes(second) === after) return { utcMs: second, shiftedMinutes: 0 };
    // In a gap: read the wall time with the offset before the transition, which lands after it.
    return { utcMs: first, shiftedMinutes: after - before };
  }

  #compute(day: number): number | Transition {
    const start = day * MS_PER_DAY;
    const end = start + MS_PER_DAY - 1;
    const before = this.#zone.offset(start);
    const after = this.#zone.offset(end);
    if (before === after) return before;
    let low = start; // offset is `before` here
    let high = end; // offset is `after` here
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.#zone.offset(middle) === before) low = middle;
      else high = middle;
    }
    return { at: high, before, after };
  }
}

const zones = new Map<string, ZoneOffsets>();

/**
 * The cached offsets of an IANA zone (one instance per zone for the life of the process).
 * @throws UnknownTimeZoneError
 */
export function zoneOffsets(timeZone: string): ZoneOffsets {
  let offsets = zones.get(timeZone);
  if (!offsets) {
    offsets = new ZoneOffsets(timeZone);
    zones.set(timeZone, offsets);
  }
  return offsets;
}
