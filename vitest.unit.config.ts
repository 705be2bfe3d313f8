import { defineConfig } from "vitest/config";

// The unit tier: pure domain and use-case tests, no DynamoDB Local, no processes (`npm run test:unit`).
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "threads",
    // Pure tests share workers: no per-file process start (module state is not relied on).
    isolate: false,
  },
});
