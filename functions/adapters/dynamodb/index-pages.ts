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
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: "#pk = :partition AND #sk <= :upTo",
        ExpressionAttributeNames: { "#pk": DUE_INDEX.partitionKey, "#sk": DUE_INDEX.sortKey },
        // "#\uffff" sorts after every "#<identity>" suffix of an instant equal to now.
        ExpressionAttributeValues: { ":partition": partition, ":upTo": `${nowIso}#\uffff` },
        Limit: pageSize,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    if (page.Items?.length) yield page.Items;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
}
