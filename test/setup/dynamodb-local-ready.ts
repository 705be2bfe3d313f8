import { existsSync, readFileSync } from "node:fs";
import { inject } from "vitest";
import { untilDynamoDbLocalAnswers } from "../../local/dynamodb-local.js";

/**
 * The run's DynamoDB Local is started by the global setup without waiting for it (so the unit and
 * infra projects run while the JVM starts). Before a worker's first file of the DynamoDB tier, wait
 * until it answers; later files of the same worker find it ready. A start that failed (the global
 * setup writes why) stops the wait at once.
 */
const readyKey = Symbol.for("settlewatch.test.dynamoDbLocalReady");
const worker = globalThis as { [readyKey]?: Promise<void> };
const failureFile = inject("dynamoDbStartFailureFile");

worker[readyKey] ??= untilDynamoDbLocalAnswers(inject("dynamoDbEndpoint"), {
  timeoutMs: 180_000,
  failure: () =>
    existsSync(failureFile)
      ? `the run's DynamoDB Local did not start: ${readFileSync(failureFile, "utf8")}`
      : undefined,
});
await worker[readyKey];
