/**
 * The single table's definition: its name-independent shape (key attribute names, index names,
 * TTL attribute), declared once and shared by the DynamoDB adapter, the local runtime (which creates
 * the table on DynamoDB Local) and the CDK stack. The PK/SK string shapes live only in
 * functions/adapters/dynamodb/table-keys.ts.
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

/**
 * Lookup index: payments by merchant and trade date, sorted by currency, exact amount and
 * confirmation instant. One entry per payment serves three reads, each O(results): the window rung
 * of settlement matching (merchant + amount over a few trade dates), the merchant page's "did it
 * arrive?" (merchant + amount + a time window) and its outstanding list (merchant + recent days).
 */
export const AMOUNT_INDEX = {
  name: "amount",
  partitionKey: "gsi3pk",
  sortKey: "gsi3sk",
} as const;

/**
 * Sparse index of each merchant's OVERDUE payments, sorted by the instant they became overdue: the
 * write that marks a payment OVERDUE sets its keys, every write that takes it out of OVERDUE
 * (settled late, reversed, refunded) removes them. The merchant page's "overdue" list is one Query,
 * however old the payments or large the merchant's history.
 */
export const MERCHANT_OPEN_INDEX = {
  name: "merchant-open",
  partitionKey: "gsi4pk",
  sortKey: "gsi4sk",
} as const;

/** Time-ordered keys never split for heat, so the due index is spread over this many shards. */
export const DEFAULT_DUE_SHARDS = 16;

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
    { AttributeName: MERCHANT_OPEN_INDEX.partitionKey, AttributeType: "S" },
    { AttributeName: MERCHANT_OPEN_INDEX.sortKey, AttributeType: "S" },
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
    {
      IndexName: MERCHANT_OPEN_INDEX.name,
      KeySchema: [
        { AttributeName: MERCHANT_OPEN_INDEX.partitionKey, KeyType: "HASH" },
        { AttributeName: MERCHANT_OPEN_INDEX.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" },
    },
  ],
  BillingMode: "PAY_PER_REQUEST",
  // The open-payment counters are kept from the table's own change stream (both images: a change
  // is counted as old state out, new state in).
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
} as const;
