/**
 * Open payments (money not arrived yet) counted per acquirer, state and currency, kept up to date
 * from the table's changes: each change takes the item's old state out and puts its new state in.
 * A gauge of "how many payments are pending / overdue, and how much is overdue" then costs one
 * small read, however many payments there are, instead of a scan.
 */

/** The states in which a payment's money is still expected. */
export const OPEN_STATES = ["PENDING", "OVERDUE"] as const;
export type OpenState = (typeof OPEN_STATES)[number];

/**
 * One counter: how many open payments, and their amount, for one acquirer, state and currency.
 * The amount is a bigint: a sum of many payments can pass 2^53, where JS numbers stop being exact
 * (DynamoDB keeps 38 digits exactly).
 */
export interface OpenPaymentTotal {
  acquirer: string;
  state: OpenState;
  currency: string;
  count: number;
  amountMinor: bigint;
}

/** A stored item as the change stream shows it (attribute names of the table's payment items). */
export type ItemImage = Readonly<Record<string, unknown>>;

/** One change of one item: what a DynamoDB stream record carries, already unmarshalled. */
export interface ItemChange {
  /** Unique per change (the stream record's eventID): what makes counting it idempotent. */
  changeId: string;
  /**
   * The stream record's sequence number (decimal digits): increases along a stream shard, so a
   * shard's watermark tells which of its changes were counted.
   */
  sequenceNumber?: string | undefined;
  oldImage?: ItemImage | undefined;
  newImage?: ItemImage | undefined;
}

/** What one change means for the counters and the flow metrics. */
export interface ChangeEffect {
  changeId: string;
  sequenceNumber?: string | undefined;
  /** Counter deltas (non-zero only). */
  deltas: OpenPaymentTotal[];
  /** The acquirer of a payment this change moved OVERDUE → SETTLED_LATE. */
  settledLate?: string;
  /** The acquirer of a payment this change closed as REVERSED (also one stored REVERSED at once). */
  reversed?: string;
  /** The acquirer whose settlement file for a new day was recorded by this change. */
  fileReceived?: string;
}

const isOpenState = (value: unknown): value is OpenState =>
  typeof value === "string" && (OPEN_STATES as readonly string[]).includes(value);

/** The counter a stored item adds to, or undefined when it is not an open payment. */
export function openShareOf(image: ItemImage | undefined): OpenPaymentTotal | undefined {
  if (image?.entity !== "payment" || image.kind !== "payment") return undefined;
  const { acquirer, currency, amountMinor, status } = image;
  if (!isOpenState(status) || typeof acquirer !== "string" || typeof currency !== "string") return undefined;
  const amount = exactInteger(amountMinor);
  if (amount === undefined) return undefined;
  return { acquirer, state: status, currency, count: 1, amountMinor: amount };
}

/** An integer amount as stored (a safe JS number, a bigint or its decimal text), exactly; else undefined. */
export function exactInteger(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === "string" && /^-?\d{1,38}$/.test(value)) return BigInt(value);
  return undefined;
}

const counterKey = (total: Pick<OpenPaymentTotal, "acquirer" | "state" | "currency">) =>
  `${total.acquirer}\u0000${total.state}\u0000${total.currency}`;

/**
 * Adds totals with the same acquirer, state and currency (in the order first seen). Totals that come to zero are dropped (deltas that cancel out) unless `keepZero` (counters that
 * are zero now: their gauge should say 0, not disappear).
 */
export function sumTotals(
  totals: Iterable<OpenPaymentTotal>,
  options: { keepZero?: boolean } = {},
): OpenPaymentTotal[] {
  const sums = new Map<string, OpenPaymentTotal>();
  for (const total of totals) {
    const key = counterKey(total);
    const sum = sums.get(key);
    if (sum) {
      sum.count += total.count;
      sum.amountMinor += total.amountMinor;
    } else sums.set(key, { ...total });
  }
  return [...sums.values()].filter((sum) => options.keepZero || sum.count !== 0 || sum.amountMinor !== 0n);
}

/** Orders totals by acquirer, state, then currency (reports and gauges list them that way). */
export const byAcquirerStateCurrency = (a: OpenPaymentTotal, b: OpenPaymentTotal): number =>
  a.acquirer.localeCompare(b.acquirer) ||
  a.state.localeCompare(b.state) ||
  a.currency.localeCompare(b.currency);

/** The old state out, the new one in; plus the flows (settled late, file received) it stands for. */
export function effectOf(change: ItemChange): ChangeEffect {
  const before = openShareOf(change.oldImage);
  const after = openShareOf(change.newImage);
  const deltas = sumTotals([
    ...(before ? [{ ...before, count: -1, amountMinor: -before.amountMinor }] : []),
    ...(after ? [after] : []),
  ]);
  const effect: ChangeEffect = {
    changeId: change.changeId,
    ...(change.sequenceNumber ? { sequenceNumber: change.sequenceNumber } : {}),
    deltas,
  };
  const { oldImage, newImage } = change;
  if (
    oldImage?.entity === "payment" &&
    newImage?.entity === "payment" &&
    oldImage.status !== "SETTLED_LATE" &&
    newImage.status === "SETTLED_LATE" &&
    typeof newImage.acquirer === "string"
  ) {
    effect.settledLate = newImage.acquirer;
  }
  if (
    newImage?.entity === "payment" &&
    newImage.status === "REVERSED" &&
    !(oldImage?.entity === "payment" && oldImage.status === "REVERSED") &&
    typeof newImage.acquirer === "string"
  ) {
    effect.reversed = newImage.acquirer;
  }
  if (!oldImage && newImage?.entity === "file-day" && typeof newImage.acquirer === "string") {
    effect.fileReceived = newImage.acquirer;
  }
  return effect;
}

/** Whether counting a change changes anything (most payment updates, e.g. a notice sent, do not). */
export function hasEffect(effect: ChangeEffect): boolean {
  return (
    effect.deltas.length > 0 ||
    effect.settledLate !== undefined ||
    effect.reversed !== undefined ||
    effect.fileReceived !== undefined
  );
}

/** The acquirer whose counters or flows an effect moves (a payment never changes acquirer). */
export function acquirerOf(effect: ChangeEffect): string | undefined {
  return effect.deltas[0]?.acquirer ?? effect.settledLate ?? effect.reversed ?? effect.fileReceived;
}
