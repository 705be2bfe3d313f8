import {
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
  /** Every counter, its shards added up. */
  totals(): Promise<OpenPaymentTotal[]>;
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
 * days) of the changes counted now, so a re-delivery does not report them twice either.
 */
export async function countTableChanges(
  changes: readonly ItemChange[],
  deps: { stats: OpenPaymentStatsStore; metrics: BusinessMetrics },
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
  let counted = 0;
  let alreadyCounted = 0;
  for (let start = 0; start < effects.length; start += CHANGES_PER_WRITE) {
    let group = effects.slice(start, start + CHANGES_PER_WRITE);
    while (group.length > 0) {
      const { alreadyCounted: skipped } = await deps.stats.count({
        changeIds: group.map((effect) => effect.changeId),
        deltas: sumTotals(group.flatMap((effect) => effect.deltas)),
      });
      if (skipped.length === 0) break;
      alreadyCounted += skipped.length;
      const done = new Set(skipped);
      group = group.filter((effect) => !done.has(effect.changeId));
    }
    counted += group.length;
    for (const effect of group) {
      if (effect.settledLate) deps.metrics.count("PaymentsSettledLate", 1, effect.settledLate);
      if (effect.reversed) deps.metrics.count("PaymentsReversed", 1, effect.reversed);
      if (effect.fileReceived) deps.metrics.count("SettlementFilesReceived", 1, effect.fileReceived);
    }
  }
  return { counted, alreadyCounted, ignored };
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
