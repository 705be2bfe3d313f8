import {
  acquirerOf,
  type ChangeEffect,
  effectOf,
  hasEffect,
  type ItemChange,
  type OpenPaymentTotal,
  sumTotals,
} from "../domain/stats/open-payment-stats.js";
import type { BusinessMetrics, GaugeMetrics } from "./ports.js";

/** Where the open-payment counters live (DynamoDB: sharded counter items and one marker per change). */
export interface OpenPaymentStatsStore {
  /**
   * Counts a group of changes at once, atomically: marks each change as counted and adds the
   * deltas. If some of them were counted before (a re-delivered stream record), nothing is written
   * and their ids are returned, so the caller can count the rest.
   */
  count(group: { changeIds: string[]; deltas: OpenPaymentTotal[] }): Promise<{ alreadyCounted: string[] }>;
  /**
   * Adds the deltas of one acquirer's changes from one stream shard (the lane), numbered
   * `firstSequence`..`lastSequence`, in one conditional write that also moves the lane's watermark
   * to `lastSequence`; only if the watermark is below `firstSequence`. Otherwise nothing is written
   * and the watermark is returned: every change of that acquirer in that lane up to it was counted.
   */
  countInLane(group: LaneGroup): Promise<{ watermark?: string }>;
  /** Every counter, its shards added up. */
  totals(): Promise<OpenPaymentTotal[]>;
}

/** One acquirer's changes from one stream shard, as one conditional write. */
export interface LaneGroup {
  lane: string;
  acquirer: string;
  firstSequence: string;
  lastSequence: string;
  deltas: OpenPaymentTotal[];
}

/** Changes per atomic write: a marker each plus at most two counters each stays under DynamoDB's 100. */
export const CHANGES_PER_WRITE = 25;

export interface CountChangesResult {
  /** Changes counted by this call. */
  counted: number;
  /** Changes that had been counted before (re-delivered). */
  alreadyCounted: number;
  /** Changes that touch no counter and no flow (most payment updates). */
  ignored: number;
}

/**
 * Counts a batch of table changes into the open-payment counters, each change exactly once
 * however often it is delivered, and reports the flows (payments settled late, new settlement-file
 * days) of the changes counted now, so a re-delivery does not report them twice either. With a
 * `lane` (the stream shard the batch came from) it costs one small write per acquirer and batch;
 * without one, a marker per change.
 */
export async function countTableChanges(
  changes: readonly ItemChange[],
  deps: { stats: OpenPaymentStatsStore; metrics: BusinessMetrics },
  options: { lane?: string | undefined } = {},
): Promise<CountChangesResult> {
  const seen = new Set<string>();
  const effects: ChangeEffect[] = [];
  let ignored = 0;
  for (const change of changes) {
    if (seen.has(change.changeId)) continue;
    seen.add(change.changeId);
    const effect = effectOf(change);
    if (hasEffect(effect)) effects.push(effect);
    else ignored += 1;
  }
  const { counted, alreadyCounted } = options.lane
    ? await countInLane(effects, options.lane, deps.stats)
    : await countWithMarkers(effects, deps.stats);
  for (const effect of counted) {
    if (effect.settledLate) deps.metrics.count("PaymentsSettledLate", 1, effect.settledLate);
    if (effect.reversed) deps.metrics.count("PaymentsReversed", 1, effect.reversed);
    if (effect.fileReceived) deps.metrics.count("SettlementFilesReceived", 1, effect.fileReceived);
  }
  return { counted: counted.length, alreadyCounted, ignored };
}

type Counting = { counted: ChangeEffect[]; alreadyCounted: number };

const sequenceOf = (effect: ChangeEffect): bigint => {
  if (!effect.sequenceNumber || !/^\d{1,40}$/.test(effect.sequenceNumber))
    throw new Error(`change ${effect.changeId} has no sequence number: it cannot be counted in a lane`);
  return BigInt(effect.sequenceNumber);
};

/**
 * The changes of one stream shard, aggregated: one conditional write per acquirer, guarded by the
 * lane's watermark (a shard is delivered in order, so what is counted is always a prefix of it). A
 * re-delivered or overlapping batch finds the watermark and counts only the changes beyond it.
 */
async function countInLane(
  effects: ChangeEffect[],
  lane: string,
  stats: OpenPaymentStatsStore,
): Promise<Counting> {
  const byAcquirer = new Map<string, ChangeEffect[]>();
  for (const effect of effects) {
    const acquirer = acquirerOf(effect);
    if (acquirer === undefined) continue;
    byAcquirer.set(acquirer, [...(byAcquirer.get(acquirer) ?? []), effect]);
  }
  const result: Counting = { counted: [], alreadyCounted: 0 };
  for (const [acquirer, group] of byAcquirer) {
    let pending = group.sort((a, b) => (sequenceOf(a) < sequenceOf(b) ? -1 : 1));
    while (pending.length > 0) {
      const { watermark } = await stats.countInLane({
        lane,
        acquirer,
        firstSequence: String(sequenceOf(pending[0] as ChangeEffect)),
        lastSequence: String(sequenceOf(pending.at(-1) as ChangeEffect)),
        deltas: sumTotals(pending.flatMap((effect) => effect.deltas)),
      });
      if (watermark === undefined) {
        result.counted.push(...pending);
        break;
      }
      const beyond = pending.filter((effect) => sequenceOf(effect) > BigInt(watermark));
      result.alreadyCounted += pending.length - beyond.length;
      pending = beyond;
    }
  }
  return result;
}

/** Without a lane (a stream shard unknown): one marker per change, in transactions of 25. */
async function countWithMarkers(effects: ChangeEffect[], stats: OpenPaymentStatsStore): Promise<Counting> {
  const result: Counting = { counted: [], alreadyCounted: 0 };
  for (let start = 0; start < effects.length; start += CHANGES_PER_WRITE) {
    let group = effects.slice(start, start + CHANGES_PER_WRITE);
    while (group.length > 0) {
      const { alreadyCounted: skipped } = await stats.count({
        changeIds: group.map((effect) => effect.changeId),
        deltas: sumTotals(group.flatMap((effect) => effect.deltas)),
      });
      if (skipped.length === 0) break;
      result.alreadyCounted += skipped.length;
      const done = new Set(skipped);
      group = group.filter((effect) => !done.has(effect.changeId));
    }
    result.counted.push(...group);
  }
  return result;
}

/** A counter as reports show it: the amount as exact decimal text (JSON numbers stop at 2^53). */
export type OpenPaymentAmount = Omit<OpenPaymentTotal, "amountMinor"> & { amountMinor: string };

/** The open-payment gauges of one moment: counts per acquirer, amounts per acquirer and currency. */
export interface OpenPaymentsReport {
  acquirers: Array<{ acquirer: string; pending: number; overdue: number }>;
  amounts: OpenPaymentAmount[];
}

/**
 * Reads the counters and publishes them as gauges (the overdue check does it on every run, so the
 * dashboard has a point per period even when nothing changes). `acquirers` are published with 0
 * when they have no counter yet, so a configured acquirer's line starts at zero rather than nowhere.
 */
export async function reportOpenPayments(
  deps: { stats: OpenPaymentStatsStore; gauges: GaugeMetrics },
  acquirers: readonly string[] = [],
): Promise<OpenPaymentsReport> {
  const totals = await deps.stats.totals();
  const perAcquirer = new Map<string, { acquirer: string; pending: number; overdue: number }>(
    acquirers.map((acquirer) => [acquirer, { acquirer, pending: 0, overdue: 0 }]),
  );
  for (const total of totals) {
    const entry = perAcquirer.get(total.acquirer) ?? { acquirer: total.acquirer, pending: 0, overdue: 0 };
    if (total.state === "PENDING") entry.pending += total.count;
    else entry.overdue += total.count;
    perAcquirer.set(total.acquirer, entry);
    // A metric value is a double in CloudWatch anyway; the exact figure is in the report.
    deps.gauges.level(
      total.state === "PENDING" ? "PendingAmountMinor" : "OverdueAmountMinor",
      Number(total.amountMinor),
      { acquirer: total.acquirer, currency: total.currency },
    );
  }
  for (const { acquirer, pending, overdue } of perAcquirer.values()) {
    deps.gauges.level("PendingPayments", pending, { acquirer });
    deps.gauges.level("OverduePayments", overdue, { acquirer });
  }
  return {
    acquirers: [...perAcquirer.values()].sort((a, b) => a.acquirer.localeCompare(b.acquirer)),
    amounts: totals.map((total) => ({ ...total, amountMinor: total.amountMinor.toString() })),
  };
}
