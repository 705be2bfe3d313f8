import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { MigrationStats, ScanPosition } from "../../functions/adapters/dynamodb/index-key-migration.js";
import { CliError } from "../api-client.js";

interface Options {
  table: string;
  endpoint?: string;
  region?: string;
  dryRun?: boolean;
  checkpoint?: string;
  pageSize: string;
  maxPages?: string;
}

interface Checkpoint {
  next: ScanPosition;
  stats: MigrationStats;
}

function positiveInteger(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10_000)
    throw new CliError(`${flag} ${value}: expected a whole number from 1 to 10000`);
  return parsed;
}

function readCheckpoint(file: string | undefined): Checkpoint | undefined {
  if (!file || !existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<Checkpoint>;
  if (typeof parsed.next !== "object" || parsed.next === null || typeof parsed.stats !== "object")
    throw new CliError(`--checkpoint ${file}: not a checkpoint this command wrote`);
  return parsed as Checkpoint;
}

function add(sum: MigrationStats, page: MigrationStats): MigrationStats {
  const total = { ...sum };
  for (const key of Object.keys(total) as Array<keyof MigrationStats>) total[key] += page[key];
  return total;
}

/**
 * `settlewatch migrate-index-keys`: the one-off rewrite of older index keys (see docs/operations.md).
 * Pages through the table with a Scan; with --checkpoint, where it stopped is saved after each page
 * and the next run goes on from there (the file is removed once the Scan is through).
 */
export function registerMigrateIndexKeysCommand(program: Command): void {
  program
    .command("migrate-index-keys")
    .description(
      "one-off: rewrite payments' amount-index keys of the old shape and give OVERDUE payments their merchant-open keys (a Scan; resumable, idempotent)",
    )
    .requiredOption("--table <name>", "the settlewatch table (the Data stack's TableName output)")
    .option(
      "--endpoint <url>",
      "DynamoDB endpoint (DynamoDB Local); default: AWS, from the usual credentials",
    )
    .option("--region <region>", "AWS region (default: the usual AWS configuration)")
    .option("--dry-run", "count what would change, write nothing")
    .option("--checkpoint <file>", "save the position after each page; a later run resumes from it")
    .option("--page-size <n>", "items per Scan page", "100")
    .option("--max-pages <n>", "stop after this many pages (resume later with --checkpoint)")
    .action(async (options: Options) => {
      const pageSize = positiveInteger(options.pageSize, "--page-size");
      const maxPages =
        options.maxPages === undefined ? Infinity : positiveInteger(options.maxPages, "--max-pages");
      // Loaded here, not at the top: every other command (and --help) starts faster without the SDK.
      const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
      const { documentClient } = await import("../../functions/adapters/dynamodb/document-client.js");
      const { emptyMigrationStats, migrateIndexKeysPage } = await import(
        "../../functions/adapters/dynamodb/index-key-migration.js"
      );
      const { localDynamoDbClient } = await import("../../local/dynamodb-local.js");
      const client = options.endpoint
        ? localDynamoDbClient(options.endpoint)
        : new DynamoDBClient(options.region ? { region: options.region } : {});
      const db = documentClient(client);
      const resumed = readCheckpoint(options.checkpoint);
      let stats = resumed?.stats ?? emptyMigrationStats();
      let from: ScanPosition | undefined = resumed?.next;
      if (resumed) console.error(`resuming from ${options.checkpoint}`);
      try {
        for (let pages = 0; pages < maxPages; pages += 1) {
          const page = await migrateIndexKeysPage({
            db,
            tableName: options.table,
            pageSize,
            dryRun: options.dryRun === true,
            from,
          });
          stats = add(stats, page.stats);
          from = page.next;
          console.error(`page ${pages + 1}: ${JSON.stringify(page.stats)}`);
          if (!options.dryRun && options.checkpoint) {
            if (from) writeFileSync(options.checkpoint, JSON.stringify({ next: from, stats }));
            else rmSync(options.checkpoint, { force: true });
          }
          if (!from) break;
        }
      } finally {
        client.destroy();
      }
      console.log(
        JSON.stringify({ dryRun: options.dryRun === true, complete: from === undefined, ...stats }, null, 2),
      );
    });
}
