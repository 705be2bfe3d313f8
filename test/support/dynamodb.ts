import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { ensureTable } from "../../local/table-setup.js";

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
}

/** A fresh settlewatch table on the run's DynamoDB Local, so test files never see each other's data. */
export async function createTestTable(): Promise<TestTable> {
  const endpoint = inject("dynamoDbEndpoint");
  const client = localDynamoDbClient(endpoint);
  const tableName = `settlewatch-test-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return { client, tableName, endpoint };
}
