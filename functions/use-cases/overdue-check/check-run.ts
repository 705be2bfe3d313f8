import type { NoticeTextOptions } from "../../domain/notification/notice-text.js";
import type { SettlementFileExpectation } from "../../domain/overdue/settlement-file-expectation.js";
import type { Payment } from "../../domain/payment/payment.js";
import type {
  BusinessMetrics,
  Clock,
  FileDayLedger,
  MerchantRepository,
  NoticeQueue,
  NoticeStore,
  OverdueStore,
  RunBudget,
} from "../ports.js";

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

/** One run of the check: its instant (from the clock port, once), its budget and its report so far. */
export interface CheckRun {
  deps: OverdueCheckDeps;
  now: Date;
  nowIso: string;
  /** The escalation schedule, hours after the first notice. */
  hours: readonly number[];
  budget: RunBudget;
  report: OverdueCheckReport;
}

/** A notice (one channel) to put on the queue now. */
export interface QueuedNotice {
  noticeId: string;
  channel: string;
}

/** Payment ids are unique per acquirer only: the key of a payment in the run's maps. */
export function idOf(payment: Pick<Payment, "acquirer" | "paymentId">): string {
  return `${payment.acquirer}#${payment.paymentId}`;
}

export function emptyReport(asOf: string): OverdueCheckReport {
  return {
    asOf,
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
}
