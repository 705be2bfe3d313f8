import { readFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { type RunningDynamoDbLocal, startDynamoDbLocal } from "../../local/dynamodb-local.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/**
 * One in-memory DynamoDB Local for the whole run, shared by every project that uses it (each loads
 * this module on its own, hence the global) and by the files running at the same time; each test
 * file makes its own table. A JVM start can take over a minute on a loaded machine.
 */
interface SharedDynamoDbLocal {
  starting: Promise<RunningDynamoDbLocal>;
  users: number;
}
const globalKey = Symbol.for("settlewatch.test.dynamoDbLocal");
const shared = globalThis as { [globalKey]?: SharedDynamoDbLocal };

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared[globalKey] ??= { starting: startDynamoDbLocal({ startTimeoutMs: 180_000 }), users: 0 };
  const dynamo = shared[globalKey];
  dynamo.users += 1;
  const running = await dynamo.starting;
  project.provide("dynamoDbEndpoint", running.endpoint);
  return async () => {
    dynamo.users -= 1;
    if (dynamo.users > 0) return;
    delete shared[globalKey];
    if (process.env.SETTLEWATCH_TEST_JVM_CPU) reportJvmCpu(running.pid);
    await running.stop();
  };
}

/** Linux only: the CPU time the run's DynamoDB Local used (fields 14-15 of /proc/PID/stat, in ticks of 1/100 s). */
function reportJvmCpu(pid: number): void {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const seconds = (field: string | undefined) => (Number(field) / 100).toFixed(1);
  console.log(`DynamoDB Local CPU: user ${seconds(fields[11])} s, sys ${seconds(fields[12])} s`);
}
