import pMap from "p-map";
import type { MerchantProfile } from "../../domain/merchant/merchant-profile.js";
import { decideEscalation } from "../../domain/notification/escalation.js";
import { outboxShardOf } from "../../domain/notification/notice-id.js";
import {
  type PlannedNotice,
  planFileLateAlert,
  planMerchantNotice,
} from "../../domain/notification/notice-plan.js";
import type { LateFile } from "../../domain/overdue/settlement-file-expectation.js";
import { dueShardOf, type Payment, type PaymentNoticeEntry } from "../../domain/payment/payment.js";
import type { NoticeRecord, NoticeStore, PaymentRef } from "../ports.js";
import { type CheckRun, idOf, type OverdueCheckConfig, type QueuedNotice } from "./check-run.js";
import type { NoticeDecisions } from "./decide-notices.js";

const WRITE_CONCURRENCY = 16;

/**
 * Plan notices: one digest per merchant scheduled through the notice ledger (exactly once per
 * decision), each notified payment's history and next escalation recorded, and the payments nobody
 * can be told about recorded once. Returns the notices to queue now.
 */
export async function planMerchantNotices(options: {
  run: CheckRun;
  decisions: NoticeDecisions;
  candidates: ReadonlyMap<string, Payment>;
}): Promise<QueuedNotice[]> {
  const { run, decisions } = options;
  const { deps, report } = run;
  const toQueue: QueuedNotice[] = [];
  for (const digest of decisions.digests) {
    const profile = decisions.profiles.get(digest.merchantId) as MerchantProfile;
    const plan = planMerchantNotice(digest, profile, run.now, deps.config.noticeText ?? {});
    if (plan.messages.length === 0) {
      report.unreachable += plan.payments.length;
      deps.metrics.count("MerchantsUnreachable", 1, digest.acquirers[0]);
    }
    const scheduled = await scheduleNotice({
      plan,
      language: profile.contact.language,
      deps,
      nowIso: run.nowIso,
    });
    toQueue.push(...scheduled.toQueue);
    report.noticesScheduled += scheduled.created;
    report.notified += plan.payments.length;
    await recordOnPayments({ run, plan, candidates: options.candidates, levelOf: decisions.levelOf });
  }
  await recordUnreachable(run, decisions);
  return toQueue;
}

/** Nobody to tell: recorded once, so the payment leaves the escalation list. */
async function recordUnreachable(run: CheckRun, decisions: NoticeDecisions): Promise<void> {
  await pMap(
    decisions.unnotifiable,
    async ({ payment }) => {
      run.report.unreachable += 1;
      run.deps.metrics.count("MerchantsUnreachable", 1, payment.acquirer);
      const level = decisions.levelOf.get(idOf(payment)) ?? 0;
      const entry: PaymentNoticeEntry = {
        kind: "overdue",
        level,
        sentAt: run.nowIso,
        noticeId: "unreachable",
      };
      await run.deps.overdue.recordPaymentNotice(payment, entry, null);
    },
    { concurrency: WRITE_CONCURRENCY },
  );
}

/** Writes a plan's messages (one record per channel) unless written before; those whose time has come are queued. */
export async function scheduleNotice(options: {
  plan: PlannedNotice;
  language: "zh-CN" | "en";
  deps: { notices: NoticeStore; config: Pick<OverdueCheckConfig, "dueShards"> };
  nowIso: string;
}): Promise<{ created: number; toQueue: QueuedNotice[] }> {
  const { plan, deps, nowIso } = options;
  const toQueue: QueuedNotice[] = [];
  let created = 0;
  for (const message of plan.messages) {
    const record: NoticeRecord = {
      noticeId: plan.noticeId,
      channel: message.channel,
      recipientId: plan.recipientId,
      kind: plan.kind,
      level: plan.level,
      language: options.language,
      subject: message.channel === "email" ? message.subject : undefined,
      text: message.channel === "email" ? message.body : message.text,
      ...(message.channel === "sms" ? { sms: message.sms, provider: message.provider } : {}),
      payments: plan.payments,
      sendAfter: message.sendAt.toISOString(),
      status: "SCHEDULED",
      createdAt: nowIso,
      attempts: 0,
    };
    if (await deps.notices.create(record, outboxShardOf(plan.noticeId, deps.config.dueShards))) {
      created += 1;
      if (record.sendAfter <= nowIso) toQueue.push({ noticeId: plan.noticeId, channel: message.channel });
    }
  }
  return { created, toQueue };
}

/** Appends the notice to each notified payment's history, with its next escalation (if any). */
async function recordOnPayments(options: {
  run: CheckRun;
  plan: PlannedNotice;
  candidates: ReadonlyMap<string, Payment>;
  levelOf: ReadonlyMap<string, number>;
}): Promise<void> {
  const { run, plan, candidates, levelOf } = options;
  await pMap(
    plan.payments,
    async (ref: PaymentRef) => {
      const payment = candidates.get(idOf(ref));
      if (!payment) return;
      const level = levelOf.get(idOf(ref)) ?? 0;
      const entry: PaymentNoticeEntry = {
        kind: level === 0 ? "overdue" : "escalation",
        level,
        sentAt: run.nowIso,
        noticeId: plan.noticeId,
      };
      const next = decideEscalation([...(payment.noticeHistory ?? []), entry], run.now, run.hours);
      const shard = dueShardOf(payment.acquirer, payment.paymentId, run.deps.config.dueShards);
      const waits = next.due === false && next.reason === "not-yet";
      await run.deps.overdue.recordPaymentNotice(
        payment,
        entry,
        waits ? { shard, at: next.nextAt.toISOString() } : null,
      );
    },
    { concurrency: WRITE_CONCURRENCY },
  );
}

/** One ops alert per late settlement file and day (the ledger keeps it to one). */
export async function planLateFileAlerts(
  run: CheckRun,
  lateFiles: ReadonlyMap<string, LateFile>,
): Promise<QueuedNotice[]> {
  const { deps, report, nowIso } = run;
  const toQueue: QueuedNotice[] = [];
  for (const late of lateFiles.values()) {
    report.lateFiles.push({ acquirer: late.acquirer, day: late.day, heldPayments: late.heldPayments });
    const alert = planFileLateAlert(late);
    const notice: NoticeRecord = {
      noticeId: alert.noticeId,
      channel: "ops",
      recipientId: alert.recipientId,
      kind: "file-late",
      level: 0,
      language: "en",
      subject: alert.subject,
      text: alert.body,
      payments: [],
      sendAfter: nowIso,
      status: "SCHEDULED",
      createdAt: nowIso,
      attempts: 0,
    };
    if (await deps.notices.create(notice, outboxShardOf(notice.noticeId, deps.config.dueShards))) {
      report.noticesScheduled += 1;
      deps.metrics.count("SettlementFilesLate", 1, late.acquirer);
      toQueue.push({ noticeId: notice.noticeId, channel: "ops" });
    }
  }
  return toQueue;
}

/** Notices whose time has come: this run's, and earlier ones held by quiet hours. */
export async function noticesDueForSending(run: CheckRun): Promise<QueuedNotice[]> {
  const due: QueuedNotice[] = [];
  for (let shard = 0; shard < run.deps.config.dueShards; shard += 1) {
    for await (const page of run.deps.notices.dueForSending(shard, run.nowIso)) due.push(...page);
  }
  return due;
}

/** Queues each notice once; queued twice after a crash here is harmless (the notifier claims before sending). */
export async function queueNotices(
  messages: readonly QueuedNotice[],
  deps: { queue: { enqueue(messages: readonly QueuedNotice[]): Promise<void> }; notices: NoticeStore },
): Promise<number> {
  const unique = [
    ...new Map(messages.map((message) => [`${message.noticeId}#${message.channel}`, message])).values(),
  ];
  if (unique.length === 0) return 0;
  await deps.queue.enqueue(unique);
  for (const message of unique) await deps.notices.markQueued(message.noticeId, message.channel);
  return unique.length;
}
