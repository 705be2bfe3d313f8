import pMap from "p-map";
import type { MerchantProfile } from "../domain/merchant/merchant-profile.js";
import {
  buildArrivedNotice,
  buildOverdueDigests,
  type NoticeCandidate,
} from "../domain/notification/digest.js";
import { DEFAULT_ESCALATION_HOURS, decideEscalation } from "../domain/notification/escalation.js";
import {
  type PlannedNotice,
  planFileLateAlert,
  planMerchantNotice,
} from "../domain/notification/notice-plan.js";
import type { NoticeTextOptions } from "../domain/notification/notice-text.js";
import {
  type AcquirerFiles,
  classifyDuePayments,
  type SettlementFileExpectation,
} from "../domain/overdue/settlement-file-expectation.js";
import { dueShardOf, type Payment } from "../domain/payment/payment.js";
import { keys } from "../shared/table-schema.js";
import {
  type BusinessMetrics,
  type Clock,
  type FileDayLedger,
  type MerchantRepository,
  type NoticeQueue,
  type NoticeRecord,
  type NoticeStore,
  type OverdueStore,
  type RunBudget,
  unlimitedRun,
} from "./ports.js";

export interface OverdueCheckConfig {
  dueShards: number;
  /** Hours after the first notice at which an overdue payment is notified again (first entry 0). */
  escalationHours?: readonly number[];
  /** Per acquirer: when its settlement file for a day is expected. Acquirers not listed are judged on time alone. */
  fileExpectations?: Readonly<Record<string, SettlementFileExpectation>>;
  noticeText?: NoticeTextOptions;
}

export interface OverdueCheckDeps {
  overdue: OverdueStore;
  notices: NoticeStore;
  merchants: MerchantRepository;
  fileDays: FileDayLedger;
  queue: NoticeQueue;
  clock: Clock;
  metrics: BusinessMetrics;
  config: OverdueCheckConfig;
}

export interface OverdueCheckReport {
  asOf: string;
  /** Payments read back from the index and re-checked against the table. */
  examined: number;
  markedOverdue: number;
  awaitingFile: number;
  /** Payments named in a notice scheduled by this run. */
  notified: number;
  noticesScheduled: number;
  noticesQueued: number;
  /** Overdue payments nobody can be told about (no profile, no contact). */
  unreachable: number;
  lateFiles: Array<{ acquirer: string; day: string; heldPayments: number }>;
  /** False when the run stopped at its deadline; what is left stays in the index for the next run. */
  complete: boolean;
}

const SHARD_CONCURRENCY = 4;

/**
 * The scheduled check. Reads only the due and escalation partitions of the sparse index up to
 * now, re-reads each hit from the table (the index can lag), moves overdue payments PENDING →
 * OVERDUE with a conditional write, and schedules one digest per merchant through the notice
 * ledger (exactly once per decision), then queues every notice whose send time has come.
 * Its cost grows with what is due, not with the table.
 */
export async function runOverdueCheck(
  deps: OverdueCheckDeps,
  options: { budget?: RunBudget } = {},
): Promise<OverdueCheckReport> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const { dueShards } = deps.config;
  const hours = deps.config.escalationHours ?? DEFAULT_ESCALATION_HOURS;
  const report: OverdueCheckReport = {
    asOf: nowIso,
    examined: 0,
    markedOverdue: 0,
    awaitingFile: 0,
    notified: 0,
    noticesScheduled: 0,
    noticesQueued: 0,
    unreachable: 0,
    lateFiles: [],
    complete: true,
  };
  const budget = options.budget ?? unlimitedRun;
  const pastDeadline = () => budget.pastDeadline();

  const files = await acquirerFiles(deps);
  const candidates = new Map<string, Payment>();
  const lateFiles = new Map<
    string,
    { acquirer: string; day: string; heldPayments: number; expectedAt: Date; timeZone: string }
  >();

  await pMap(
    Array.from({ length: dueShards }, (_, shard) => shard),
    async (shard) => {
      // Reminders first: payments marked overdue below are added directly, not read back from the index.
      for await (const refs of deps.overdue.indexedUpTo(keys.escalationShard(shard), nowIso)) {
        if (pastDeadline()) {
          report.complete = false;
          return;
        }
        const payments = await deps.overdue.getPayments(refs);
        report.examined += payments.length;
        for (const payment of payments)
          if (payment.status === "OVERDUE") candidates.set(idOf(payment), payment);
      }
      for await (const refs of deps.overdue.indexedUpTo(keys.dueShard(shard), nowIso)) {
        if (pastDeadline()) {
          report.complete = false;
          return;
        }
        const payments = await deps.overdue.getPayments(refs);
        report.examined += payments.length;
        const sorted = classifyDuePayments(payments, files, now);
        report.awaitingFile += sorted.awaitingFile.length;
        for (const payment of sorted.awaitingFile)
          deps.metrics.count("PaymentsAwaitingFile", 1, payment.acquirer);
        for (const late of sorted.lateFiles) {
          const key = `${late.acquirer}#${late.day}`;
          const entry = lateFiles.get(key) ?? { ...late, heldPayments: 0 };
          entry.heldPayments += late.heldPayments;
          lateFiles.set(key, entry);
        }
        await pMap(
          sorted.overdue,
          async (payment) => {
            const marked = await deps.overdue.markOverdue(payment, nowIso, {
              partition: keys.escalationShard(shard),
              at: nowIso,
            });
            if (!marked) return; // settled or marked by a concurrent check meanwhile
            report.markedOverdue += 1;
            deps.metrics.count("PaymentsOverdue", 1, payment.acquirer);
            candidates.set(idOf(payment), { ...payment, status: "OVERDUE", overdueMarkedAt: nowIso });
          },
          { concurrency: 16 },
        );
      }
    },
    { concurrency: SHARD_CONCURRENCY },
  );

  // Which payments are due for a notice now, at which escalation level.
  const due: NoticeCandidate[] = [];
  for (const payment of candidates.values()) {
    const decision = decideEscalation(payment.noticeHistory ?? [], now, hours);
    if (decision.due) due.push({ payment, level: decision.level });
  }

  const profiles = await loadProfiles(
    deps.merchants,
    due.map((candidate) => candidate.payment.merchantId),
  );
  const { digests, unnotifiable } = buildOverdueDigests(due, profiles);
  const levelOf = new Map(due.map((candidate) => [idOf(candidate.payment), candidate.level]));

  const toQueue: Array<{ noticeId: string; channel: string }> = [];
  for (const digest of digests) {
    const profile = profiles.get(digest.merchantId) as MerchantProfile;
    const plan = planMerchantNotice(digest, profile, now, deps.config.noticeText ?? {});
    if (plan.messages.length === 0) {
      report.unreachable += plan.payments.length;
      deps.metrics.count("MerchantsUnreachable", 1, digest.acquirers[0]);
    }
    const created = await scheduleNotice(plan, profile.contact.language, deps, nowIso, toQueue);
    report.noticesScheduled += created;
    report.notified += plan.payments.length;
    await recordOnPayments(plan, candidates, levelOf, deps, nowIso, now, hours);
  }
  await pMap(
    unnotifiable,
    async ({ payment }) => {
      report.unreachable += 1;
      deps.metrics.count("MerchantsUnreachable", 1, payment.acquirer);
      // Nobody to tell: record it once so the payment leaves the escalation partition.
      await deps.overdue.recordPaymentNotice(
        payment,
        { kind: "overdue", level: levelOf.get(idOf(payment)) ?? 0, sentAt: nowIso, noticeId: "unreachable" },
        null,
      );
    },
    { concurrency: 16 },
  );

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
    if (await deps.notices.create(notice, outboxPartition(notice.noticeId, dueShards))) {
      report.noticesScheduled += 1;
      deps.metrics.count("SettlementFilesLate", 1, late.acquirer);
      toQueue.push({ noticeId: notice.noticeId, channel: "ops" });
    }
  }

  // Notices whose time has come: this run's, and earlier ones held by quiet hours.
  for (let shard = 0; shard < dueShards; shard += 1) {
    for await (const page of deps.notices.dueForSending(keys.outboxShard(shard), nowIso))
      toQueue.push(...page);
  }
  report.noticesQueued = await queueNotices(toQueue, deps);
  return report;
}

/**
 * Schedules the one "arrived" notice per merchant for late payments that have now settled
 * (OVERDUE → SETTLED_LATE). Called by settlement matching.
 */
export async function scheduleArrivedNotices(
  settledLate: readonly Payment[],
  deps: Pick<OverdueCheckDeps, "merchants" | "notices" | "queue" | "clock" | "config">,
): Promise<number> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const notifiable = settledLate.filter((payment) => payment.merchantRegistered);
  const profiles = await loadProfiles(
    deps.merchants,
    notifiable.map((payment) => payment.merchantId),
  );
  const byMerchant = new Map<string, Payment[]>();
  for (const payment of notifiable) {
    if (!profiles.has(payment.merchantId)) continue;
    byMerchant.set(payment.merchantId, [...(byMerchant.get(payment.merchantId) ?? []), payment]);
  }
  const toQueue: Array<{ noticeId: string; channel: string }> = [];
  let scheduled = 0;
  for (const [merchantId, payments] of byMerchant) {
    const profile = profiles.get(merchantId) as MerchantProfile;
    const plan = planMerchantNotice(
      buildArrivedNotice(profile, payments),
      profile,
      now,
      deps.config.noticeText ?? {},
    );
    scheduled += await scheduleNotice(plan, profile.contact.language, deps, nowIso, toQueue);
  }
  await queueNotices(toQueue, deps);
  return scheduled;
}

async function scheduleNotice(
  plan: PlannedNotice,
  language: "zh-CN" | "en",
  deps: Pick<OverdueCheckDeps, "notices" | "config">,
  nowIso: string,
  toQueue: Array<{ noticeId: string; channel: string }>,
): Promise<number> {
  let created = 0;
  for (const message of plan.messages) {
    const sendAfter = message.sendAt.toISOString();
    const record: NoticeRecord = {
      noticeId: plan.noticeId,
      channel: message.channel,
      recipientId: plan.recipientId,
      kind: plan.kind,
      level: plan.level,
      language,
      subject: message.channel === "email" ? message.subject : undefined,
      text: message.channel === "email" ? message.body : message.text,
      ...(message.channel === "sms" ? { sms: message.sms, provider: message.provider } : {}),
      payments: plan.payments,
      sendAfter,
      status: "SCHEDULED",
      createdAt: nowIso,
      attempts: 0,
    };
    if (await deps.notices.create(record, outboxPartition(plan.noticeId, deps.config.dueShards))) {
      created += 1;
      if (sendAfter <= nowIso) toQueue.push({ noticeId: plan.noticeId, channel: message.channel });
    }
  }
  return created;
}

async function recordOnPayments(
  plan: PlannedNotice,
  candidates: ReadonlyMap<string, Payment>,
  levelOf: ReadonlyMap<string, number>,
  deps: OverdueCheckDeps,
  nowIso: string,
  now: Date,
  hours: readonly number[],
): Promise<void> {
  await pMap(
    plan.payments,
    async (ref) => {
      const id = `${ref.acquirer}#${ref.paymentId}`;
      const payment = candidates.get(id);
      if (!payment) return;
      const level = levelOf.get(id) ?? 0;
      const entry = {
        kind: level === 0 ? ("overdue" as const) : ("escalation" as const),
        level,
        sentAt: nowIso,
        noticeId: plan.noticeId,
      };
      const next = decideEscalation([...(payment.noticeHistory ?? []), entry], now, hours);
      const shard = dueShardOf(payment.acquirer, payment.paymentId, deps.config.dueShards);
      await deps.overdue.recordPaymentNotice(
        payment,
        entry,
        next.due === false && next.reason === "not-yet"
          ? { partition: keys.escalationShard(shard), at: next.nextAt.toISOString() }
          : null,
      );
    },
    { concurrency: 16 },
  );
}

async function queueNotices(
  messages: ReadonlyArray<{ noticeId: string; channel: string }>,
  deps: Pick<OverdueCheckDeps, "queue" | "notices">,
): Promise<number> {
  const unique = [
    ...new Map(messages.map((message) => [`${message.noticeId}#${message.channel}`, message])).values(),
  ];
  if (unique.length === 0) return 0;
  await deps.queue.enqueue(unique);
  // Queued twice after a crash here is harmless: the notifier claims each notice before sending.
  for (const message of unique) await deps.notices.markQueued(message.noticeId, message.channel);
  return unique.length;
}

async function acquirerFiles(deps: OverdueCheckDeps): Promise<Record<string, AcquirerFiles>> {
  const expectations = deps.config.fileExpectations ?? {};
  const entries = await Promise.all(
    Object.entries(expectations).map(
      async ([acquirer, expectation]) =>
        [acquirer, { expectation, latestFileDay: await deps.fileDays.latestFileDay(acquirer) }] as const,
    ),
  );
  return Object.fromEntries(entries);
}

async function loadProfiles(
  merchants: MerchantRepository,
  merchantIds: readonly string[],
): Promise<Map<string, MerchantProfile>> {
  const unique = [...new Set(merchantIds)];
  const found = await pMap(
    unique,
    async (merchantId) => [merchantId, await merchants.get(merchantId)] as const,
    {
      concurrency: 16,
    },
  );
  return new Map(
    found.filter((entry): entry is readonly [string, MerchantProfile] => entry[1] !== undefined),
  );
}

function idOf(payment: Pick<Payment, "acquirer" | "paymentId">): string {
  return `${payment.acquirer}#${payment.paymentId}`;
}

function outboxPartition(noticeId: string, shards: number): string {
  return keys.outboxShard(Number.parseInt(noticeId.slice(0, 8), 16) % shards);
}
