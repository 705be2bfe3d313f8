import { collectPayoutBatches, type PayoutBatch } from "../../domain/matching/payout-batches.js";
import type { SettlementLine } from "../../domain/settlement-files/settlement-record.js";

/** One batch's running totals: the batch, and the latest value dates of its payout and other lines. */
export interface BatchPart {
  batch: PayoutBatch;
  payoutDate: string | null;
  lineDate: string | null;
}

/**
 * Per-batch totals of an acquirer file, folded line by line with {@link collectPayoutBatches}:
 * bounded by the number of batches, not of lines.
 */
export class BatchAggregate {
  private readonly totals = new Map<string, BatchPart>();

  constructor(private readonly acquirer: string) {}

  add(line: SettlementLine): void {
    const [part] = collectPayoutBatches([line], this.acquirer);
    if (!part) return;
    const payout = line.kind === "payout";
    this.addPart({
      batch: part,
      payoutDate: payout ? part.valueDate : null,
      lineDate: payout ? null : part.valueDate,
    });
  }

  /** Folds in a part (one line's, or a whole chunk's for the same batch). */
  addPart(part: BatchPart): void {
    const entry = this.totals.get(part.batch.batchKey);
    if (!entry) {
      this.totals.set(part.batch.batchKey, { ...part, batch: { ...part.batch } });
      return;
    }
    const { batch } = entry;
    if (part.batch.declaredNetMinor !== null) {
      batch.declaredNetMinor = (batch.declaredNetMinor ?? 0) + part.batch.declaredNetMinor;
    }
    batch.computedNetMinor += part.batch.computedNetMinor;
    batch.lineCount += part.batch.lineCount;
    if (part.payoutDate !== null && (entry.payoutDate === null || part.payoutDate > entry.payoutDate)) {
      entry.payoutDate = part.payoutDate;
    }
    if (part.lineDate !== null && (entry.lineDate === null || part.lineDate > entry.lineDate)) {
      entry.lineDate = part.lineDate;
    }
  }

  /** The running totals as they are (a chunk's, for the merge to fold). */
  parts(): BatchPart[] {
    return [...this.totals.values()];
  }

  batches(): PayoutBatch[] {
    return [...this.totals.values()].map(({ batch, payoutDate, lineDate }) => ({
      ...batch,
      netTotalMinor: batch.declaredNetMinor ?? batch.computedNetMinor,
      valueDate: payoutDate ?? lineDate ?? batch.valueDate,
    }));
  }
}
