import { createHash } from "node:crypto";

/**
 * What a notice is about:
 * - "overdue": the first digest naming newly overdue payments (escalation level 0);
 * - "escalation": a reminder for payments already notified (level ≥ 1);
 * - "arrived": late payments that have now settled;
 * - "file-late": to ops, an acquirer's settlement file for a day has not arrived in time.
 * - "calendar": to ops, a calendar in use lacks a year (level 0) or payments are held for it (level 1).
 */
export type NoticeKind = "overdue" | "escalation" | "arrived" | "file-late" | "calendar";

/** A payment's identity: payment ids are unique per acquirer only, so both are needed. */
export interface PaymentRef {
  acquirer: string;
  paymentId: string;
}

/** What the notice covers: a set of payments, or a day (for notices about a day, e.g. a missing file). */
export type NoticeScope = { payments: readonly PaymentRef[] } | { day: string };

/** Prefix of every recipient id that is not a merchant; merchant ids cannot contain "#". */
export const OPS_RECIPIENT_PREFIX = "ops#";

/** The recipient id of the ops alerts about one acquirer ("ops#wechatpay"). */
export function opsRecipient(acquirer: string): string {
  return `${OPS_RECIPIENT_PREFIX}${acquirer}`;
}

/**
 * The deterministic identity of a notice: 64 hex characters of
 * sha256(JSON ["settlewatch-notice/v1", recipientId, kind, level, "payments", [sorted unique
 * "acquirer#paymentId"...]]) — or `"day", "YYYY-MM-DD"` in place of the payments.
 *
 * The same decision always gives the same id, whatever the order of the payments or which
 * process makes it. The use case writes a notice record keyed by this id with
 * `attribute_not_exists(pk)` before publishing, so a retried run, a redelivered queue message or
 * two concurrent checks that reach the same decision publish it once. Two checks that group the
 * same payment differently get different ids; the per-payment escalation level (see
 * escalation.ts, stored with a condition on the payment) is what keeps those from repeating it.
 *
 * @param recipientId a merchant id, or {@link opsRecipient} for ops alerts.
 * @param level escalation level (0 for the first notice, and for "arrived" and "file-late").
 */
export function noticeId(recipientId: string, kind: NoticeKind, level: number, scope: NoticeScope): string {
  if (!Number.isInteger(level) || level < 0)
    throw new RangeError(`level must be an integer ≥ 0, got ${level}`);
  const subject =
    "day" in scope
      ? ["day", scope.day]
      : ["payments", [...new Set(scope.payments.map((p) => `${p.acquirer}#${p.paymentId}`))].sort()];
  if ("payments" in scope && scope.payments.length === 0)
    throw new RangeError("a notice covers at least one payment");
  const canonical = JSON.stringify(["settlewatch-notice/v1", recipientId, kind, level, ...subject]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The outbox shard a notice waits in for its send time: from its id (uniformly spread hex), so
 * every process that decides the same notice puts it in the same shard.
 */
export function outboxShardOf(noticeId: string, shards: number): number {
  return Number.parseInt(noticeId.slice(0, 8), 16) % shards;
}
