import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";

/** Writes items 25 at a time, 16 batches in flight, retrying what DynamoDB leaves unprocessed. */
export async function batchPutItems(
  db: DynamoDBDocumentClient,
  tableName: string,
  items: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  const batches: Array<ReadonlyArray<Record<string, unknown>>> = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  await pMap(
    batches,
    async (batch) => {
      let request: Record<string, unknown[]> | undefined = {
        [tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
      };
      while (request && Object.keys(request).length > 0) {
        const answer = await db.send(new BatchWriteCommand({ RequestItems: request as never }));
        request = answer.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
    },
    { concurrency: 16 },
  );
}
