import type { TestProject } from "vitest/node";
import { type RunningDynamoDbLocal, startDynamoDbLocal } from "../../local/dynamodb-local.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

let running: RunningDynamoDbLocal | undefined;

/** One in-memory DynamoDB Local for the whole run; each test file makes its own table. */
export async function setup(project: TestProject): Promise<void> {
  running = await startDynamoDbLocal();
  project.provide("dynamoDbEndpoint", running.endpoint);
}

export async function teardown(): Promise<void> {
  await running?.stop();
}
