/**
 * Writes libphonenumber-js's full (`max`) phone metadata without its formatting rules, for merchant
 * registration: it validates numbers as the full metadata does (a unit test compares verdicts) and
 * keeps the operator API's bundle under 1 MiB. Run: npm run phone-metadata:build (a unit test fails
 * when the data is stale).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { phoneMetadataFromLibrary } from "./phone-metadata-source.js";

const target = join(
  import.meta.dirname,
  "..",
  "functions",
  "domain",
  "merchant",
  "data",
  "phone-metadata.json",
);
writeFileSync(target, `${JSON.stringify(phoneMetadataFromLibrary())}\n`);
console.log(`wrote ${target}`);
