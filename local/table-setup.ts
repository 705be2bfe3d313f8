import {
  type AttributeDefinition,
  type CreateGlobalSecondaryIndexAction,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { tableDefinition } from "../functions/shared/table-schema.js";

/**
 * Creates the settlewatch table on DynamoDB Local if it is not there yet. `stream: false` leaves out
 * the change stream, for tables nothing reads the stream of (tests, benchmarks, simulations):
 * DynamoDB Local gets slower with every stream record it keeps, which DynamoDB itself does not.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: { stream?: boolean } = {},
): Promise<void> {
  const withStream = options.stream ?? true;
  const { StreamSpecification, ...withoutStream } = structuredClone(tableDefinition);
  const input = {
    TableName: tableName,
    ...withoutStream,
    ...(withStream ? { StreamSpecification } : {}),
  } as unknown as CreateTableCommandInput;
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  await addMissingIndexes(
    client,
    tableName,
    (Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName),
  );
  // A table kept in .settlewatch/ from before the stream existed: turn it on (counting starts now).
  if (!withStream) return;
  if (!Table?.StreamSpecification?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: tableDefinition.StreamSpecification,
      }),
    );
  }
}

/**
 * A table kept in .settlewatch/ by an older version lacks the indexes added since (e.g. the merchant
 * page's merchant-open index): create each, one per UpdateTable, and wait until DynamoDB Local has
 * backfilled it (ACTIVE): a query on an index still being built fails.
 */
async function addMissingIndexes(
  client: DynamoDBClient,
  tableName: string,
  existing: ReadonlyArray<string | undefined>,
): Promise<void> {
  for (const index of tableDefinition.GlobalSecondaryIndexes) {
    if (existing.includes(index.IndexName)) continue;
    const attributes = tableDefinition.AttributeDefinitions.filter((attribute) =>
      index.KeySchema.some((key) => key.AttributeName === attribute.AttributeName),
    );
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: structuredClone(attributes) as AttributeDefinition[],
        GlobalSecondaryIndexUpdates: [
          {
            Create: structuredClone({
              IndexName: index.IndexName,
              KeySchema: index.KeySchema,
              Projection: index.Projection,
            }) as unknown as CreateGlobalSecondaryIndexAction,
          },
        ],
      }),
    );
    await waitUntilIndexActive(client, tableName, index.IndexName);
  }
}

async function waitUntilIndexActive(client: DynamoDBClient, tableName: string, indexName: string) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
    if (index?.IndexStatus === "ACTIVE" && index.Backfilling !== true) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`index ${indexName} of ${tableName} did not become ACTIVE within 30 s`);
}
