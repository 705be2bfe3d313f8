import * as z from "zod";
import {
  addDays,
  firstInstantAt,
  formatLocalDate,
  minuteOfDay,
  parseLocalDate,
} from "../notification/wall-clock.js";
import type { Payment } from "../payment/payment.js";
import { isKnownTimeZone } from "../time/time-zone.js";
import { decideOverdue } from "./overdue-policy.js";

// Whether an acquirer's settlement file for a day is in, due, or late. A payment whose file is
// missing is not overdue yet (the money may be there; we cannot see it): its merchant is not told,
// and ops are alerted once the file is late.

/**
 * When an acquirer's file for a day is expected: on that day plus `daysAfter`, by `expectedBy`
 * on the wall clock of `timeZone`. E.g. a WeChat Pay bill for 8 Oct is available 9 Oct 10:00
 * Asia/Shanghai: `{ expectedBy: "10:00", timeZone: "Asia/Shanghai", daysAfter: 1 }`.
 */
export const settlementFileExpectationSchema = z.strictObject({
  expectedBy: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (24-hour, local time)'),
  timeZone: z.string().refine(isKnownTimeZone, "not an IANA time zone, e.g. Asia/Shanghai"),
  daysAfter: z.number().int().min(0).max(7).default(1),
});
export type SettlementFileExpectation = z.infer<typeof settlementFileExpectationSchema>;

/** What is known of one acquirer's files. */
export interface AcquirerFiles {
  expectation: SettlementFileExpectation;
  /**
   * "YYYY-MM-DD" of the latest day whose file has been received, if any. Files are taken to
   * arrive in day order: a file for a later day means the earlier ones are in (a gap is for the
   * file ingest to report, not for this rule to guess).
   */
  latestFileDay?: string | undefined;
}

export type FileState =
  /** The file for the day is in. */
  | "received"
  /** Not in, and not expected yet. */
  | "expected-later"
  /** Not in, and past its expected time: alert ops. */
  | "late";

export interface FileStatus {
  state: FileState;
  /** UTC instant the file was or is expected by. */
  expectedAt: Date;
  /** True unless the file is in: payments due that day are held, not overdue. */
  awaitingFile: boolean;
  /** True when the file is late: ops are alerted (once per acquirer and day, see noticeId). */
  opsAlert: boolean;
}

/**
 * The status of an acquirer's file for `fileDay` at `now`. While a file is missing, payments due
 * that day are "awaiting file" whether or not the file is late yet: a merchant is never told
 * money is late before the data that would show it has been read. Ops are alerted only once it is
 * late. If `expectedBy` falls in a DST gap, the file is expected from the change on.
 *
 * @param fileDay "YYYY-MM-DD", the payment's `arrival.dueDate`.
 * @throws RangeError on a malformed day or time, or an unknown zone.
 */
export function settlementFileStatus(files: AcquirerFiles, fileDay: string, now: Date): FileStatus {
  const { expectedBy, timeZone, daysAfter } = files.expectation;
  const day = parseLocalDate(fileDay);
  const expectedAt = new Date(firstInstantAt(addDays(day, daysAfter), minuteOfDay(expectedBy), timeZone));
  if (files.latestFileDay !== undefined) parseLocalDate(files.latestFileDay);
  // Valid "YYYY-MM-DD" strings order like the dates they name.
  if (files.latestFileDay !== undefined && files.latestFileDay >= fileDay) {
    return { state: "received", expectedAt, awaitingFile: false, opsAlert: false };
  }
  const late = now.getTime() >= expectedAt.getTime();
  return { state: late ? "late" : "expected-later", expectedAt, awaitingFile: true, opsAlert: late };
}

/**
 * The days after `latestFileDay` whose file is late at `now`, oldest first, at most `maxDays`
 * (the most recent ones): what ops are alerted about even when no payment is due on those days.
 * Empty when no file was ever received (there is no day to count from). Looks at most a year
 * past `latestFileDay`.
 */
export function lateFileDays(files: AcquirerFiles, now: Date, maxDays = 7): string[] {
  if (files.latestFileDay === undefined) return [];
  const latest = parseLocalDate(files.latestFileDay);
  const late: string[] = [];
  for (let days = 1; days <= 366; days += 1) {
    const day = formatLocalDate(addDays(latest, days));
    if (settlementFileStatus(files, day, now).state !== "late") break;
    late.push(day);
  }
  return late.slice(-maxDays);
}

/** An acquirer's file that is late, with how many overdue payments it holds back. */
export interface LateFile {
  acquirer: string;
  /** "YYYY-MM-DD" */
  day: string;
  expectedAt: Date;
  timeZone: string;
  /** Payments past their overdue time held as "awaiting file" because of this file. */
  heldPayments: number;
}

export interface DuePaymentsClassification<P> {
  overdue: P[];
  awaitingFile: P[];
  notDue: P[];
  /** One per acquirer and day, sorted by acquirer then day. */
  lateFiles: LateFile[];
}

/**
 * Sorts the payments a check read from the due index. An acquirer without an entry in `files`
 * sends no file the monitor waits for (or none is configured): its payments are decided on time
 * alone.
 */
export function classifyDuePayments<P extends Pick<Payment, "acquirer" | "status" | "arrival">>(
  payments: readonly P[],
  files: Readonly<Record<string, AcquirerFiles>>,
  now: Date,
): DuePaymentsClassification<P> {
  const result: DuePaymentsClassification<P> = { overdue: [], awaitingFile: [], notDue: [], lateFiles: [] };
  const late = new Map<string, LateFile>();
  for (const payment of payments) {
    const acquirerFiles = Object.hasOwn(files, payment.acquirer) ? files[payment.acquirer] : undefined;
    const fileDay = payment.arrival?.dueDate;
    const status = acquirerFiles && fileDay ? settlementFileStatus(acquirerFiles, fileDay, now) : undefined;
    const decision = decideOverdue(payment, now, { awaitingFile: status?.awaitingFile ?? false });
    if (decision === "not-due") {
      result.notDue.push(payment);
      continue;
    }
    if (decision === "overdue") {
      result.overdue.push(payment);
      continue;
    }
    result.awaitingFile.push(payment);
    if (status?.opsAlert && acquirerFiles && fileDay) {
      const key = `${payment.acquirer}#${fileDay}`;
      const entry = late.get(key) ?? {
        acquirer: payment.acquirer,
        day: formatLocalDate(parseLocalDate(fileDay)),
        expectedAt: status.expectedAt,
        timeZone: acquirerFiles.expectation.timeZone,
        heldPayments: 0,
      };
      entry.heldPayments += 1;
      late.set(key, entry);
    }
  }
  result.lateFiles = [...late.values()].sort((a, b) =>
    a.acquirer === b.acquirer ? a.day.localeCompare(b.day) : a.acquirer.localeCompare(b.acquirer),
  );
  return result;
}
