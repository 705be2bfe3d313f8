import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
import {
  assertJavaAvailable,
  findFreePort,
  type RunningDynamoDbLocal,
  startDynamoDbLocal,
} from "../../local/dynamodb-local.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    /** Holds why DynamoDB Local failed to start, once it has: the workers waiting on it stop at once. */
    dynamoDbStartFailureFile: string;
  }
}

/**
 * One in-memory DynamoDB Local for the whole run, shared by every project that uses it (each loads
 * this module on its own, hence the global) and by the files running at the same time; each test
 * file makes its own table.
 *
 * vitest awaits every project's global setup before it runs any file, so this one does not wait
 * for the JVM: it picks the port, starts DynamoDB Local and returns. The unit and infra projects run
 * meanwhile; each worker of the DynamoDB tier waits until it answers (dynamodb-local-ready.ts).
 */
interface SharedDynamoDbLocal {
  port: number;
  failureFile: string;
  starting: Promise<RunningDynamoDbLocal>;
  users: number;
}
const globalKey = Symbol.for("settlewatch.test.dynamoDbLocal");
const shared = globalThis as { [globalKey]?: Promise<SharedDynamoDbLocal> };

async function startShared(): Promise<SharedDynamoDbLocal> {
  assertJavaAvailable(); // no Java: the run stops here with one clear line
  const port = await findFreePort();
  const failureFile = join(mkdtempSync(join(tmpdir(), "settlewatch-dynamodb-start-")), "failure.txt");
  const starting = startDynamoDbLocal({ port, startTimeoutMs: 180_000 });
  starting.catch((error: unknown) => writeFileSync(failureFile, String(error)));
  return { port, failureFile, starting, users: 0 };
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared[globalKey] ??= startShared();
  const dynamo = await shared[globalKey];
  dynamo.users += 1;
  project.provide("dynamoDbEndpoint", `http://127.0.0.1:${dynamo.port}`);
  project.provide("dynamoDbStartFailureFile", dynamo.failureFile);
  return async () => {
    dynamo.users -= 1;
    if (dynamo.users > 0) return;
    delete shared[globalKey];
    rmSync(dirname(dynamo.failureFile), { recursive: true, force: true });
    const running = await dynamo.starting;
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
