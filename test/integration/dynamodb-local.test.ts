import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import {
  AMOUNT_INDEX,
  DUE_INDEX,
  MERCHANT_OPEN_INDEX,
  ORDER_INDEX,
} from "../../functions/shared/table-schema.js";
import { createTestTable } from "../support/dynamodb.js";

describe("DynamoDB Local", () => {
  it("creates the settlewatch table with its due, order, amount and merchant-open indexes", async () => {
    const { client, tableName } = await createTestTable();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      [AMOUNT_INDEX.name, DUE_INDEX.name, MERCHANT_OPEN_INDEX.name, ORDER_INDEX.name].sort(),
    );
  });
});
