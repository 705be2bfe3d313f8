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

/** Creates the settlewatch table on DynamoDB Local if it is not there yet. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const input = {
    TableName: tableName,
    ...structuredClone(tableDefinition),
  } as unknown as CreateTableCommandInput;
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  // A table kept in .settlewatch/ from before the stream existed: turn it on (counting starts now).
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
