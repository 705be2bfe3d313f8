import { describe, expect, it } from "vitest";
import { isQuietTime, nextSendTime } from "../../../functions/domain/notification/quiet-hours.js";

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();
const night = { start: "22:00", end: "08:00" };

describe("nextSendTime", () => {
  it("outside quiet hours: now", () => {
    // 10:00Z = 18:00 Shanghai
    expect(iso(nextSendTime(at("2026-10-08T10:00:00Z"), "Asia/Shanghai", night))).toBe(
      "2026-10-08T10:00:00.000Z",
    );
  });

  it("across midnight in Asia/Shanghai: 15:30Z is 23:30 local, the SMS waits until 08:00 local = 00:00Z", () => {
    expect(iso(nextSendTime(at("2026-10-08T15:30:00Z"), "Asia/Shanghai", night))).toBe(
      "2026-10-09T00:00:00.000Z",
    );
  });

  it("after midnight, the same night's end (03:00 local → 08:00 local the same day)", () => {
    expect(iso(nextSendTime(at("2026-10-08T19:00:00Z"), "Asia/Shanghai", night))).toBe(
      "2026-10-09T00:00:00.000Z",
    );
  });

  it("start is inclusive, end is exclusive", () => {
    // 14:00Z = 22:00 Shanghai (quiet), 00:00Z = 08:00 (not quiet), 23:59Z = 07:59 (quiet)
    expect(iso(nextSendTime(at("2026-10-08T14:00:00Z"), "Asia/Shanghai", night))).toBe(
      "2026-10-09T00:00:00.000Z",
    );
    expect(iso(nextSendTime(at("2026-10-09T00:00:00Z"), "Asia/Shanghai", night))).toBe(
      "2026-10-09T00:00:00.000Z",
    );
    expect(iso(nextSendTime(at("2026-10-08T23:59:59Z"), "Asia/Shanghai", night))).toBe(
      "2026-10-09T00:00:00.000Z",
    );
    expect(iso(nextSendTime(at("2026-10-08T13:59:59Z"), "Asia/Shanghai", night))).toBe(
      "2026-10-08T13:59:59.000Z",
    );
  });

  it("America/New_York, the night clocks go forward (8 Mar 2026): ends 08:00 EDT = 12:00Z, not 13:00Z", () => {
    // 04:00Z = 23:00 EST on 7 Mar
    expect(iso(nextSendTime(at("2026-03-08T04:00:00Z"), "America/New_York", night))).toBe(
      "2026-03-08T12:00:00.000Z",
    );
  });

  it("America/New_York, the night clocks go back (1 Nov 2026): ends 08:00 EST = 13:00Z, not 12:00Z", () => {
    // 03:00Z = 23:00 EDT on 31 Oct
    expect(iso(nextSendTime(at("2026-11-01T03:00:00Z"), "America/New_York", night))).toBe(
      "2026-11-01T13:00:00.000Z",
    );
  });

  it("an end skipped by DST ends the quiet period at the change", () => {
    // 02:30 does not exist on 8 Mar 2026 in New York: 02:00 EST jumps to 03:00 EDT at 07:00Z.
    const skipped = { start: "22:00", end: "02:30" };
    expect(iso(nextSendTime(at("2026-03-08T04:00:00Z"), "America/New_York", skipped))).toBe(
      "2026-03-08T07:00:00.000Z",
    );
  });

  it("an end that occurs twice (clocks going back) ends the period at its first occurrence", () => {
    // 1 Nov 2026, New York: 01:30 EDT = 05:30Z, then 01:30 EST = 06:30Z.
    const repeated = { start: "23:00", end: "01:30" };
    expect(iso(nextSendTime(at("2026-11-01T04:00:00Z"), "America/New_York", repeated))).toBe(
      "2026-11-01T05:30:00.000Z",
    );
    // During the repeated hour the wall clock reads 01:15 again (06:15Z): quiet until 01:30 EST.
    expect(iso(nextSendTime(at("2026-11-01T06:15:00Z"), "America/New_York", repeated))).toBe(
      "2026-11-01T06:30:00.000Z",
    );
  });

  it("a daytime period that does not cross midnight", () => {
    const lunch = { start: "12:00", end: "13:30" };
    // 04:10Z = 12:10 Shanghai
    expect(iso(nextSendTime(at("2026-10-08T04:10:00Z"), "Asia/Shanghai", lunch))).toBe(
      "2026-10-08T05:30:00.000Z",
    );
    expect(iso(nextSendTime(at("2026-10-08T06:00:00Z"), "Asia/Shanghai", lunch))).toBe(
      "2026-10-08T06:00:00.000Z",
    );
  });

  it("no quiet hours, or start == end: now", () => {
    const now = at("2026-10-08T15:30:00Z");
    expect(iso(nextSendTime(now, "Asia/Shanghai", undefined))).toBe("2026-10-08T15:30:00.000Z");
    expect(iso(nextSendTime(now, "Asia/Shanghai", { start: "22:00", end: "22:00" }))).toBe(
      "2026-10-08T15:30:00.000Z",
    );
    expect(isQuietTime(now, "Asia/Shanghai", { start: "23:30", end: "23:30" })).toBe(false);
  });

  it("returns a new Date, never the caller's", () => {
    const now = at("2026-10-08T10:00:00Z");
    expect(nextSendTime(now, "Asia/Shanghai", night)).not.toBe(now);
  });

  it("rejects an unknown zone and a malformed time", () => {
    expect(() => nextSendTime(at("2026-10-08T15:30:00Z"), "Mars/Olympus", night)).toThrow(RangeError);
    expect(() =>
      nextSendTime(at("2026-10-08T15:30:00Z"), "Asia/Shanghai", { start: "24:00", end: "08:00" }),
    ).toThrow(RangeError);
  });
});
