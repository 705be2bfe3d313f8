/**
 * Writes the E.164 country calling codes (from libphonenumber-js's metadata) as data for phone
 * masking, so the notification Lambdas do not bundle the phone-number library just to find where a
 * country code ends. Run: npm run calling-codes:build (a unit test fails when the data is stale).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { callingCodesFromLibrary } from "./calling-codes-source.js";

const target = join(
  import.meta.dirname,
  "..",
  "functions",
  "domain",
  "notification",
  "data",
  "calling-codes.json",
);
const document = {
  generatedBy: "npm run calling-codes:build (scripts/build-calling-codes.ts) from libphonenumber-js",
  codes: callingCodesFromLibrary(),
};
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${document.codes.length} calling codes to ${target}`);
