import pMap from "p-map";
import {
  type AcquirerFiles,
  classifyDuePayments,
  type LateFile,
} from "../../domain/overdue/settlement-file-expectation.js";
import type { Payment } from "../../domain/payment/payment.js";
import type { DueList } from "../ports.js";
import { type CheckRun, idOf } from "./check-run.js";

const SHARD_CONCURRENCY = 4;
const WRITE_CONCURRENCY = 16;

/** What the selection found: OVERDUE payments that may be due a notice, and late settlement files. */
export interface DueSelection {
  candidates: Map<string, Payment>;
  lateFiles: Map<string, LateFile>;
}

/**
 * Select due: reads each shard's escalation and due lists up to now, re-reads each hit from the
 * table (the index can lag), and moves overdue payments PENDING → OVERDUE with a conditional write.
 * Its cost grows with what is due, not with the table. Stops at the run's deadline (report.complete).
 */
export async function selectDuePayments(run: CheckRun): Promise<DueSelection> {
  const selection: DueSelection = { candidates: new Map(), lateFiles: new Map() };
  const files = await acquirerFiles(run);
  const shards = Array.from({ length: run.deps.config.dueShards }, (_, shard) => shard);
  await pMap(
    shards,
    async (shard) => {
      // Reminders first: payments marked overdue below are added directly, not read back from the index.
      if (!(await readList({ run, list: { kind: "escalation", shard }, take: remindersOf(selection) })))
        return;
      await readList({ run, list: { kind: "due", shard }, take: dueOf({ run, selection, files, shard }) });
    },
    { concurrency: SHARD_CONCURRENCY },
  );
  return selection;
}

/** Reads one work list page by page; false when the run's deadline stopped it. */
async function readList(options: {
  run: CheckRun;
  list: DueList;
  take: (payments: Payment[]) => Promise<void>;
}): Promise<boolean> {
  const { run, list, take } = options;
  for await (const refs of run.deps.overdue.indexedUpTo(list, run.nowIso)) {
    if (run.budget.pastDeadline()) {
      run.report.complete = false;
      return false;
    }
    const payments = await run.deps.overdue.getPayments(refs);
    run.report.examined += payments.length;
    await take(payments);
  }
  return true;
}

/** Escalation list: payments still OVERDUE (not settled since) may be due a reminder. */
function remindersOf(selection: DueSelection): (payments: Payment[]) => Promise<void> {
  return async (payments) => {
    for (const payment of payments) {
      if (payment.status === "OVERDUE") selection.candidates.set(idOf(payment), payment);
    }
  };
}

/** Due list: overdue now, awaiting their acquirer's file, or held back by a late file. */
function dueOf(options: {
  run: CheckRun;
  selection: DueSelection;
  files: Record<string, AcquirerFiles>;
  shard: number;
}): (payments: Payment[]) => Promise<void> {
  const { run, selection, files, shard } = options;
  return async (payments) => {
    const sorted = classifyDuePayments(payments, files, run.now);
    run.report.awaitingFile += sorted.awaitingFile.length;
    for (const payment of sorted.awaitingFile) {
      run.deps.metrics.count("PaymentsAwaitingFile", 1, payment.acquirer);
    }
    for (const late of sorted.lateFiles) addLateFile(selection.lateFiles, late);
    await pMap(sorted.overdue, (payment) => markOverdue({ run, selection, payment, shard }), {
      concurrency: WRITE_CONCURRENCY,
    });
  };
}

function addLateFile(lateFiles: Map<string, LateFile>, late: LateFile): void {
  const key = `${late.acquirer}#${late.day}`;
  const entry = lateFiles.get(key) ?? { ...late, heldPayments: 0 };
  entry.heldPayments += late.heldPayments;
  lateFiles.set(key, entry);
}

/** PENDING → OVERDUE (conditionally), onto the same shard of the escalation list. */
async function markOverdue(options: {
  run: CheckRun;
  selection: DueSelection;
  payment: Payment;
  shard: number;
}): Promise<void> {
  const { run, selection, payment, shard } = options;
  const marked = await run.deps.overdue.markOverdue(payment, run.nowIso, { shard, at: run.nowIso });
  if (!marked) return; // settled or marked by a concurrent check meanwhile
  run.report.markedOverdue += 1;
  run.deps.metrics.count("PaymentsOverdue", 1, payment.acquirer);
  selection.candidates.set(idOf(payment), { ...payment, status: "OVERDUE", overdueMarkedAt: run.nowIso });
}

async function acquirerFiles(run: CheckRun): Promise<Record<string, AcquirerFiles>> {
  const expectations = run.deps.config.fileExpectations ?? {};
  const entries = await Promise.all(
    Object.entries(expectations).map(
      async ([acquirer, expectation]) =>
        [acquirer, { expectation, latestFileDay: await run.deps.fileDays.latestFileDay(acquirer) }] as const,
    ),
  );
  return Object.fromEntries(entries);
}
