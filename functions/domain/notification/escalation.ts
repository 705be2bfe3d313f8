import * as z from "zod";
import type { NoticeKind } from "./notice-id.js";

const MS_PER_HOUR = 3_600_000;

/** Hours after the first overdue notice at which a payment is notified: 0 (the first), 24, 72. */
export const DEFAULT_ESCALATION_HOURS: readonly number[] = [0, 24, 72];

/**
 * An escalation schedule from config: hours after the first overdue notice, starting with 0 (the
 * first notice itself), strictly increasing, at most a year. `[0]` means "notify once".
 */
export const escalationScheduleSchema = z
  .array(
    z
      .number()
      .min(0)
      .max(24 * 366),
  )
  .min(1)
  .refine((hours) => hours[0] === 0, "the first entry must be 0 (the first notice itself)")
  .refine(
    (hours) => hours.every((value, index) => index === 0 || value > (hours[index - 1] ?? value)),
    "hours must be strictly increasing",
  );

/** One notice already sent about a payment (the payment's notice history). */
export interface NoticeHistoryEntry {
  kind: NoticeKind;
  /** ISO 8601 instant the notice was decided and recorded. */
  sentAt: string;
  /**
   * Escalation level the notice was sent at. When absent it is read from `sentAt`: the highest
   * level whose time (first overdue notice + hours) had come by then.
   */
  level?: number;
}

export type EscalationDecision =
  /** Notify now, at `level` ("overdue" for level 0, "escalation" after). */
  | { due: true; kind: "overdue" | "escalation"; level: number }
  /** The next level is not reached yet. */
  | { due: false; reason: "not-yet"; nextLevel: number; nextAt: Date }
  /** Every level of the schedule has been sent: the payment is never notified again. */
  | { due: false; reason: "schedule-complete" }
  /** An "arrived" notice was sent: the payment settled, nothing more to say. */
  | { due: false; reason: "arrived" };

/**
 * Whether an overdue payment is due for a notice now, and at which level.
 *
 * - No overdue/escalation notice yet: due now at level 0 (the first notice, kind "overdue").
 * - Else the clock starts at the first one: level i is reached at first + `hours[i]`. The
 *   payment is due at the highest level reached, if no notice at that level (or a higher one)
 *   was sent. So each level is sent at most once, and a check that ran late (past 24 h and 72 h
 *   both) sends one notice at the highest level, not two in a row.
 * - After the last level, or once an "arrived" notice went out: never again.
 *
 * @param history the payment's notices, in any order ("file-late" entries are ignored).
 * @param hours the schedule, validated by {@link escalationScheduleSchema}.
 * @throws RangeError on an invalid schedule or an unreadable `sentAt`.
 */
export function decideEscalation(
  history: readonly NoticeHistoryEntry[],
  now: Date,
  hours: readonly number[] = DEFAULT_ESCALATION_HOURS,
): EscalationDecision {
  const schedule = escalationScheduleSchema.safeParse(hours);
  if (!schedule.success) {
    throw new RangeError(
      `invalid escalation schedule ${JSON.stringify(hours)}: ${schedule.error.issues[0]?.message}`,
    );
  }
  if (history.some((entry) => entry.kind === "arrived")) return { due: false, reason: "arrived" };

  const notices = history
    .filter((entry) => entry.kind === "overdue" || entry.kind === "escalation")
    .map((entry) => ({ ...entry, at: instant(entry.sentAt) }))
    .sort((a, b) => a.at - b.at);
  const first = notices[0];
  if (!first) return { due: true, kind: "overdue", level: 0 };

  const reachedAt = (at: number): number => {
    let level = 0;
    hours.forEach((offset, index) => {
      if (first.at + offset * MS_PER_HOUR <= at) level = index;
    });
    return level;
  };
  const highestSent = Math.max(...notices.map((entry) => entry.level ?? reachedAt(entry.at)));
  const reached = reachedAt(now.getTime());
  if (reached > highestSent) return { due: true, kind: "escalation", level: reached };

  const nextLevel = highestSent + 1;
  const nextHours = hours[nextLevel];
  if (nextHours === undefined) return { due: false, reason: "schedule-complete" };
  return { due: false, reason: "not-yet", nextLevel, nextAt: new Date(first.at + nextHours * MS_PER_HOUR) };
}

function instant(iso: string): number {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new RangeError(`not an ISO 8601 instant: ${JSON.stringify(iso)}`);
  return at;
}
