import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import { LongestFirstSequencer } from "./test/setup/longest-first-sequencer.js";
import { unitTier } from "./vitest.unit.config.js";

// `npm test` (what CI runs): every tier in one run. Files of the DynamoDB tier spend part of their
// time waiting (on DynamoDB Local, on a child process, on a server), so they run several at a time
// on ONE DynamoDB Local (a table per file, or per port in the contract suite).
const CORES = availableParallelism();
const WORKERS = Math.max(4, CORES);

// DynamoDB Local (the run's one, and those `settlewatch serve`/`simulate` start) spends much of a
// run's CPU. For JVMs that live minutes, the client compiler alone and the serial collector halve
// that (C2 compiles and parallel GC threads cost more than they return on 2 cores). Set here so
// every JVM of the run inherits it; a value already in the environment wins.
process.env.JAVA_TOOL_OPTIONS ??= "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

/**
 * The files that need a fresh worker each: they set the environment (a handler module reads it at
 * import), or patch an AWS SDK client class (aws-sdk-client-mock). Every other file shares its
 * worker's modules with the files before it (`isolate: false`): loading the AWS SDK, CDK or the
 * local runtime once per worker instead of once per file is most of what isolation costs.
 */
const NEEDS_OWN_WORKER = /import\([^)]*functions\/handlers\/|mockClient\(|Object\.assign\(process\.env/;
const ownWorkerFiles = readdirSync("test", { recursive: true })
  .map((file) => join("test", String(file)))
  .filter((file) => file.endsWith(".test.ts") && !file.startsWith(join("test", "unit")))
  .filter((file) => NEEDS_OWN_WORKER.test(readFileSync(file, "utf8")));

const dynamoDbTier = {
  globalSetup: ["test/setup/dynamodb-local.global-setup.ts"],
  pool: "forks" as const,
  maxWorkers: WORKERS,
  sequence: { groupOrder: 1 },
};

/** Tests that use neither DynamoDB Local nor a process: CDK synths (the infra tier). */
const infraTier = ["test/infra/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      // First, the CPU-bound tiers on as many workers as cores: each worker loads CDK (or the
      // domain) once and keeps it warm for the files after, and no DynamoDB Local is running yet.
      {
        extends: true,
        test: { name: "unit", ...unitTier, maxWorkers: CORES, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: "infra",
          include: infraTier,
          exclude: ownWorkerFiles,
          pool: "forks",
          isolate: false,
          maxWorkers: CORES,
          sequence: { groupOrder: 0 },
        },
      },
      // Then the DynamoDB tier, several files at a time on one DynamoDB Local.
      {
        extends: true,
        test: {
          name: "dynamodb",
          ...dynamoDbTier,
          include: ["test/**/*.test.ts"],
          exclude: [...unitTier.include, ...infraTier, ...ownWorkerFiles, "**/node_modules/**"],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "dynamodb-isolated",
          ...dynamoDbTier,
          include: ownWorkerFiles,
          isolate: true,
          // A fresh worker thread per file: its own module registry, SDK classes (which mockClient
          // patches) and copy of process.env, without a new process (about a fifth less CPU).
          pool: "threads",
        },
      },
    ],
  },
});
