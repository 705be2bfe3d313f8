import type { ControlResult } from "../settlement-record.js";

const MAX_ISSUES_IN_DETAIL = 5;

/**
 * Collects the comparisons of a file's own control figures (balances, summaries, trailers) with
 * what the parser read, and turns them into one {@link ControlResult}. A mismatch is a warning for
 * the operator (real files are often truncated), never an exception.
 */
export class ControlLedger {
  private readonly agreed: string[] = [];
  private readonly issues: string[] = [];
  private readonly notes: string[] = [];

  /** Records a figure that was checked and agreed ("statement X: OPBD + entries = CLBD"). */
  agree(what: string): void {
    this.agreed.push(what);
  }

  /** Records a figure that disagrees, saying which one and by how much. */
  disagree(what: string): void {
    this.issues.push(what);
  }

  /** A remark that explains the result without being a check (e.g. "2 entries not booked"). */
  note(what: string): void {
    this.notes.push(what);
  }

  get hasChecks(): boolean {
    return this.agreed.length > 0 || this.issues.length > 0;
  }

  result(absentDetail: string): ControlResult {
    const notes = this.notes.length > 0 ? ` (${this.notes.join("; ")})` : "";
    if (this.issues.length > 0) {
      const shown = this.issues.slice(0, MAX_ISSUES_IN_DETAIL).join("; ");
      const more =
        this.issues.length > MAX_ISSUES_IN_DETAIL
          ? `; and ${this.issues.length - MAX_ISSUES_IN_DETAIL} more`
          : "";
      return { control: "mismatch", controlDetail: `${shown}${more}${notes}` };
    }
    if (this.agreed.length > 0) {
      const shown = this.agreed.slice(0, MAX_ISSUES_IN_DETAIL).join("; ");
      const more =
        this.agreed.length > MAX_ISSUES_IN_DETAIL
          ? `; and ${this.agreed.length - MAX_ISSUES_IN_DETAIL} more`
          : "";
      return { control: "ok", controlDetail: `${shown}${more}${notes}` };
    }
    return { control: "absent", controlDetail: `${absentDetail}${notes}` };
  }
}
