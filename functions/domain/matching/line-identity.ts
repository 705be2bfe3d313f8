/**
 * Stable identities derived from a settlement line: the line key (for idempotency and for
 * "settled twice"), the payout batch it belongs to, and the date window of the window rung.
 */
import { createHash } from "node:crypto";
import { isoDateOfEpochDay, parseIsoDate } from "../calendar/civil-date.js";
import type { SettlementLine } from "../settlement-files/settlement-record.js";

/**
 * The identity of a line by its content: acquirer, kind, direction, references, currency, the
 * three amounts and the value date (sha256, hex). Deliberately not the file or the line number:
 * the same bill uploaded twice, or downloaded again with another BOM or line ending, yields the
 * same keys, so replaying it changes nothing. Consequences the use case must know:
 * - two byte-identical rows in one file share a key (the second is treated as a replay);
 * - the same money seen through two views (a WeChat trade bill row and its fund-flow row) has two
 *   keys: feed leg 1 from one view per acquirer, or the second view reads as "settled twice".
 */
export function settlementLineKey(line: SettlementLine, acquirer: string): string {
  const canonical = JSON.stringify([
    acquirer,
    line.kind,
    line.direction,
    line.reference,
    line.merchantReference,
    line.batchReference,
    line.merchantId,
    line.currency,
    line.grossMinor,
    line.feeMinor,
    line.netMinor,
    line.valueDate,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The payout batch a line belongs to: `ref:<acquirer>:<batchReference>` when the file names one,
 * else the acquirer's day batch for the merchant and currency, `day:<acquirer>:<merchant>:<currency>:<valueDate>`
 * (acquirers without batch ids pay out one sum per merchant, currency and value date).
 */
export function batchKeyOf(
  line: Pick<SettlementLine, "batchReference" | "merchantId" | "currency" | "valueDate">,
  acquirer: string,
  merchantId: string | null = line.merchantId,
): string {
  if (line.batchReference !== null) return `ref:${acquirer}:${line.batchReference}`;
  return `day:${acquirer}:${merchantId ?? "?"}:${line.currency}:${line.valueDate}`;
}

/** An inclusive range of calendar dates. */
export interface DateWindow {
  from: string;
  to: string;
}

/**
 * The dates `daysBefore` before to `daysAfter` after `isoDate`, inclusive; undefined when
 * `isoDate` is not a real YYYY-MM-DD date (the window rung is then skipped, never guessed).
 */
export function dateWindow(isoDate: string, daysBefore: number, daysAfter: number): DateWindow | undefined {
  const day = parseIsoDate(isoDate);
  if (day === undefined) return undefined;
  return { from: isoDateOfEpochDay(day - daysBefore), to: isoDateOfEpochDay(day + daysAfter) };
}

/** True when `isoDate` lies in the window (plain string order is date order for YYYY-MM-DD). */
export function inWindow(isoDate: string, window: DateWindow): boolean {
  return isoDate >= window.from && isoDate <= window.to;
}
