import type { MerchantProfile } from "../domain/merchant/merchant-profile.js";
import { buildArrivedNotice } from "../domain/notification/digest.js";
import { DEFAULT_ESCALATION_HOURS } from "../domain/notification/escalation.js";
import { planMerchantNotice } from "../domain/notification/notice-plan.js";
import type { Payment } from "../domain/payment/payment.js";
import {
  type CheckRun,
  emptyReport,
  type OverdueCheckDeps,
  type OverdueCheckReport,
  type QueuedNotice,
} from "./overdue-check/check-run.js";
import { decideNotices, loadProfiles } from "./overdue-check/decide-notices.js";
import {
  noticesDueForSending,
  planLateFileAlerts,
  planMerchantNotices,
  queueNotices,
  scheduleNotice,
} from "./overdue-check/plan-notices.js";
import { selectDuePayments } from "./overdue-check/select-due.js";
import { type RunBudget, unlimitedRun } from "./ports.js";

export type { OverdueCheckConfig, OverdueCheckDeps, OverdueCheckReport } from "./overdue-check/check-run.js";

/**
 * The scheduled check, in three steps (overdue-check/):
 * 1. select due - the due and escalation lists up to now, re-read from the table, overdue payments
 *    moved PENDING → OVERDUE (select-due.ts);
 * 2. decide - which of them are due a notice now, at which escalation level, one digest per
 *    merchant (decide-notices.ts);
 * 3. plan notices - each digest and late-file alert scheduled once through the notice ledger, then
 *    every notice whose send time has come queued (plan-notices.ts).
 * Its cost grows with what is due, not with the table.
 */
export async function runOverdueCheck(
  deps: OverdueCheckDeps,
  options: { budget?: RunBudget } = {},
): Promise<OverdueCheckReport> {
  const now = deps.clock.now();
  const run: CheckRun = {
    deps,
    now,
    nowIso: now.toISOString(),
    hours: deps.config.escalationHours ?? DEFAULT_ESCALATION_HOURS,
    budget: options.budget ?? unlimitedRun,
    report: emptyReport(now.toISOString()),
  };
  const selection = await selectDuePayments(run);
  const decisions = await decideNotices(run, selection.candidates);
  const toQueue: QueuedNotice[] = [
    ...(await planMerchantNotices({ run, decisions, candidates: selection.candidates })),
    ...(await planLateFileAlerts(run, selection.lateFiles)),
    ...(await noticesDueForSending(run)),
  ];
  run.report.noticesQueued = await queueNotices(toQueue, deps);
  return run.report;
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
  const toQueue: QueuedNotice[] = [];
  let scheduled = 0;
  for (const [merchantId, payments] of byMerchant) {
    const profile = profiles.get(merchantId) as MerchantProfile;
    const notice = buildArrivedNotice(profile, payments);
    const plan = planMerchantNotice(notice, profile, now, deps.config.noticeText ?? {});
    const language = profile.contact.language;
    const result = await scheduleNotice({ plan, language, deps, nowIso: now.toISOString() });
    scheduled += result.created;
    toQueue.push(...result.toQueue);
  }
  await queueNotices(toQueue, deps);
  return scheduled;
}
