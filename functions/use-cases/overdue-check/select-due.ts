import pMap from "p-map";
import {
  type AcquirerFiles,
  classifyDuePayments,
  type LateFile,
  settlementFileStatus,
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
 * Select due: reads each shard's escalation list up to now and its due list forward from the
 * shard's watermark (each due entry is read once, at its due time: a payment settled while PENDING
 * keeps its entry and is skipped here; a due marker brings its merchant day's payments, of which
 * those overdue by now are due), re-reads each hit from the table, and moves overdue
 * payments PENDING → OVERDUE with a conditional write. Its cost grows with what is due, not with
 * the table. Stops at the run's deadline (report.complete); the watermark keeps what was read.
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
      await readDueList({ run, shard, take: dueOf({ run, selection, files, shard }) });
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

/**
 * Reads one due shard from its watermark up to now and moves the watermark past what was handled.
 * Eventually consistent reads suffice: an entry comes due a lag margin after it is written, and a
 * stale PENDING is only a conditional write that fails.
 */
async function readDueList(options: {
  run: CheckRun;
  shard: number;
  take: (payments: Payment[]) => Promise<void>;
}): Promise<void> {
  const { run, shard, take } = options;
  const overdue = run.deps.overdue;
  const after = await overdue.dueWatermark(shard);
  let through = after;
  let complete = true;
  for await (const page of overdue.dueAfter(shard, after, run.nowIso)) {
    if (run.budget.pastDeadline()) {
      run.report.complete = false;
      complete = false;
      break;
    }
    const own = new Set(page.refs.map(idOf));
    const refs = [...page.refs, ...page.covered.filter((ref) => !own.has(idOf(ref)))];
    const read = await overdue.getPayments(refs, { consistent: false });
    run.report.examined += read.length;
    await take(read.filter((payment) => own.has(idOf(payment)) || dueByMarker(payment, run.now)));
    through = page.through ?? through;
  }
  if (complete) through = overdue.dueThrough(run.nowIso);
  if (through !== undefined && through !== after) await overdue.saveDueWatermark(shard, through);
}

/**
 * A due marker stands for its whole merchant day: of those payments it is the entry of the ones
 * overdue by now. The others have a later marker or entry of their own, and a payment held for an
 * uncovered calendar year waits on its hold (its overdue time is only a guess).
 */
function dueByMarker(payment: Payment, now: Date): boolean {
  if (payment.arrival?.calendarHold) return false;
  const overdueAt = Date.parse(payment.arrival?.overdueAt ?? "");
  return Number.isFinite(overdueAt) && overdueAt <= now.getTime();
}

/** Escalation list: payments still OVERDUE (not settled since) may be due a reminder. */
function remindersOf(selection: DueSelection): (payments: Payment[]) => Promise<void> {
  return async (payments) => {
    for (const payment of payments) {
      if (payment.status === "OVERDUE") selection.candidates.set(idOf(payment), payment);
    }
  };
}

/**
 * Due list: overdue now, awaiting their acquirer's file, or held back by a late file. Only PENDING
 * payments count (the others were settled or moved since their entry was written). Those not
 * overdue yet are filed again for when they may be: the watermark passes their entry.
 */
function dueOf(options: {
  run: CheckRun;
  selection: DueSelection;
  files: Record<string, AcquirerFiles>;
  shard: number;
}): (payments: Payment[]) => Promise<void> {
  const { run, selection, files, shard } = options;
  return async (read) => {
    const payments = read.filter((payment) => payment.status === "PENDING");
    const sorted = classifyDuePayments(payments, files, run.now);
    run.report.awaitingFile += sorted.awaitingFile.length;
    for (const payment of sorted.awaitingFile) {
      run.deps.metrics.count("PaymentsAwaitingFile", 1, payment.acquirer);
    }
    for (const late of sorted.lateFiles) addLateFile(selection.lateFiles, late);
    const later = [...sorted.awaitingFile, ...sorted.notDue];
    await pMap(
      later,
      (payment) =>
        run.deps.overdue.deferDue(payment, shard, {
          at: recheckAt(payment, files, run.now),
          nowIso: run.nowIso,
        }),
      { concurrency: WRITE_CONCURRENCY },
    );
    await pMap(sorted.overdue, (payment) => markOverdue({ run, selection, payment, shard }), {
      concurrency: WRITE_CONCURRENCY,
    });
  };
}

/** When a payment that is not overdue yet is looked at again: when its file is expected, or when it falls due. */
function recheckAt(payment: Payment, files: Record<string, AcquirerFiles>, now: Date): string {
  const acquirerFiles = Object.hasOwn(files, payment.acquirer) ? files[payment.acquirer] : undefined;
  const day = payment.arrival?.dueDate;
  const instants = [now.getTime(), Date.parse(payment.arrival?.overdueAt ?? "")];
  if (acquirerFiles && day) instants.push(settlementFileStatus(acquirerFiles, day, now).expectedAt.getTime());
  return new Date(Math.max(...instants.filter(Number.isFinite))).toISOString();
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
