import { randomUUID } from "node:crypto";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
} from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, inject, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { MERCHANT_OPEN_INDEX, tableDefinition } from "../../functions/shared/table-schema.js";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { ensureTable } from "../../local/table-setup.js";
import { tableKeys } from "../support/table-items.js";

// A .settlewatch/ table made by an older version (no merchant-open index) gets the index at the next
// start, with its existing OVERDUE items findable in it.

describe("ensureTable on a table from an older version (DynamoDB Local)", () => {
  it("creates the indexes the table lacks; existing items are backfilled into them", async () => {
    const client = localDynamoDbClient(inject("dynamoDbEndpoint"));
    const tableName = `old-table-${randomUUID().slice(0, 8)}`;
    const { StreamSpecification: _stream, ...definition } = structuredClone(tableDefinition);
    const older = {
      ...definition,
      TableName: tableName,
      AttributeDefinitions: definition.AttributeDefinitions.filter(
        (a) => !a.AttributeName.startsWith("gsi4"),
      ),
      GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes.filter(
        (i) => i.IndexName !== MERCHANT_OPEN_INDEX.name,
      ),
    } as unknown as CreateTableCommandInput;
    await client.send(new CreateTableCommand(older));
    const db = documentClient(client);
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...tableKeys.payment("acme-pay", "p-1"),
          entity: "payment",
          [MERCHANT_OPEN_INDEX.partitionKey]: tableKeys.merchantOpen("m-1"),
          [MERCHANT_OPEN_INDEX.sortKey]: tableKeys.merchantOpenSort(
            "2026-11-06T10:00:00.000Z",
            "acme-pay",
            "p-1",
          ),
        },
      }),
    );
    await ensureTable(client, tableName, { stream: false });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      tableDefinition.GlobalSecondaryIndexes.map((i) => i.IndexName).sort(),
    );
    const { Items } = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: MERCHANT_OPEN_INDEX.name,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": MERCHANT_OPEN_INDEX.partitionKey },
        ExpressionAttributeValues: { ":pk": tableKeys.merchantOpen("m-1") },
      }),
    );
    expect(Items?.map((item) => item.pk)).toEqual([tableKeys.payment("acme-pay", "p-1").pk]);
    client.destroy();
  });
});
