import type { TestProject } from "vitest/node";
import { type RunningDynamoDbLocal, startDynamoDbLocal } from "../../local/dynamodb-local.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

let running: RunningDynamoDbLocal | undefined;

/**
 * One in-memory DynamoDB Local for the whole run, shared by the files running at the same time;
 * each test file makes its own table. A JVM start can take over a minute on a loaded machine.
 */
export async function setup(project: TestProject): Promise<void> {
  running = await startDynamoDbLocal({ startTimeoutMs: 180_000 });
  project.provide("dynamoDbEndpoint", running.endpoint);
}

export async function teardown(): Promise<void> {
  await running?.stop();
}
