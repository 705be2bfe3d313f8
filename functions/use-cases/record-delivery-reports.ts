import {
  type DeliveryReport,
  decideFallback,
  FALLBACK_SUBJECT,
  type FallbackDecision,
} from "../domain/notification/delivery-report.js";
import { outboxShardOf } from "../domain/notification/notice-id.js";
import type {
  Clock,
  MerchantRepository,
  NoticeQueue,
  NoticeRecord,
  NoticeStore,
  SmsMetrics,
} from "./ports.js";

export interface RecordDeliveryReportsDeps {
  notices: NoticeStore;
  merchants: MerchantRepository;
  clock: Clock;
  metrics: SmsMetrics;
  config: { dueShards: number };
  /** Where a fallback notice is queued at once; without it the next overdue check queues it (outbox). */
  queue?: NoticeQueue | undefined;
}

/** What became of each report of a push. */
export interface DeliveryReportCounts {
  recorded: number;
  duplicate: number;
  unknown: number;
  fallbacks: number;
}

/**
 * Records each report on its notice and starts the fallback of a failed text. Reports for notices
 * we do not know, or never sent, are ignored and counted (SmsReportsIgnored): a provider retries a
 * push that is not answered 200, and those would never succeed.
 */
export async function recordDeliveryReports(
  reports: readonly DeliveryReport[],
  deps: RecordDeliveryReportsDeps,
): Promise<DeliveryReportCounts> {
  const counts: DeliveryReportCounts = { recorded: 0, duplicate: 0, unknown: 0, fallbacks: 0 };
  // One at a time: a push holds a handful of reports, and duplicates inside one push stay ordered.
  for (const report of reports) {
    const outcome = await recordOne(report, deps);
    counts[outcome.result] += 1;
    if (outcome.fallbackCreated) counts.fallbacks += 1;
    if (outcome.result === "recorded")
      deps.metrics.count(report.state === "DELIVERED" ? "SmsDelivered" : "SmsFailed", report.provider);
    else deps.metrics.count("SmsReportsIgnored", report.provider);
  }
  return counts;
}

async function recordOne(
  report: DeliveryReport,
  deps: RecordDeliveryReportsDeps,
): Promise<{ result: "recorded" | "duplicate" | "unknown"; fallbackCreated?: boolean }> {
  const noticeId = await resolveNoticeId(report, deps.notices);
  const notice = noticeId ? await deps.notices.get(noticeId, "sms") : undefined;
  // A token holder could name any notice: the report must come from the provider that sent it.
  if (notice?.status !== "SENT" || (notice.provider ?? "sns") !== report.provider)
    return { result: "unknown" };
  if (notice.deliveryStatus) return { result: "duplicate", ...(await resumeFallback(notice, deps)) };

  const fallback =
    report.state === "FAILED"
      ? decideFallback(notice.noticeId, await deps.merchants.get(notice.recipientId))
      : undefined;
  const stored = await deps.notices.recordDelivery({
    noticeId: notice.noticeId,
    state: report.state,
    errorCode: report.errorCode,
    reportedAt: deps.clock.now().toISOString(),
    fallback: fallbackField(fallback),
  });
  if (stored.outcome === "not-sent") return { result: "unknown" };
  const resumed = await resumeFallback(stored.notice, deps);
  return { result: stored.outcome === "recorded" ? "recorded" : "duplicate", ...resumed };
}

async function resolveNoticeId(report: DeliveryReport, notices: NoticeStore): Promise<string | undefined> {
  if (report.noticeId) return report.noticeId;
  if (!report.providerMessageId) return undefined;
  return await notices.noticeOfProviderMessage(report.provider, report.providerMessageId);
}

function fallbackField(decision: FallbackDecision | undefined) {
  if (!decision) return undefined;
  return decision.channel === "none" ? { none: decision.reason } : { noticeId: decision.noticeId };
}

/**
 * Creates the fallback email of a FAILED notice unless it exists (record-before-send: the same
 * does-not-exist condition as every notice), so a duplicate report, or a retry after a crash
 * between the two writes, finishes the job and never makes a second one.
 */
async function resumeFallback(
  notice: NoticeRecord,
  deps: RecordDeliveryReportsDeps,
): Promise<{ fallbackCreated: boolean }> {
  if (notice.deliveryStatus !== "FAILED" || !notice.fallbackNoticeId) return { fallbackCreated: false };
  const nowIso = deps.clock.now().toISOString();
  const fallback: NoticeRecord = {
    noticeId: notice.fallbackNoticeId,
    channel: "email",
    recipientId: notice.recipientId,
    kind: notice.kind,
    level: notice.level,
    language: notice.language,
    subject: FALLBACK_SUBJECT[notice.language],
    text: notice.text,
    payments: notice.payments,
    sendAfter: nowIso,
    status: "SCHEDULED",
    createdAt: nowIso,
    attempts: 0,
    fallbackOf: notice.noticeId,
  };
  const created = await deps.notices.create(
    fallback,
    outboxShardOf(fallback.noticeId, deps.config.dueShards),
  );
  if (created && deps.queue) {
    const message = { noticeId: fallback.noticeId, channel: "email" };
    await deps.queue.enqueue([message]);
    await deps.notices.markQueued(message.noticeId, message.channel);
  }
  return { fallbackCreated: created };
}
