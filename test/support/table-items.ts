import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { dueListPartition } from "../../functions/adapters/dynamodb/overdue-store.js";
import {
  amountSortPrefix,
  dueInstant,
  dueMarkerDayOf,
  keys,
  legacyKeys,
} from "../../functions/adapters/dynamodb/table-keys.js";
import { dueShardOf } from "../../functions/domain/payment/payment.js";
import { DUE_INDEX } from "../../functions/shared/table-schema.js";
import type { DueList } from "../../functions/use-cases/ports.js";

/**
 * Tests and benchmarks that look at raw table items build their keys here, from the DynamoDB
 * adapter's own key builders: the PK/SK shapes live only in functions/adapters/dynamodb.
 */
export const tableKeys = keys;

/** Key shapes an older version wrote (the one-off migration's test builds such items). */
export const legacyTableKeys = legacyKeys;

/** The amount index sort-key prefix of one currency and exact amount. */
/** The instant a PENDING payment is filed under on the due list (the in-memory fakes model it). */
export { amountSortPrefix, dueInstant };

/** The merchant day a due marker's partition key names (undefined for other keys). */
export const dueMarkerDay = dueMarkerDayOf;

/**
 * The due shards of the test wiring (checkDeps, ingestDeps): fewer than a deployment's default 16,
 * since every check reads every shard and the suite runs hundreds of checks. Sharding is exercised
 * all the same; the port contracts and the local runtime keep 16.
 */
export const TEST_DUE_SHARDS = 4;

/** Shards a deployment may configure (local-config.ts and the deployment schema cap dueShards at 256). */
const MAX_DUE_SHARDS = 256;

/** True when `partition` is one shard of a work list of the due index (e.g. an escalation shard). */
export function isDueListPartition(partition: unknown, kind: DueList["kind"]): boolean {
  for (let shard = 0; shard < MAX_DUE_SHARDS; shard += 1) {
    if (partition === dueListPartition({ kind, shard })) return true;
  }
  return false;
}

/** The due index's sort key of a payment waiting until `at` (due, escalation and calendar-hold lists). */
export function dueSortKey(at: string, acquirer: string, paymentId: string): string {
  return keys.dueSort(at, acquirer, paymentId);
}

/**
 * Whether a stored payment is on the due list: by an entry of its own, or (issue 14) by its
 * merchant day's due marker (tradeDate, merchantId and overdueAt name it).
 */
export async function onDueList(
  client: DynamoDBClient,
  tableName: string,
  stored: Record<string, unknown> | undefined,
): Promise<boolean> {
  if (isDueListPartition(stored?.[DUE_INDEX.partitionKey], "due")) return true;
  const key = dueMarkerKey(String(stored?.tradeDate), String(stored?.merchantId), String(stored?.overdueAt));
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key }));
  return Item?.entity === "due-marker";
}

/** The table key of a merchant day's due marker (the test repositories' due shards). */
export function dueMarkerKey(
  tradeDate: string,
  merchantId: string,
  overdueAt: string,
  dueShards = TEST_DUE_SHARDS,
): { pk: string; sk: string } {
  return keys.dueMarker(dueShardOf(merchantId, tradeDate, dueShards), { overdueAt, tradeDate, merchantId });
}

/**
 * Removes an item's keys of one index, as if that index had not caught up with the write yet;
 * the answer puts them back (the index catches up).
 */
export async function hideFromIndex(
  table: { client: DynamoDBClient; tableName: string },
  key: { pk: string; sk: string },
  index: { partitionKey: string; sortKey: string },
): Promise<{ show: () => Promise<void> }> {
  const names = { "#indexPk": index.partitionKey, "#indexSk": index.sortKey };
  const { Attributes: old } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: key,
      UpdateExpression: "REMOVE #indexPk, #indexSk",
      ExpressionAttributeNames: names,
      ReturnValues: "UPDATED_OLD",
    }),
  );
  const show = async () => {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: "SET #indexPk = :indexPk, #indexSk = :indexSk",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ":indexPk": old?.[index.partitionKey],
          ":indexSk": old?.[index.sortKey],
        },
      }),
    );
  };
  return { show };
}
