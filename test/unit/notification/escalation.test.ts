import { describe, expect, it } from "vitest";
import {
  decideEscalation,
  escalationScheduleSchema,
  type NoticeHistoryEntry,
} from "../../../functions/domain/notification/escalation.js";

const first = "2026-10-08T11:00:00.000Z";
const hoursAfterFirst = (hours: number) => new Date(Date.parse(first) + hours * 3_600_000);
const overdueNotice: NoticeHistoryEntry = { kind: "overdue", sentAt: first };

describe("decideEscalation (default schedule 0 h, 24 h, 72 h)", () => {
  it("no notice yet: due now at level 0, kind overdue", () => {
    expect(decideEscalation([], hoursAfterFirst(0))).toEqual({ due: true, kind: "overdue", level: 0 });
  });

  it("after the first notice, not again until 24 h", () => {
    expect(decideEscalation([overdueNotice], hoursAfterFirst(0))).toEqual({
      due: false,
      reason: "not-yet",
      nextLevel: 1,
      nextAt: hoursAfterFirst(24),
    });
    expect(decideEscalation([overdueNotice], hoursAfterFirst(23.99))).toMatchObject({
      due: false,
      reason: "not-yet",
    });
  });

  it("at 24 h: level 1, then nothing until 72 h, then level 2, then never again", () => {
    expect(decideEscalation([overdueNotice], hoursAfterFirst(24))).toEqual({
      due: true,
      kind: "escalation",
      level: 1,
    });
    const afterFirstReminder: NoticeHistoryEntry[] = [
      overdueNotice,
      { kind: "escalation", sentAt: hoursAfterFirst(24).toISOString(), level: 1 },
    ];
    expect(decideEscalation(afterFirstReminder, hoursAfterFirst(30))).toEqual({
      due: false,
      reason: "not-yet",
      nextLevel: 2,
      nextAt: hoursAfterFirst(72),
    });
    expect(decideEscalation(afterFirstReminder, hoursAfterFirst(72))).toEqual({
      due: true,
      kind: "escalation",
      level: 2,
    });
    const all = [
      ...afterFirstReminder,
      { kind: "escalation" as const, sentAt: hoursAfterFirst(72).toISOString() },
    ];
    expect(decideEscalation(all, hoursAfterFirst(72))).toEqual({ due: false, reason: "schedule-complete" });
    expect(decideEscalation(all, hoursAfterFirst(24 * 30))).toEqual({
      due: false,
      reason: "schedule-complete",
    });
  });

  it("never twice for the same level, however often the check runs", () => {
    const history: NoticeHistoryEntry[] = [overdueNotice];
    let sent = 0;
    // A check every 15 minutes for 5 days, recording what it sends.
    for (let minutes = 0; minutes <= 5 * 24 * 60; minutes += 15) {
      const now = hoursAfterFirst(minutes / 60);
      const decision = decideEscalation(history, now);
      if (decision.due) {
        history.push({ kind: decision.kind, sentAt: now.toISOString(), level: decision.level });
        sent += 1;
      }
    }
    expect(sent).toBe(2);
    expect(history.map((entry) => [entry.sentAt, entry.level])).toEqual([
      [first, undefined],
      ["2026-10-09T11:00:00.000Z", 1],
      ["2026-10-11T11:00:00.000Z", 2],
    ]);
  });

  it("a check that ran late past both 24 h and 72 h sends one notice, at the highest level", () => {
    expect(decideEscalation([overdueNotice], hoursAfterFirst(80))).toEqual({
      due: true,
      kind: "escalation",
      level: 2,
    });
  });

  it("reads a missing level from sentAt, and the history in any order", () => {
    const history: NoticeHistoryEntry[] = [
      { kind: "escalation", sentAt: hoursAfterFirst(25).toISOString() },
      overdueNotice,
    ];
    expect(decideEscalation(history, hoursAfterFirst(48))).toMatchObject({ due: false, nextLevel: 2 });
  });

  it("stops once the payment arrived", () => {
    const history: NoticeHistoryEntry[] = [
      overdueNotice,
      { kind: "arrived", sentAt: hoursAfterFirst(30).toISOString() },
    ];
    expect(decideEscalation(history, hoursAfterFirst(72))).toEqual({ due: false, reason: "arrived" });
  });

  it("ignores ops notices", () => {
    expect(decideEscalation([{ kind: "file-late", sentAt: first }], hoursAfterFirst(1))).toMatchObject({
      due: true,
      level: 0,
    });
  });
});

describe("configurable schedule", () => {
  it("follows a custom list of hours", () => {
    const hours = [0, 4, 12];
    expect(decideEscalation([overdueNotice], hoursAfterFirst(4), hours)).toEqual({
      due: true,
      kind: "escalation",
      level: 1,
    });
    expect(decideEscalation([overdueNotice], hoursAfterFirst(3), hours)).toMatchObject({
      nextAt: hoursAfterFirst(4),
    });
  });

  it("[0] notifies once", () => {
    expect(decideEscalation([overdueNotice], hoursAfterFirst(1000), [0])).toEqual({
      due: false,
      reason: "schedule-complete",
    });
  });

  it.each([[[]], [[24, 72]], [[0, 72, 24]], [[0, 24, 24]], [[0, -1]]])("rejects %j", (hours) => {
    expect(escalationScheduleSchema.safeParse(hours).success).toBe(false);
    expect(() => decideEscalation([], hoursAfterFirst(0), hours)).toThrow(RangeError);
  });
});
