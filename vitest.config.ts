import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { unitTier } from "./vitest.unit.config.js";

// `npm test` (what CI runs): every tier in one run. Files of the DynamoDB tier spend most of their
// time waiting (on DynamoDB Local, on a child process, on a server), not on a core, so they run
// several at a time on ONE DynamoDB Local (a table per file, or per port in the contract suite).
// vitest's default (cores - 1 workers) would run them one after another on a 2-core machine.
const WORKERS = Math.max(4, availableParallelism());

// DynamoDB Local (the run's one, and those `settlewatch serve`/`simulate` start) spends most of a
// run's CPU. For JVMs that live minutes, the client compiler alone and the serial collector halve
// that (C2 compiles and parallel GC threads cost more than they return on 2 cores). Set here so
// every JVM of the run inherits it; a value already in the environment wins.
process.env.JAVA_TOOL_OPTIONS ??= "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: WORKERS,
    projects: [
      { extends: true, test: { name: "unit", ...unitTier } },
      {
        extends: true,
        test: {
          name: "dynamodb",
          include: ["test/**/*.test.ts"],
          exclude: [...unitTier.include, "**/node_modules/**"],
          globalSetup: ["test/setup/dynamodb-local.global-setup.ts"],
          // Each file in its own process: handler modules read their environment at import.
          pool: "forks",
        },
      },
    ],
  },
});
