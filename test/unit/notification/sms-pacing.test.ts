import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  nextAllowedAt,
  pacingFor,
  perNumberCapProblems,
  quotaWindows,
} from "../../../functions/domain/notification/sms-pacing.js";

describe("per-number SMS windows", () => {
  it("minute and hour in UTC, the day in China Standard Time (UTC+8)", () => {
    expect(
      quotaWindows(new Date("2026-10-08T15:59:30.500Z"), { perMinute: 1, perHour: 5, perDay: 10 }),
    ).toEqual([
      { window: "minute", start: "2026-10-08T15:59:00.000Z", endsAt: "2026-10-08T16:00:00.000Z", limit: 1 },
      { window: "hour", start: "2026-10-08T15:00:00.000Z", endsAt: "2026-10-08T16:00:00.000Z", limit: 5 },
      // 23:59:30 in Beijing: the day ends at 16:00Z.
      { window: "day", start: "2026-10-07T16:00:00.000Z", endsAt: "2026-10-08T16:00:00.000Z", limit: 10 },
    ]);
    expect(quotaWindows(new Date("2026-10-08T16:00:00.000Z"), { perDay: 10 })[0]?.start).toBe(
      "2026-10-08T16:00:00.000Z",
    );
    expect(quotaWindows(new Date(), {})).toEqual([]);
  });

  it("property: every window contains the instant and lasts its length", () => {
    const lengths = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (now) => {
          for (const window of quotaWindows(now, { perMinute: 1, perHour: 1, perDay: 1 })) {
            const start = Date.parse(window.start);
            const end = Date.parse(window.endsAt);
            expect(start).toBeLessThanOrEqual(now.getTime());
            expect(end).toBeGreaterThan(now.getTime());
            expect(end - start).toBe(lengths[window.window]);
          }
        },
      ),
    );
  });

  it("a text over several full windows waits for the last of them to end", () => {
    const windows = quotaWindows(new Date("2026-10-08T12:00:10Z"), { perMinute: 1, perHour: 5 });
    expect(nextAllowedAt(windows)).toBe("2026-10-08T13:00:00.000Z");
    expect(nextAllowedAt([])).toBeUndefined();
  });

  it("defaults from the providers' documented limits; deployment settings override per window", () => {
    expect(pacingFor("aliyun")).toEqual({
      concurrency: 5,
      perNumber: { perMinute: 1, perHour: 5, perDay: 10 },
    });
    expect(pacingFor("tencent")).toEqual({ concurrency: 5, perNumber: { perMinute: 1, perDay: 10 } });
    expect(pacingFor("sns")).toEqual({ concurrency: 10, perNumber: {} });
    expect(pacingFor("aliyun", { aliyun: { concurrency: 2, perNumber: { perDay: 20 } } })).toEqual({
      concurrency: 2,
      perNumber: { perMinute: 1, perHour: 5, perDay: 20 },
    });
    expect(perNumberCapProblems({ perMinute: 6, perHour: 5 })).toEqual([
      "perMinute (6) is more than perHour (5)",
    ]);
  });
});
