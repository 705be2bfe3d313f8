import { arrivalFieldsOf } from "../domain/arrival/calendar-hold.js";
import { computeExpectedArrival } from "../domain/arrival/expected-arrival.js";
import { missingCalendarYears } from "../domain/calendar/calendar-horizon.js";
import type { DefaultMerchantTerms, MerchantProfile } from "../domain/merchant/merchant-profile.js";
import { noticeId, outboxShardOf } from "../domain/notification/notice-id.js";
import type { CalendarHold, ExpectedArrivalFields, Payment } from "../domain/payment/payment.js";
import type { CalendarProvider, Clock, MerchantRepository, NoticeRecord, NoticeStore } from "./ports.js";

/** The calendar check's view of the table (no scans: small partitions and one index partition per hold). */
export interface CalendarHoldStore {
  /** Every calendar a merchant profile was put with. */
  calendarsInUse(): Promise<string[]>;
  /** Every calendar and year that has held a payment (markers written with the held payments). */
  heldYears(): Promise<CalendarHold[]>;
  /** How many payments held for the year are past their guessed overdue time (they would have been alerted). */
  countHeldUpTo(hold: CalendarHold, nowIso: string): Promise<number>;
  /** The payments held for the year, a page at a time (current items, not the index's copy). */
  heldPayments(hold: CalendarHold): AsyncIterable<Payment[]>;
  /**
   * Writes the recomputed arrival (back on the due index, or held for a later year) on condition
   * that the payment is still PENDING and still held for `from`; false if it moved meanwhile.
   */
  /** `releasedAt`: now (an entry already past due is filed a margin after it, see the due index). */
  releaseHold(
    payment: Payment,
    from: CalendarHold,
    arrival: ExpectedArrivalFields,
    releasedAt: string,
  ): Promise<boolean>;
}

/** Calendar coverage as metrics (EMF in AWS): dimensions are the calendar and the year, never a merchant. */
export interface CalendarMetrics {
  /** How many (calendar, year) pairs the horizon lacks, 0 included: the alarm's metric. */
  yearsMissing(count: number): void;
  /** One calendar year the horizon lacks. */
  yearMissing(region: string, year: number): void;
  /** Payments held for a calendar year past their guessed overdue time. */
  paymentsHeld(region: string, year: number, count: number): void;
}

export interface CalendarCheckDeps {
  holds: CalendarHoldStore;
  calendars: CalendarProvider;
  merchants: MerchantRepository;
  notices: NoticeStore;
  clock: Clock;
  metrics: CalendarMetrics;
  config: {
    /** Days ahead every calendar in use must cover. */
    horizonDays: number;
    /** The terms of confirmations from unregistered merchants (their calendar is watched too). */
    defaultTerms: DefaultMerchantTerms;
    dueShards: number;
  };
}

export interface CalendarCheckReport {
  asOf: string;
  /** Every calendar watched, with the years of the horizon it lacks. */
  calendars: Array<{ region: string; missingYears: number[] }>;
  /** Per calendar year with held payments: recomputed now, or still waiting (and how many are past due). */
  holds: Array<{ region: string; year: number; covered: boolean; recomputed: number; pastDue: number }>;
  opsNotices: number;
}

/**
 * The scheduled calendar check (hourly by default, per deployment):
 * 1. every calendar in use (merchants' calendars, the default terms' one, calendars holding
 *    payments) must cover today + the horizon; each missing year is a metric (the ops alarm) and
 *    one ops notice a day naming the calendar and the year;
 * 2. payments held for a calendar year are recomputed as soon as that year is covered (an override
 *    loaded, or a new bundled calendar deployed): new expected arrival and explanation, back on the
 *    due index. While the year is missing, those past their guessed overdue time are counted and ops
 *    are told once a day; merchants are never told.
 */
export async function runCalendarCheck(deps: CalendarCheckDeps): Promise<CalendarCheckReport> {
  const nowIso = deps.clock.now().toISOString();
  const report: CalendarCheckReport = { asOf: nowIso, calendars: [], holds: [], opsNotices: 0 };
  const holds = await deps.holds.heldYears();
  const regions = new Set([
    ...(await deps.holds.calendarsInUse()),
    deps.config.defaultTerms.calendar,
    ...holds.map((hold) => hold.region),
  ]);
  await checkHorizon({ regions: [...regions].sort(), deps, nowIso, report });
  const profiles = new Map<string, Promise<MerchantProfile | undefined>>();
  for (const hold of holds) await checkHold(hold, deps, { nowIso, profiles, report });
  return report;
}

/** Every calendar must cover today + the horizon: a metric per missing year, the alarm's total, ops told. */
async function checkHorizon(options: {
  regions: readonly string[];
  deps: CalendarCheckDeps;
  nowIso: string;
  report: CalendarCheckReport;
}): Promise<void> {
  const { regions, deps, nowIso, report } = options;
  const today = nowIso.slice(0, 10);
  const { horizonDays } = deps.config;
  let missingCount = 0;
  for (const region of regions) {
    if (!(await deps.calendars.has(region))) continue; // an override-only region since removed
    const calendar = await deps.calendars.calendarFor(region);
    const missingYears = missingCalendarYears(calendar, today, horizonDays);
    report.calendars.push({ region, missingYears });
    for (const year of missingYears) {
      missingCount += 1;
      deps.metrics.yearMissing(region, year);
      const text = `The ${region} business calendar has no holiday data for ${year}, which is within the next ${horizonDays} days. Due dates in ${year} would be weekends-only guesses: payments depending on them are held (no merchant alerts). Load the official ${year} schedule as a calendar override (docs/deploy.md, "Yearly calendar routine").`;
      if (await opsNotice(deps, { region, year, level: 0, nowIso, text })) report.opsNotices += 1;
    }
  }
  deps.metrics.yearsMissing(missingCount);
}

/** A held calendar year: recompute its payments once covered; until then count the past-due ones and tell ops. */
async function checkHold(
  hold: CalendarHold,
  deps: CalendarCheckDeps,
  run: {
    nowIso: string;
    profiles: Map<string, Promise<MerchantProfile | undefined>>;
    report: CalendarCheckReport;
  },
): Promise<void> {
  const calendar = (await deps.calendars.has(hold.region))
    ? await deps.calendars.calendarFor(hold.region)
    : undefined;
  const covered = calendar?.coversYear(hold.year) ?? false;
  const entry = { ...hold, covered, recomputed: 0, pastDue: 0 };
  run.report.holds.push(entry);
  if (covered) {
    entry.recomputed = await recomputeHeld(hold, deps, { profiles: run.profiles, nowIso: run.nowIso });
    return;
  }
  entry.pastDue = await deps.holds.countHeldUpTo(hold, run.nowIso);
  if (entry.pastDue === 0) return;
  deps.metrics.paymentsHeld(hold.region, hold.year, entry.pastDue);
  const text = `${entry.pastDue} payment(s) are past their guessed overdue time but held, because their due date depends on ${hold.year}, which the ${hold.region} calendar does not cover. Merchants are not alerted. Load the ${hold.year} calendar override; the next calendar check recomputes them.`;
  if (await opsNotice(deps, { ...hold, level: 1, nowIso: run.nowIso, text })) run.report.opsNotices += 1;
}

/** Recomputes every payment held for a year that is now covered; returns how many moved. */
async function recomputeHeld(
  hold: CalendarHold,
  deps: CalendarCheckDeps,
  run: { profiles: Map<string, Promise<MerchantProfile | undefined>>; nowIso: string },
): Promise<number> {
  let recomputed = 0;
  for await (const page of deps.holds.heldPayments(hold)) {
    for (const payment of page) {
      if (payment.status !== "PENDING" || !payment.arrival) continue;
      if (await recomputeOne({ payment, hold, deps, ...run })) recomputed += 1;
    }
  }
  return recomputed;
}

/** A held payment's new expected arrival, with its merchant's terms (or the default terms); false if it moved. */
async function recomputeOne(options: {
  payment: Payment;
  hold: CalendarHold;
  deps: CalendarCheckDeps;
  profiles: Map<string, Promise<MerchantProfile | undefined>>;
  nowIso: string;
}): Promise<boolean> {
  const { payment, hold, deps, profiles } = options;
  let profile = profiles.get(payment.merchantId);
  if (!profile) {
    profile = deps.merchants.get(payment.merchantId);
    profiles.set(payment.merchantId, profile);
  }
  const known = await profile;
  const terms = known ?? deps.config.defaultTerms;
  const calendar = await deps.calendars.calendarFor(terms.calendar);
  const computed = computeExpectedArrival({
    confirmedAt: payment.confirmedAt,
    timeZone: terms.timeZone,
    terms: terms.settlement,
    calendar,
  });
  const loaded = `recomputed when the ${hold.region} calendar for ${hold.year} was loaded`;
  const arrival = arrivalFieldsOf(
    computed,
    calendar.region,
    known
      ? loaded
      : `${loaded}; merchant ${payment.merchantId} has no profile: deployment default terms used, nobody can be notified`,
  );
  return await deps.holds.releaseHold(payment, hold, arrival, options.nowIso);
}

/** One ops notice per calendar, year, kind (level 0: horizon, 1: held payments) and day. */
async function opsNotice(
  deps: CalendarCheckDeps,
  input: { region: string; year: number; level: 0 | 1; nowIso: string; text: string },
): Promise<boolean> {
  const recipientId = `ops#calendar-${input.region}-${input.year}`;
  const id = noticeId(recipientId, "calendar", input.level, { day: input.nowIso.slice(0, 10) });
  const notice: NoticeRecord = {
    noticeId: id,
    channel: "ops",
    recipientId,
    kind: "calendar",
    level: input.level,
    language: "en",
    subject:
      input.level === 0
        ? `settlewatch: ${input.region} calendar has no ${input.year} data`
        : `settlewatch: payments held, ${input.region} calendar has no ${input.year} data`,
    text: input.text,
    payments: [],
    sendAfter: input.nowIso,
    status: "SCHEDULED",
    createdAt: input.nowIso,
    attempts: 0,
  };
  // The overdue check queues outbox notices whose time has come, as it does for quiet hours.
  return await deps.notices.create(notice, outboxShardOf(id, deps.config.dueShards));
}
