import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRfc3339Ms } from "../../../functions/domain/time/rfc3339.js";

const pad = (value: number, width: number) => String(Math.abs(value)).padStart(width, "0");

/** `ms` written as RFC 3339 in a fixed offset (minutes east of UTC), e.g. 2026-09-30T15:00:00.070+08:00. */
function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? "-" : "+";
  return `${local}${sign}${pad(Math.trunc(offsetMinutes / 60), 2)}:${pad(offsetMinutes % 60, 2)}`;
}

describe("parseRfc3339Ms (RFC 3339 section 5.6, luxon for the calendar)", () => {
  it("reads dates that exist, leap days included", () => {
    expect(parseRfc3339Ms("2024-02-29T12:00:00Z")).toBe(Date.UTC(2024, 1, 29, 12));
    expect(parseRfc3339Ms("2000-02-29T00:00:00Z")).toBe(Date.UTC(2000, 1, 29));
    expect(parseRfc3339Ms("2026-12-31T23:59:59.999Z")).toBe(Date.UTC(2026, 11, 31, 23, 59, 59, 999));
  });

  it("refuses impossible dates and times", () => {
    for (const value of [
      "2026-02-29T00:00:00Z", // not a leap year
      "1900-02-29T00:00:00Z", // century, not a leap year
      "2026-02-30T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-00-10T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-09-00T00:00:00Z",
      "2026-09-30T24:00:00Z", // ISO 8601's end of day is not RFC 3339
      "2026-09-30T23:60:00Z",
      "2026-09-30T23:59:61Z",
    ]) {
      expect(parseRfc3339Ms(value), value).toBeUndefined();
    }
  });

  it("reads offsets, and refuses those out of range or not hh:mm", () => {
    expect(parseRfc3339Ms("2026-09-30T15:00:00+08:00")).toBe(Date.UTC(2026, 8, 30, 7));
    expect(parseRfc3339Ms("2026-09-30T01:30:00-05:30")).toBe(Date.UTC(2026, 8, 30, 7));
    expect(parseRfc3339Ms("2026-09-30T07:00:00-00:00")).toBe(Date.UTC(2026, 8, 30, 7));
    expect(parseRfc3339Ms("2026-09-30T23:59:00+23:59")).toBe(Date.UTC(2026, 8, 30, 0, 0));
    for (const value of [
      "2026-09-30T07:00:00+24:00",
      "2026-09-30T07:00:00+08:60",
      "2026-09-30T07:00:00+0800",
      "2026-09-30T07:00:00+08",
      "2026-09-30T07:00:00", // no offset: not an instant
      "2026-09-30T07:00:00Z ",
      "2026-09-30T07:00:00UTC",
    ]) {
      expect(parseRfc3339Ms(value), value).toBeUndefined();
    }
  });

  it("keeps RFC 3339's grammar: separators, fractions, digits", () => {
    expect(parseRfc3339Ms("2026-09-30t07:00:00z")).toBe(Date.UTC(2026, 8, 30, 7));
    expect(parseRfc3339Ms("2026-09-30 07:00:00.5Z")).toBe(Date.UTC(2026, 8, 30, 7, 0, 0, 500));
    expect(parseRfc3339Ms("2026-09-30T07:00:00.123999999Z")).toBe(Date.UTC(2026, 8, 30, 7, 0, 0, 123));
    for (const value of [
      "2026-09-30T07:00:00.Z",
      "2026-09-30_07:00:00Z",
      "2026-9-30T07:00:00Z",
      "2026-09-30T07:00Z",
      "20260930T070000Z", // ISO 8601 basic format
      "2026-273T07:00:00Z", // ordinal date
      "２０２６-09-30T07:00:00Z", // full-width digits
      "+02026-09-30T07:00:00Z",
      "",
    ]) {
      expect(parseRfc3339Ms(value), value).toBeUndefined();
    }
  });

  it("reads a leap second as the first millisecond after :59", () => {
    expect(parseRfc3339Ms("2016-12-31T23:59:60Z")).toBe(Date.UTC(2017, 0, 1));
    expect(parseRfc3339Ms("2016-12-31T23:59:60.5Z")).toBe(Date.UTC(2017, 0, 1, 0, 0, 0, 500));
  });

  it("reads any instant written in any valid offset back to the same millisecond", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 2), max: Date.UTC(2200, 0, 1) }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        (ms, offsetMinutes) => {
          expect(parseRfc3339Ms(withOffset(ms, offsetMinutes))).toBe(ms);
          expect(parseRfc3339Ms(new Date(ms).toISOString())).toBe(ms);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
