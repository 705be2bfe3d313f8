import { existsSync, readFileSync } from "node:fs";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";

/**
 * The run's DynamoDB Local is started by the global setup without waiting for it (so the unit and
 * infra projects run while the JVM starts). Before a worker's first file of the DynamoDB tier, wait
 * until it answers; later files of the same worker find it ready.
 */
const readyKey = Symbol.for("settlewatch.test.dynamoDbLocalReady");
const worker = globalThis as { [readyKey]?: Promise<void> };
const START_TIMEOUT_MS = 180_000;

async function untilAnswering(endpoint: string, failureFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const client = localDynamoDbClient(endpoint);
  for (;;) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      client.destroy();
      return;
    } catch {
      if (existsSync(failureFile)) {
        client.destroy();
        throw new Error(`the run's DynamoDB Local did not start: ${readFileSync(failureFile, "utf8")}`);
      }
      if (Date.now() > deadline) {
        client.destroy();
        throw new Error(
          `the run's DynamoDB Local did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

worker[readyKey] ??= untilAnswering(inject("dynamoDbEndpoint"), inject("dynamoDbStartFailureFile"));
await worker[readyKey];
