/**
 * The single table's key shapes: every PK/SK (and index key) string the DynamoDB adapters read or
 * write is built here, and only the adapters in this folder import it. Use cases and domain speak
 * in domain values (shard number, instant, payment identity, region and year); tests and benchmarks
 * that look at raw items go through test/support/table-items.ts.
 */

export const keys = {
  payment: (acquirer: string, paymentId: string) => ({
    pk: `PAY#${acquirer}#${paymentId}`,
    sk: "PAYMENT",
  }),
  merchant: (merchantId: string) => ({ pk: `MERCHANT#${merchantId}`, sk: "PROFILE" }),
  dueShard: (shard: number) => `DUE#${String(shard).padStart(2, "0")}`,
  /** Sorts by the instant the payment becomes overdue, then by its identity (unique per payment). */
  dueSort: (overdueAt: string, acquirer: string, paymentId: string) =>
    `${overdueAt}#${acquirer}#${paymentId}`,
  /**
   * One due marker per merchant, trade date and overdue instant: it stands on the due list for every
   * payment of that merchant's day due then (they carry no due entry of their own). A base-table item
   * in its due shard's marker partition, sorted like the due index's entries: no index entry, so it
   * costs one write unit. The trade date (fixed width) comes before the merchant id, which may hold "#".
   */
  dueMarker: (shard: number, day: { overdueAt: string; tradeDate: string; merchantId: string }) => ({
    pk: keys.dueMarkerPartition(shard),
    sk: `${day.overdueAt}#${DUE_MARKER_PREFIX}${day.tradeDate}#${day.merchantId}`,
  }),
  /** The table partition of one due shard's markers. */
  dueMarkerPartition: (shard: number) => `DUEMARKS#${String(shard).padStart(2, "0")}`,
  /** The order number alone is the partition: a settlement line may not know settlewatch's merchant id. */
  orderLookup: (orderId: string) => `ORDER#${orderId}`,
  orderSort: (merchantId: string, acquirer: string, paymentId: string) =>
    `${merchantId}#${acquirer}#${paymentId}`,
  /** One partition per merchant and trade date (YYYY-MM-DD): a merchant's day of payments. */
  amountLookup: (merchantId: string, tradeDate: string) => `AMT#${merchantId}#${tradeDate}`,
  /** Currency and zero-padded amount first (exact-amount ranges), then the confirmation instant. */
  amountSort: (payment: {
    currency: string;
    amountMinor: number;
    confirmedAtUtc: string;
    acquirer: string;
    paymentId: string;
  }) =>
    `${amountSortPrefix(payment.currency, payment.amountMinor)}${payment.confirmedAtUtc}#${payment.acquirer}#${payment.paymentId}`,
  /** One partition per merchant of the open (merchant-open) index: only OVERDUE payments carry its keys. */
  merchantOpen: (merchantId: string) => `MOPEN#${merchantId}`,
  /** Sorts by the instant the payment became overdue, then by its identity (unique per payment). */
  merchantOpenSort: (overdueAt: string, acquirer: string, paymentId: string) =>
    `${overdueAt}#${acquirer}#${paymentId}`,
  /** A one-time sign-in code, by a keyed hash of the phone number (no number in clear in a key). */
  signInCode: (phoneHash: string) => ({ pk: `SIGNIN#${phoneHash}`, sk: "CODE" }),
  /** The codes sent to a number in one hour (the per-hour cap), same partition as the code. */
  signInQuota: (phoneHash: string, hour: string) => ({ pk: `SIGNIN#${phoneHash}`, sk: `QUOTA#${hour}` }),
  /** Which merchant a mobile number signs in to (kept with the merchant profile). */
  merchantPhone: (phoneHash: string) => ({ pk: `MPHONE#${phoneHash}`, sk: "MERCHANT" }),
  /** A merchant page session, by the sha256 of its random id (the id itself is only in the cookie). */
  merchantSession: (sessionHash: string) => ({ pk: `MSESSION#${sessionHash}`, sk: "SESSION" }),
  /** A settlement file, keyed by the sha256 of its bytes; its kept lines share the partition. */
  file: (fileId: string) => ({ pk: `FILE#${fileId}`, sk: "FILE" }),
  fileLine: (fileId: string, source: number) => ({
    pk: `FILE#${fileId}`,
    sk: `LINE#${String(source).padStart(10, "0")}`,
  }),
  /** How far the overdue check has read one due shard (its watermark: the last sort key handled). */
  dueWatermark: (shard: number) => ({ pk: `CHECK#DUE#${String(shard).padStart(2, "0")}`, sk: "WATERMARK" }),
  /** OVERDUE payments waiting for their next escalation notice live in these partitions of the same index. */
  escalationShard: (shard: number) => `ESC#${String(shard).padStart(2, "0")}`,
  /**
   * PENDING payments held because their due date depends on a year their calendar does not cover
   * live in this partition of the same index (sorted like the due partitions), one per calendar and
   * year: loading that year finds exactly them, and the overdue check (DUE# only) never sees them.
   */
  calendarHold: (region: string, year: number) => `CALHOLD#${region}#${year}`,
  /** One marker per calendar and year that ever held a payment: the calendar check's list of holds. */
  calendarHoldMarker: (region: string, year: number) => ({
    pk: CALENDAR_HOLDS_PARTITION,
    sk: `${region}#${year}`,
  }),
  /** One item per calendar a merchant profile was put with: the calendars the horizon check watches. */
  calendarUsage: (region: string) => ({ pk: CALENDARS_IN_USE_PARTITION, sk: region }),
  /** Notices waiting for their send time (quiet hours) live in these partitions of the same index. */
  outboxShard: (shard: number) => `OUTBOX#${String(shard).padStart(2, "0")}`,
  notice: (noticeId: string, channel: string) => ({ pk: `NOTICE#${noticeId}`, sk: `CHANNEL#${channel}` }),
  /**
   * Texts counted to one number (a hash of it, never the number) through one provider in one window
   * (`minute#<start>`, `hour#<start>`, `day#<start>`); TTL-deleted a day after the window ends.
   */
  smsQuota: (provider: string, numberHash: string, window: string, start: string) => ({
    pk: `SMSQUOTA#${provider}#${numberHash}`,
    sk: `${window}#${start}`,
  }),
  /** A provider's id of a text → its notice, for delivery reports that carry only that id (SNS, Tencent sid). */
  smsProviderMessage: (provider: string, providerMessageId: string) => ({
    pk: `SMSMSG#${provider}#${providerMessageId}`,
    sk: "NOTICE",
  }),
  /** A payout batch (leg 2); its members (payments tied to it in bank-credit mode) share the partition. */
  batch: (batchKey: string) => ({ pk: `BATCH#${batchKey}`, sk: "BATCH" }),
  batchMember: (batchKey: string, acquirer: string, paymentId: string) => ({
    pk: `BATCH#${batchKey}`,
    sk: `PAY#${acquirer}#${paymentId}`,
  }),
  /** A batch by its acquirer-given reference (several acquirers may use the same one). */
  batchReference: (batchReference: string, batchKey: string) => ({
    pk: `BATCHREF#${batchReference}`,
    sk: `BATCH#${batchKey}`,
  }),
  /** Sparse use of the amount index for batches whose payout account is known: the window rung of leg 2. */
  batchAmountLookup: (account: string, currency: string, netMinor: number) =>
    `BATCHAMT#${account}#${currency}#${netMinor}`,
  batchAmountSort: (valueDate: string, batchKey: string) => `${valueDate}#${batchKey}`,
  /** A bank credit that found no batch yet (it came before the acquirer's file), by currency and date. */
  heldCredit: (currency: string, valueDate: string, creditKey: string) => ({
    pk: `HELDCREDIT#${currency}`,
    sk: `${valueDate}#${creditKey}`,
  }),
  /** One item per acquirer and day whose settlement file has been received. */
  fileDay: (acquirer: string, day: string) => ({ pk: `FILEDAY#${acquirer}`, sk: day }),
  /**
   * Open payments counted by acquirer, state and currency (kept by the table stream's aggregator).
   * Each total is split over a few counter shards so concurrent stream batches rarely write the same
   * item; readers add the shards up.
   */
  openPaymentCounter: (acquirer: string, bucket: string, currency: string, shard: number) => ({
    pk: OPEN_PAYMENT_COUNTERS_PARTITION,
    sk: `${acquirer}#${bucket}#${currency}#${String(shard).padStart(2, "0")}`,
  }),
  /**
   * All open-payment counters of one acquirer in one item per counter shard, with the watermark of
   * each stream shard (lane) counted into it: one small write counts a whole stream batch.
   */
  openPaymentTally: (acquirer: string, shard: number) => ({
    pk: OPEN_PAYMENT_COUNTERS_PARTITION,
    sk: `TALLY#${acquirer}#${String(shard).padStart(2, "0")}`,
  }),
  /** Marks one table change as counted, so a re-delivered stream record is not counted twice. */
  countedChange: (changeId: string) => ({ pk: `COUNTED#${changeId}`, sk: "CHANGE" }),
} as const;

/**
 * Key shapes an older version wrote; nothing writes them any more. The amount index's before the
 * merchant page (amount partition, trade-date sort): only the one-off rewrite
 * (index-key-migration.ts) and its test know them. Due markers filed on the due index: the overdue
 * check still reads them (dueMarkerDayOf) until their TTL removes them.
 */
export const legacyKeys = {
  amountLookup: (merchantId: string, currency: string, amountMinor: number) =>
    `AMT#${merchantId}#${currency}#${amountMinor}`,
  amountSort: (tradeDate: string, acquirer: string, paymentId: string) =>
    `${tradeDate}#${acquirer}#${paymentId}`,
  /** A due marker as the first version of markers filed it: its own partition, on the due index. */
  dueMarker: (tradeDate: string, merchantId: string, overdueAt: string) => ({
    pk: `${DUE_MARKER_PREFIX}${tradeDate}#${merchantId}`,
    sk: overdueAt,
  }),
  dueMarkerSort: (overdueAt: string, tradeDate: string, merchantId: string) =>
    `${overdueAt}#${DUE_MARKER_PREFIX}${tradeDate}#${merchantId}`,
} as const;

/** Names a due marker's merchant day in its keys (see keys.dueMarker and legacyKeys.dueMarker). */
export const DUE_MARKER_PREFIX = "DUEMARK#";

/** The merchant day in the pk of a marker filed on the due index (legacyKeys.dueMarker); else undefined. */
export function dueMarkerDayOf(pk: string): { tradeDate: string; merchantId: string } | undefined {
  if (!pk.startsWith(DUE_MARKER_PREFIX)) return undefined;
  const rest = pk.slice(DUE_MARKER_PREFIX.length);
  const tradeDate = rest.slice(0, 10);
  if (rest[10] !== "#" || !/^\d{4}-\d{2}-\d{2}$/.test(tradeDate)) return undefined;
  return { tradeDate, merchantId: rest.slice(11) };
}

/** The partition of the calendar-hold markers (one small Query lists them). */
export const CALENDAR_HOLDS_PARTITION = "CALHOLDS";
/** The partition of the calendars-in-use items (one small Query lists them). */
export const CALENDARS_IN_USE_PARTITION = "CALENDARS";

/** The partition of every open-payment counter: one small Query reads them all. */
export const OPEN_PAYMENT_COUNTERS_PARTITION = "STATS#OPEN";

/** Amounts are padded so that their sort keys order (and range) like numbers. */
export const AMOUNT_SORT_DIGITS = 16;

/** The sort-key prefix of every payment of one currency and exact amount in an amount-index partition. */
export function amountSortPrefix(currency: string, amountMinor: number): string {
  return `${currency}#${String(amountMinor).padStart(AMOUNT_SORT_DIGITS, "0")}#`;
}

/**
 * How long a due entry waits, at least, between being written and coming due. The overdue check
 * reads each due shard once, forward from its watermark; an entry it could not see yet (the index
 * lags the table, and the check's reads are eventually consistent) would be passed by. Filing
 * every entry at least this long after it is written makes it visible before the check reaches it.
 */
export const DUE_INDEX_LAG_MARGIN_MS = 15 * 60 * 1000;

/**
 * The instant a PENDING payment is filed under on the due list: its overdue time, or `margin` after
 * the entry is written when that is later (a confirmation that arrives late, or a re-check). A null
 * margin files it at its overdue time: only for a simulation whose checks run as of instants before
 * its writes (it reads the due list without a watermark).
 */
export function dueInstant(
  overdueAt: string,
  writtenAt: string,
  marginMs: number | null = DUE_INDEX_LAG_MARGIN_MS,
): string {
  if (marginMs === null) return overdueAt;
  const earliest = Date.parse(writtenAt) + marginMs;
  if (!Number.isFinite(earliest) || Date.parse(overdueAt) >= earliest) return overdueAt;
  return new Date(earliest).toISOString();
}
