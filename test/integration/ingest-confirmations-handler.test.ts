import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { ORDER_INDEX } from "../../functions/shared/table-schema.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import { type HttpApiHandler, httpApiEvent, lambdaContext } from "../support/http-api-event.js";
import { tableKeys } from "../support/table-items.js";

// The webhook's Lambda on DynamoDB Local, with the environment the API stack gives it: acquirers whose
// payments are not filed by order number (ACQUIRERS_WITHOUT_ORDER_INDEX, from `matchByOrderNumber:
// false`). Secrets Manager is mocked at its SDK boundary.
const secrets = mockClient(SecretsManagerClient);
const LEAN = "acq-lean";

describe("ingest-confirmations handler: ACQUIRERS_WITHOUT_ORDER_INDEX", () => {
  let table: TestTable;
  let handler: HttpApiHandler;
  const post = async (payload: unknown) => {
    const body = JSON.stringify(payload);
    const headers = { "content-type": "application/json", "settlewatch-signature": signed(body, new Date()) };
    return await handler(
      httpApiEvent({ method: "POST", path: "/v1/confirmations", headers, body }),
      lambdaContext("ingest-confirmations"),
    );
  };
  const stored = async (acquirer: string, paymentId: string) =>
    (
      await documentClient(table.client).send(
        new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(acquirer, paymentId) }),
      )
    ).Item;

  beforeAll(async () => {
    table = await createTestTable();
    Object.assign(process.env, {
      ...handlerEnvFor(table),
      WEBHOOK_SECRETS_ID: "settlewatch/test/webhook-secrets",
      ACQUIRERS_WITHOUT_ORDER_INDEX: JSON.stringify([LEAN]),
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET], [LEAN]: [TEST_SECRET] }),
    });
    ({ handler } = await import("../../functions/handlers/ingest-confirmations.handler.js"));
  });

  it("files the listed acquirer's payments without order-index keys, the others with them", async () => {
    const filed = await post(confirmation({ paymentId: "h-filed", orderId: "ORD-H1" }));
    const lean = await post(confirmation({ acquirer: LEAN, paymentId: "h-lean", orderId: "ORD-H2" }));
    expect([filed.statusCode, lean.statusCode]).toEqual([201, 201]);

    const filedItem = await stored(TEST_ACQUIRER, "h-filed");
    expect(filedItem?.[ORDER_INDEX.partitionKey]).toBe(tableKeys.orderLookup("ORD-H1"));
    const leanItem = await stored(LEAN, "h-lean");
    expect(leanItem).toMatchObject({ status: "PENDING", orderId: "ORD-H2" });
    expect(leanItem?.[ORDER_INDEX.partitionKey]).toBeUndefined();
    expect(leanItem?.[ORDER_INDEX.sortKey]).toBeUndefined();
  });
});
