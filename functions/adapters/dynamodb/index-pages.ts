import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { DUE_INDEX } from "../../shared/table-schema.js";

/**
 * Pages of index keys in one partition of the sparse index whose sort key is at or before
 * `nowIso` (sort keys start with an ISO instant followed by "#"). Reads only what is due.
 */
export async function* indexKeysUpTo(
  db: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  nowIso: string,
  pageSize = 500,
): AsyncIterable<Array<Record<string, unknown>>> {
  yield* indexKeysBetween(
    db,
    tableName,
    { partition, after: undefined, upTo: upToSortKey(nowIso) },
    pageSize,
  );
}

/** The greatest due-index sort key of an instant at or before `nowIso`. */
export function upToSortKey(nowIso: string): string {
  // "#\uffff" sorts after every "#<identity>" suffix of an instant equal to now.
  return `${nowIso}#\uffff`;
}

/**
 * Pages of index keys in one partition whose sort key is after `after` (exclusive; from the start
 * when undefined) and at or before `upTo` (inclusive), in sort key order.
 */
export async function* indexKeysBetween(
  db: DynamoDBDocumentClient,
  tableName: string,
  range: { partition: string; after: string | undefined; upTo: string },
  pageSize = 500,
): AsyncIterable<Array<Record<string, unknown>>> {
  const { partition, after, upTo } = range;
  if (after !== undefined && after >= upTo) return;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression:
          after === undefined
            ? "#pk = :partition AND #sk <= :upTo"
            : "#pk = :partition AND #sk BETWEEN :after AND :upTo",
        ExpressionAttributeNames: { "#pk": DUE_INDEX.partitionKey, "#sk": DUE_INDEX.sortKey },
        ExpressionAttributeValues: {
          ":partition": partition,
          ":upTo": upTo,
          // The smallest string greater than `after`: BETWEEN is inclusive, the watermark is not.
          ...(after === undefined ? {} : { ":after": `${after}\u0000` }),
        },
        Limit: pageSize,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    if (page.Items?.length) yield page.Items;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
}
