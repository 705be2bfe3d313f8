import { availableParallelism } from "node:os";
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
          pool: "forks",
          isolate: false,
          maxWorkers: CORES,
          sequence: { groupOrder: 0 },
        },
      },
      // Then the DynamoDB tier, several files at a time on one DynamoDB Local. The files share their
      // worker's modules (the AWS SDK, the local runtime); a file that sets the environment, imports a
      // handler or patches an SDK client leaves nothing behind (test/setup/shared-worker-hygiene.ts).
      {
        extends: true,
        test: {
          name: "dynamodb",
          ...dynamoDbTier,
          include: ["test/**/*.test.ts"],
          exclude: [...unitTier.include, ...infraTier, "**/node_modules/**"],
          setupFiles: ["test/setup/dynamodb-local-ready.ts", "test/setup/shared-worker-hygiene.ts"],
          isolate: false,
        },
      },
    ],
  },
});
