import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { ensureTable } from "../../local/table-setup.js";
import { TEST_DUE_SHARDS } from "./table-items.js";

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
}

/**
 * A fresh settlewatch table on the run's DynamoDB Local, so test files never see each other's data.
 * Without the change stream unless a test reads it: DynamoDB Local slows down with every stream
 * record it keeps, across all the tables of the run.
 */
export async function createTestTable(options: { stream?: boolean } = {}): Promise<TestTable> {
  const endpoint = inject("dynamoDbEndpoint");
  const client = localDynamoDbClient(endpoint);
  const tableName = `settlewatch-test-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName, { stream: options.stream ?? false });
  return { client, tableName, endpoint };
}

/**
 * The environment a Lambda handler module reads at import, pointed at a DynamoDB Local table:
 * set it before importing the handler (the deployment's default terms are T+1 in Asia/Shanghai).
 */
export function handlerEnvFor(table: TestTable): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_REGION: "local-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    TABLE_NAME: table.tableName,
    // The test wiring's shard count (checkDeps, ingestDeps), so a handler and the wiring agree.
    DUE_SHARDS: String(TEST_DUE_SHARDS),
    DEPLOYMENT: "test",
    DEFAULT_MERCHANT_TERMS: JSON.stringify({
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1" },
    }),
  };
}
