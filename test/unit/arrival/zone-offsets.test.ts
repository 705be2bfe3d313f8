import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import {
  UnknownTimeZoneError,
  ZoneOffsets,
  zoneOffsets,
} from "../../../functions/domain/arrival/zone-offsets.js";

// Zones with DST both ways, half-hour and 45-minute offsets, a 30-minute DST shift (Lord Howe),
// negative DST (Dublin), DST at midnight (Santiago, Havana), a skipped day (Apia, 2011).
const ZONES = [
  "Asia/Shanghai",
  "America/New_York",
  "America/Los_Angeles",
  "Europe/London",
  "Europe/Dublin",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Kathmandu",
  "Asia/Tehran",
  "America/Santiago",
  "America/Havana",
  "Pacific/Apia",
  "America/St_Johns",
  "Africa/Casablanca",
  "UTC",
];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FROM = Date.UTC(1975, 0, 1);
const TO = Date.UTC(2040, 0, 1);

describe("ZoneOffsets", () => {
  it("rejects an unknown zone", () => {
    expect(() => zoneOffsets("Mars/Olympus_Mons")).toThrow(UnknownTimeZoneError);
  });

  it("agrees with luxon at random instants and around every transition, 1975-2040", () => {
    const next = random(7);
    // Disagreements are collected and asserted once: one expect per sample is most of the run time.
    const disagreements: string[] = [];
    const compare = (ours: number, luxon: number, what: string) => {
      if (ours !== luxon) disagreements.push(`${what}: ${ours} vs luxon ${luxon}`);
    };
    let compared = 0;
    for (const name of ZONES) {
      const ours = new ZoneOffsets(name); // fresh cache per zone
      const luxon = IANAZone.create(name);
      for (let i = 0; i < 3000; i++) {
        const t = FROM + Math.floor(next() * (TO - FROM));
        compare(ours.offsetMinutes(t), luxon.offset(t), `${name} ${t}`);
        compared++;
      }
      // Walk day by day and check the millisecond either side of each change luxon sees.
      for (let day = Date.UTC(2024, 0, 1); day < Date.UTC(2028, 0, 1); day += 86_400_000) {
        if (luxon.offset(day) === luxon.offset(day + 86_400_000 - 1)) continue;
        let low = day;
        let high = day + 86_400_000 - 1;
        while (high - low > 1) {
          const middle = Math.floor((low + high) / 2);
          if (luxon.offset(middle) === luxon.offset(day)) low = middle;
          else high = middle;
        }
        compare(ours.offsetMinutes(low), luxon.offset(low), `${name} before ${new Date(high).toISOString()}`);
        compare(ours.offsetMinutes(high), luxon.offset(high), `${name} at ${new Date(high).toISOString()}`);
        compared += 2;
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(ZONES.length * 3000);
  });

  it("resolves local times like luxon, except that a repeated time always takes the earlier instant", () => {
    const next = random(11);
    let ambiguous = 0;
    let gaps = 0;
    const disagreements: unknown[] = [];
    for (const name of ZONES) {
      const ours = zoneOffsets(name);
      for (let i = 0; i < 2000; i++) {
        // Wall times on transition days are rare at random: half the samples sit near one.
        let wall = Date.UTC(2020, 0, 1) + Math.floor(next() * (Date.UTC(2030, 0, 1) - Date.UTC(2020, 0, 1)));
        if (i % 2 === 0) {
          const transitions = [Date.UTC(2026, 2, 8, 2), Date.UTC(2026, 10, 1, 1), Date.UTC(2026, 2, 29, 1)];
          wall = (transitions[i % 3] ?? 0) + Math.floor(next() * 7_200_000) - 1_800_000;
        }
        const resolved = ours.utcFromLocal(wall);
        const readings = [
          ...new Set([ours.offsetMinutes(wall - 86_400_000), ours.offsetMinutes(wall + 86_400_000)]),
        ]
          .map((offset) => wall - offset * 60_000)
          .filter((utc) => ours.offsetMinutes(utc) * 60_000 === wall - utc);
        const parts = new Date(wall);
        const viaLuxon = DateTime.fromObject(
          {
            year: parts.getUTCFullYear(),
            month: parts.getUTCMonth() + 1,
            day: parts.getUTCDate(),
            hour: parts.getUTCHours(),
            minute: parts.getUTCMinutes(),
            second: parts.getUTCSeconds(),
            millisecond: parts.getUTCMilliseconds(),
          },
          { zone: name },
        ).toMillis();
        const expected =
          readings.length === 2
            ? { utcMs: Math.min(...readings), shiftedMinutes: 0 }
            : { utcMs: viaLuxon, shifted: readings.length === 0 };
        if (readings.length === 2) ambiguous++;
        if (readings.length === 0) gaps++;
        const got =
          readings.length === 2 ? resolved : { utcMs: resolved.utcMs, shifted: resolved.shiftedMinutes > 0 };
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          disagreements.push({ zone: name, wall: parts.toISOString(), got, expected });
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(ambiguous).toBeGreaterThan(0);
    expect(gaps).toBeGreaterThan(0);
  });
});
