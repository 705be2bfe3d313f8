/**
 * The single table's key names, index names and key templates, declared once and shared by the
 * DynamoDB adapter, the local runtime (which creates the table on DynamoDB Local) and the CDK stack.
 */

export const TABLE_KEYS = { partitionKey: "pk", sortKey: "sk" } as const;

/** Sparse, sharded due index: only PENDING payments carry its keys. */
export const DUE_INDEX = {
  name: "due",
  partitionKey: "gsi1pk",
  sortKey: "gsi1sk",
} as const;

/** Lookup index: payments by the merchant's own order number (settlement matching, second rung). */
export const ORDER_INDEX = {
  name: "order",
  partitionKey: "gsi2pk",
  sortKey: "gsi2sk",
} as const;

/** Lookup index: payments by merchant, currency and exact amount, sorted by trade date (third rung). */
export const AMOUNT_INDEX = {
  name: "amount",
  partitionKey: "gsi3pk",
  sortKey: "gsi3sk",
} as const;

/** Time-ordered keys never split for heat, so the due index is spread over this many shards. */
export const DEFAULT_DUE_SHARDS = 16;

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
  /** The order number alone is the partition: a settlement line may not know settlewatch's merchant id. */
  orderLookup: (orderId: string) => `ORDER#${orderId}`,
  orderSort: (merchantId: string, acquirer: string, paymentId: string) =>
    `${merchantId}#${acquirer}#${paymentId}`,
  amountLookup: (merchantId: string, currency: string, amountMinor: number) =>
    `AMT#${merchantId}#${currency}#${amountMinor}`,
  amountSort: (tradeDate: string, acquirer: string, paymentId: string) =>
    `${tradeDate}#${acquirer}#${paymentId}`,
  /** A settlement file, keyed by the sha256 of its bytes; its kept lines share the partition. */
  file: (fileId: string) => ({ pk: `FILE#${fileId}`, sk: "FILE" }),
  fileLine: (fileId: string, source: number) => ({
    pk: `FILE#${fileId}`,
    sk: `LINE#${String(source).padStart(10, "0")}`,
  }),
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
  /** Marks one table change as counted, so a re-delivered stream record is not counted twice. */
  countedChange: (changeId: string) => ({ pk: `COUNTED#${changeId}`, sk: "CHANGE" }),
} as const;

/** The partition of the calendar-hold markers (one small Query lists them). */
export const CALENDAR_HOLDS_PARTITION = "CALHOLDS";
/** The partition of the calendars-in-use items (one small Query lists them). */
export const CALENDARS_IN_USE_PARTITION = "CALENDARS";

/** The partition of every open-payment counter: one small Query reads them all. */
export const OPEN_PAYMENT_COUNTERS_PARTITION = "STATS#OPEN";

/** Items carrying this attribute (epoch seconds) are deleted by DynamoDB's TTL after that time. */
export const TIME_TO_LIVE_ATTRIBUTE = "expiresAt";

/** Table definition in the shape CreateTable takes; CDK mirrors it (an assertion test keeps them equal). */
export const tableDefinition = {
  AttributeDefinitions: [
    { AttributeName: TABLE_KEYS.partitionKey, AttributeType: "S" },
    { AttributeName: TABLE_KEYS.sortKey, AttributeType: "S" },
    { AttributeName: DUE_INDEX.partitionKey, AttributeType: "S" },
    { AttributeName: DUE_INDEX.sortKey, AttributeType: "S" },
    { AttributeName: ORDER_INDEX.partitionKey, AttributeType: "S" },
    { AttributeName: ORDER_INDEX.sortKey, AttributeType: "S" },
    { AttributeName: AMOUNT_INDEX.partitionKey, AttributeType: "S" },
    { AttributeName: AMOUNT_INDEX.sortKey, AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
    { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: DUE_INDEX.name,
      KeySchema: [
        { AttributeName: DUE_INDEX.partitionKey, KeyType: "HASH" },
        { AttributeName: DUE_INDEX.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" },
    },
    {
      IndexName: ORDER_INDEX.name,
      KeySchema: [
        { AttributeName: ORDER_INDEX.partitionKey, KeyType: "HASH" },
        { AttributeName: ORDER_INDEX.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" },
    },
    {
      IndexName: AMOUNT_INDEX.name,
      KeySchema: [
        { AttributeName: AMOUNT_INDEX.partitionKey, KeyType: "HASH" },
        { AttributeName: AMOUNT_INDEX.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" },
    },
  ],
  BillingMode: "PAY_PER_REQUEST",
  // The open-payment counters are kept from the table's own change stream (both images: a change
  // is counted as old state out, new state in).
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
} as const;
