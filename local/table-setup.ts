import {
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
  // A table kept in .settlewatch/ from before the stream existed: turn it on (counting starts now).
  if (!withStream) return;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.StreamSpecification?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: tableDefinition.StreamSpecification,
      }),
    );
  }
}
