/**
 * Runs every benchmark in bench/ one after another, each in its own process (so one's memory and
 * JIT state do not colour the next). Run: npm run bench [-- name-filter]
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? "";
const benches = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts") && name.includes(filter))
  .sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [join(here, "..", "bin", "run-ts.js"), join("bench", name)], {
    stdio: "inherit",
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
