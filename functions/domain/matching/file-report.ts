/**
 * The per-file report: what became of every record read from one settlement or bank file.
 *
 * Invariant: matched + mismatched + unmatched + rejected = records read. Each record ends as
 * exactly one of the four; `settledLate` is a subset of `matched` (matched lines that moved a
 * payment OVERDUE → SETTLED_LATE), reported beside it, never added to the sum; so is `reversed`
 * (reversal lines - WeChat REVOKED rows - that closed their sale as REVERSED; present when not 0).
 */
import type { ParseSummary, RejectedRecord, SettlementLine } from "../settlement-files/settlement-record.js";

/** The part of a decision the report needs: leg-1 `MatchDecision` and leg-2 `BankCreditDecision` both fit. */
export interface ReportableDecision {
  outcome: "matched" | "mismatched" | "unmatched";
  reasonCode: string;
  reason: string;
  transition?: { to: string } | undefined;
}

export type ReportOutcome = "matched" | "mismatched" | "unmatched" | "rejected";

export interface ReasonCount {
  outcome: ReportOutcome;
  reasonCode: string;
  count: number;
  /** The first reason seen with this code, as an example. */
  example: string;
}

export interface FileReportSummary {
  read: number;
  matched: number;
  /** Subset of `matched`: OVERDUE → SETTLED_LATE. Not part of the sum. */
  settledLate: number;
  /** Subset of `matched`: reversal lines that closed their sale (present when not 0). Not part of the sum. */
  reversed?: number;
  mismatched: number;
  unmatched: number;
  rejected: number;
  /** Lines read but not decided yet (0 in a finished, balanced report). */
  undecided: number;
  balanced: boolean;
  topReasons: ReasonCount[];
}

/** The report does not add up: some record was read and never decided (or decided twice). */
export class UnbalancedReportError extends Error {
  override name = "UnbalancedReportError";
}

/**
 * Accumulates one file's outcomes. Feed it every record in order: `addLine` for a line then
 * `addDecision` for its decision (or `rejectLine` if the use case rejects it); `addRejected` for
 * the parser's rejected records.
 */
export class SettlementFileReport {
  private read = 0;
  private undecided = 0;
  private readonly counts = { matched: 0, settledLate: 0, mismatched: 0, unmatched: 0, rejected: 0 };
  private reversed = 0;
  private parserRejected = 0;
  private readonly reasons = new Map<string, ReasonCount>();

  /** A line was read; its decision must follow. */
  addLine(_line?: SettlementLine): void {
    this.read++;
    this.undecided++;
  }

  /** The decision for the last line read. Throws if no line awaits a decision. */
  addDecision(decision: ReportableDecision): void {
    this.takeUndecided();
    this.counts[decision.outcome]++;
    if (decision.outcome === "matched" && decision.transition?.to === "SETTLED_LATE")
      this.counts.settledLate++;
    if (decision.outcome === "matched" && decision.reasonCode === "reversal") this.reversed++;
    this.countReason(decision.outcome, decision.reasonCode, decision.reason);
  }

  /** A line read but refused by the use case (kept with its reason), instead of a decision. */
  rejectLine(reason: string, reasonCode = "rejected"): void {
    this.takeUndecided();
    this.counts.rejected++;
    this.countReason("rejected", reasonCode, reason);
  }

  /** A record the parser rejected: read and rejected at once. */
  addRejected(record: RejectedRecord): void {
    this.read++;
    this.counts.rejected++;
    this.parserRejected++;
    this.countReason("rejected", "unreadable", `line ${record.source}: ${record.reason}`);
  }

  /** The reasons, most frequent first (ties: by outcome then code, for a stable report). */
  topReasons(limit = 5): ReasonCount[] {
    return [...this.reasons.values()]
      .sort(
        (a, b) =>
          b.count - a.count || a.outcome.localeCompare(b.outcome) || a.reasonCode.localeCompare(b.reasonCode),
      )
      .slice(0, limit)
      .map((reason) => ({ ...reason }));
  }

  isBalanced(): boolean {
    const { matched, mismatched, unmatched, rejected } = this.counts;
    return this.undecided === 0 && matched + mismatched + unmatched + rejected === this.read;
  }

  /** Throws {@link UnbalancedReportError} unless every record read ended as exactly one outcome. */
  assertBalanced(): void {
    if (this.isBalanced()) return;
    const { matched, mismatched, unmatched, rejected } = this.counts;
    throw new UnbalancedReportError(
      `report does not add up: ${this.read} read, but matched ${matched} + mismatched ${mismatched} + ` +
        `unmatched ${unmatched} + rejected ${rejected} = ${matched + mismatched + unmatched + rejected}` +
        (this.undecided > 0 ? ` (${this.undecided} line(s) never decided)` : ""),
    );
  }

  /**
   * Checks the report against the reader's summary record: every line and rejected record the
   * reader counted was reported. Throws {@link UnbalancedReportError} otherwise (also when unbalanced).
   */
  assertMatchesSummary(summary: Pick<ParseSummary, "lines" | "rejected">): void {
    this.assertBalanced();
    const lines = this.read - this.parserRejected;
    if (lines !== summary.lines || this.parserRejected !== summary.rejected) {
      throw new UnbalancedReportError(
        `report read ${lines} line(s) and ${this.parserRejected} rejected record(s); the file summary says ${summary.lines} and ${summary.rejected}`,
      );
    }
  }

  summary(topReasons = 5): FileReportSummary {
    return {
      read: this.read,
      ...this.counts,
      ...(this.reversed > 0 ? { reversed: this.reversed } : {}),
      undecided: this.undecided,
      balanced: this.isBalanced(),
      topReasons: this.topReasons(topReasons),
    };
  }

  private takeUndecided(): void {
    if (this.undecided === 0) {
      throw new UnbalancedReportError("a decision was recorded for no line read: each line is decided once");
    }
    this.undecided--;
  }

  private countReason(outcome: ReportOutcome, reasonCode: string, reason: string): void {
    const key = `${outcome}\u0000${reasonCode}`;
    const entry = this.reasons.get(key);
    if (entry) entry.count++;
    else this.reasons.set(key, { outcome, reasonCode, count: 1, example: reason });
  }
}
