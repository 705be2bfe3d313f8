// Bundle size and module init time of each Lambda handler, bundled exactly as the CDK construct
// bundles it (infra/constructs/bundling.ts), next to an empty handler bundled the same way.
//
//   node bin/run-ts.js bench/bundle-size.bench.ts [--runs 15] [--strict] [--reference DIR]
//
// Init time = `await import(bundle)` in a fresh `node` process (parse + evaluate, handler's top-level
// code included), median of N processes. A Lambda with 512 MB gets about a third of a vCPU, so
// expect its cold-start init to be several times these figures; the ratio to the empty handler is
// the portable number. --strict exits 1 when a bundle exceeds the size budget.
//
// --reference DIR: DIR is another checkout's bench/out/bundle-size (run this bench there first). Its
// bundles are imported alternately with these, process by process, under this environment: init
// over the empty handler side by side, and the ratio, which holds across machines of different
// speed (a figure from a quiet run of that checkout scales by it).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { envKeys } from "../functions/shared/env.js";
import { merchantEmailTopicPrefix } from "../infra/config/deployment-schema.js";
import { loadDeployments } from "../infra/config/deployments.js";
import { smsEnvironment, smsPacingEnvironment } from "../infra/config/sms-deployment.js";
import { esbuildOptionsFor, FUNCTION_NODE_OPTIONS } from "../infra/constructs/bundling.js";
import { REPO_ROOT } from "../infra/constructs/settlewatch-function.js";
import { settlementFileEnvironment } from "../infra/stacks/settlement-files-stack.js";

const SIZE_BUDGET_BYTES = 1024 * 1024;
const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 15;
const STRICT = args.includes("--strict");
const referenceArg = args.indexOf("--reference");
const REFERENCE = referenceArg >= 0 ? args[referenceArg + 1] : undefined;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs needs a positive integer");

const OUT = join(REPO_ROOT, "bench/out/bundle-size");
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const emptyEntry = join(OUT, "empty.handler.mjs");
writeFileSync(emptyEntry, "export const handler = async () => ({ statusCode: 204 });\n");

const handlers = [
  { name: "empty (baseline)", entry: emptyEntry },
  {
    name: "ingest-confirmations",
    entry: join(REPO_ROOT, "functions/handlers/ingest-confirmations.handler.ts"),
  },
  { name: "operator-api", entry: join(REPO_ROOT, "functions/handlers/operator-api.handler.ts") },
  { name: "check-overdue", entry: join(REPO_ROOT, "functions/handlers/check-overdue.handler.ts") },
  { name: "notify", entry: join(REPO_ROOT, "functions/handlers/notify.handler.ts") },
  {
    name: "ingest-settlement-file",
    entry: join(REPO_ROOT, "functions/handlers/ingest-settlement-file.handler.ts"),
  },
  {
    name: "distributed-ingest",
    entry: join(REPO_ROOT, "functions/handlers/distributed-ingest.handler.ts"),
  },
  { name: "check-calendars", entry: join(REPO_ROOT, "functions/handlers/check-calendars.handler.ts") },
  {
    name: "count-table-changes",
    entry: join(REPO_ROOT, "functions/handlers/count-table-changes.handler.ts"),
  },
  { name: "sms-reports", entry: join(REPO_ROOT, "functions/handlers/sms-reports.handler.ts") },
  { name: "sms-delivery-logs", entry: join(REPO_ROOT, "functions/handlers/sms-delivery-logs.handler.ts") },
  { name: "merchant-api", entry: join(REPO_ROOT, "functions/handlers/merchant-api.handler.ts") },
];

// The handlers parse their environment at init: give them what the stacks give them (ARNs and URLs
// are fakes; nothing is called at init). One environment serves all: each schema ignores the rest.
const deployments = loadDeployments();
const [deployment] = deployments;
if (!deployment) throw new Error("no deployment configured");
// The CSV mappings of a deployment that has some, so their parse at init is measured too.
const withCsvMappings =
  deployments.find((d) => d.acquirers.some((acquirer) => acquirer.csvMappings)) ?? deployment;
const account = "111122223333";
const snsArnPrefix = `arn:aws:sns:${deployment.region}:${account}:`;
type AnyEnvKey = (typeof envKeys)[keyof typeof envKeys][number];
const lambdaEnv: Record<AnyEnvKey, string> = {
  TABLE_NAME: "settlewatch-bench",
  DEPLOYMENT: deployment.name,
  DUE_SHARDS: String(deployment.dueShards),
  DEFAULT_MERCHANT_TERMS: JSON.stringify(deployment.defaultMerchantTerms),
  INPUT_LIMITS: JSON.stringify(deployment.inputLimits),
  CALENDAR_OVERRIDES_PARAMETER: deployment.calendarOverridesParameter,
  POWERTOOLS_SERVICE_NAME: "settlewatch",
  POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
  WEBHOOK_SECRETS_ID: `arn:aws:secretsmanager:${deployment.region}:${account}:secret:bench-AbCdEf`,
  EMAIL_TOPIC_PREFIX: merchantEmailTopicPrefix(deployment),
  EMAIL_TOPIC_KMS_KEY: `arn:aws:kms:${deployment.region}:${account}:key/00000000-0000-0000-0000-000000000000`,
  NOTICE_QUEUE_URL: `https://sqs.${deployment.region}.amazonaws.com/${account}/bench-notices`,
  ESCALATION_HOURS: JSON.stringify(deployment.escalationHours),
  SETTLEMENT_FILE_EXPECTATIONS: "{}",
  ACQUIRERS_WITHOUT_ORDER_INDEX: "[]",
  ACQUIRER_CONTACTS: "{}",
  SNS_TOPIC_ARN_PREFIX: snsArnPrefix,
  OPS_TOPIC_ARN: `${snsArnPrefix}bench-ops`,
  SMS_SENDER_ID: "Settlewatch",
  DISTRIBUTED_INGEST_STATE_MACHINE_ARN: `arn:aws:states:${deployment.region}:${account}:stateMachine:bench`,
  DISTRIBUTED_THRESHOLD_BYTES: String(64 * 1024 * 1024),
  DISTRIBUTED_CHUNK_BYTES: String(8 * 1024 * 1024),
  SMS_MAX_PRICE_USD: "0.05",
  ...smsEnvironment(deployment),
  ...smsPacingEnvironment(deployment),
  SETTLEMENT_BUCKET: "settlewatch-bench-settlement-files",
  ACQUIRER_CSV_MAPPINGS: settlementFileEnvironment(withCsvMappings).ACQUIRER_CSV_MAPPINGS,
  CALENDAR_HORIZON_DAYS: "90",
  SMS_REPORT_TOKEN_SECRET_ID: "settlewatch/bench/sms-report-token",
  SIGN_IN_SECRET_ID: `arn:aws:secretsmanager:${deployment.region}:${account}:secret:bench-sign-in-AbCdEf`,
  MERCHANT_PAGE: JSON.stringify(deployment.merchantPage),
};
const childEnv = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: deployment.region,
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  ...lambdaEnv,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Milliseconds to import the bundle once, in a fresh node process. */
function initTime(bundle: string, nodeFlags: string[]): number {
  const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
if (typeof m.handler !== "function") throw new Error("no handler export");
process.stdout.write(String(performance.now() - t0));`;
  const child = spawnSync(process.execPath, [...nodeFlags, "--input-type=module", "-e", script], {
    env: childEnv,
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`importing ${bundle} failed:\n${child.stderr}`);
  return Number(child.stdout);
}

/** Init times of each bundle, imported in turn (one warm-up round, then RUNS rounds). */
function initTimesInTurn(bundles: string[], nodeFlags: string[]): number[][] {
  const times = bundles.map((): number[] => []);
  for (let run = 0; run <= RUNS; run++) {
    bundles.forEach((bundle, index) => {
      const time = initTime(bundle, nodeFlags);
      if (run > 0) times[index]?.push(time);
    });
  }
  return times;
}

const initTimes = (bundle: string, nodeFlags: string[]) => initTimesInTurn([bundle], nodeFlags)[0] ?? [];

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const rows: string[][] = [];
const heaviest: string[] = [];
let baseline: { plain: number; maps: number } | undefined;
let overBudget = false;

for (const handler of handlers) {
  const options = esbuildOptionsFor(handler.entry, join(OUT, handler.name.split(" ")[0] ?? handler.name));
  const result = await build({ ...options, metafile: true });
  const bytes = statSync(options.outfile).size;
  const gzip = gzipSync(readFileSync(options.outfile)).length;
  const map = statSync(`${options.outfile}.map`).size;
  const plain = median(initTimes(options.outfile, []));
  const maps = median(initTimes(options.outfile, [FUNCTION_NODE_OPTIONS]));
  baseline ??= { plain, maps };
  const within = bytes <= SIZE_BUDGET_BYTES;
  overBudget ||= !within;
  rows.push([
    handler.name,
    kb(bytes),
    within ? "yes" : "NO",
    kb(gzip),
    kb(map),
    `${plain.toFixed(1)} ms (${(plain / baseline.plain).toFixed(1)}x)`,
    `${maps.toFixed(1)} ms (${(maps / baseline.maps).toFixed(1)}x)`,
  ]);

  // Where the bytes come from, by package: the first thing to look at when a bundle grows.
  const byPackage = new Map<string, number>();
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith("index.mjs"))?.[1];
  for (const [file, input] of Object.entries(output?.inputs ?? {})) {
    const name =
      file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? file.split("/").slice(0, 2).join("/");
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (handler.entry !== emptyEntry) {
    heaviest.push(`${handler.name}: ${top.map(([name, size]) => `${name} ${kb(size)}`).join(", ")}`);
  }
}

const header = [
  "handler",
  "bundle (min)",
  "<= 1 MB",
  "gzip",
  "source map",
  `init median of ${RUNS}`,
  `init, ${FUNCTION_NODE_OPTIONS}`,
];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
);
const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ");
console.log(`node ${process.version}, esbuild options from infra/constructs/bundling.ts, bundles in ${OUT}`);
console.log(line(header));
console.log(line(widths.map((width) => "-".repeat(width))));
for (const row of rows) console.log(line(row));
console.log("\nlargest packages in each bundle (minified bytes):");
for (const entry of heaviest) console.log(`  ${entry}`);
if (REFERENCE) compareWithReference(REFERENCE);
if (STRICT && overBudget) process.exit(1);

/** Init over the empty handler of these bundles and of another checkout's, imported in turn. */
function compareWithReference(referenceDir: string) {
  const empty = join(OUT, "empty", "index.mjs");
  console.log(
    `\ninit over the empty handler, side by side with ${referenceDir} (median of ${RUNS}, in turn):`,
  );
  for (const handler of handlers.slice(1)) {
    const ours = join(OUT, handler.name, "index.mjs");
    const theirs = join(referenceDir, handler.name, "index.mjs");
    if (!existsSync(theirs)) continue;
    const [emptyTimes, ourTimes, theirTimes] = initTimesInTurn([empty, ours, theirs], []);
    const [e, a, b] = [emptyTimes, ourTimes, theirTimes].map((times) => median(times ?? []));
    const over = (time = 0) => time - (e ?? 0);
    console.log(
      `  ${handler.name.padEnd(24)} this ${over(a).toFixed(1).padStart(6)} ms, reference ${over(b).toFixed(1).padStart(6)} ms: ${(over(a) / over(b)).toFixed(2)}x`,
    );
  }
}
