import type { ControlResult } from "../settlement-record.js";
import { minorToDecimal } from "./amounts.js";

/**
 * Collects "the file says X, its detail adds up to Y" comparisons and turns them into the
 * summary's control verdict. A mismatch is reported, never thrown: real files are often truncated.
 */
export class ControlComparison {
  private readonly agreed: string[] = [];
  private readonly differing: string[] = [];

  /** Compares a count or an amount (`digits` > 0: integers of 10^-digits units, shown as decimals). */
  compare(label: string, fileValue: number, detailValue: number, digits = 0): this {
    const show = (v: number) => (digits === 0 ? String(v) : minorToDecimal(v, digits));
    if (fileValue === detailValue) this.agreed.push(`${label} ${show(fileValue)}`);
    else
      this.differing.push(`${label}: file says ${show(fileValue)}, detail adds up to ${show(detailValue)}`);
    return this;
  }

  /** A problem found while reading the control figures themselves (missing or unreadable). */
  problem(text: string): this {
    this.differing.push(text);
    return this;
  }

  get empty(): boolean {
    return this.agreed.length === 0 && this.differing.length === 0;
  }

  result(source: string): ControlResult {
    if (this.differing.length > 0) {
      return { control: "mismatch", controlDetail: `${source}: ${this.differing.join("; ")}` };
    }
    if (this.agreed.length === 0) return absentControl(`${source}: no control figures`);
    return { control: "ok", controlDetail: `${source} agrees: ${this.agreed.join(", ")}` };
  }
}

export function absentControl(detail: string): ControlResult {
  return { control: "absent", controlDetail: detail };
}
