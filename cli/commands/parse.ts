/**
 * `settlewatch parse FILE`: reads a settlement file (streamed, any size) and prints its records.
 * With --json: JSON Lines (one `line` / `rejected` object per record, then the `summary`) - the
 * contract in functions/domain/settlement-files/settlement-record.ts. Without: a human summary.
 * Exit 0 when the file was read (rejected records and control mismatches are reported, not fatal),
 * 2 when it is not a readable file of the format (one line on stderr naming the line).
 */
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { ZodError } from "zod";
import { formatMinor } from "../../functions/domain/money/currency.js";
import {
  type AcquirerCsvMapping,
  parseAcquirerCsvMappings,
} from "../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { readSettlementFile } from "../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import { settlementFormatParsers } from "../../functions/domain/settlement-files/format-registry.js";
import {
  type ParseSummary,
  type SettlementFormat,
  UnreadableFileError,
} from "../../functions/domain/settlement-files/settlement-record.js";

interface ParseCommandOptions {
  format: string;
  json?: boolean;
  acquirerConfig?: string;
  encoding?: string;
  zipEntry?: string;
}

/** Loads acquirer CSV mappings: a JSON mapping, an array of them, or `{ "acquirerCsv": [...] }`. */
export async function loadAcquirerConfig(file: string): Promise<AcquirerCsvMapping[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--acquirer-config ${file}: ${(error as Error).message}`);
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "acquirerCsv" in value) {
    value = (value as { acquirerCsv: unknown }).acquirerCsv;
  }
  try {
    return parseAcquirerCsvMappings(value);
  } catch (error) {
    if (error instanceof ZodError) {
      const issue = error.issues[0];
      throw new UsageError(
        `--acquirer-config ${file}: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : error.message}`,
      );
    }
    throw error;
  }
}

class UsageError extends Error {
  override name = "UsageError";
}

/** Writes text to stdout, waiting when the pipe is full (so a 1M-line file streams in flat memory). */
async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off("drain", done);
        process.stdout.off("error", done);
        resolve();
      };
      process.stdout.on("drain", done);
      process.stdout.on("error", done);
    });
  }
}

function formatTotals(summary: ParseSummary): string[] {
  return Object.entries(summary.totals).map(([currency, t]) => {
    let credit: string;
    let debit: string;
    try {
      credit = formatMinor(t.creditMinor, currency);
      debit = formatMinor(t.debitMinor, currency);
    } catch {
      credit = `${t.creditMinor} ${currency} (minor units)`;
      debit = `${t.debitMinor} ${currency} (minor units)`;
    }
    return `  ${currency}: credits ${credit}, debits ${debit}`;
  });
}

export async function runParse(file: string, options: ParseCommandOptions): Promise<number> {
  const formats = settlementFormatParsers.map((p) => p.format as string);
  if (options.format !== "auto" && !formats.includes(options.format)) {
    console.error(`settlewatch parse: unknown --format ${options.format} (auto, ${formats.join(", ")})`);
    return 2;
  }
  // `settlewatch parse --json big.csv | head`: stop reading once the reader of stdout is gone.
  let stdoutClosed = false;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") stdoutClosed = true;
  };
  process.stdout.on("error", onStdoutError);
  try {
    const acquirerCsv = options.acquirerConfig ? await loadAcquirerConfig(options.acquirerConfig) : undefined;
    const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
    const records = readSettlementFile(stream, {
      format: options.format as SettlementFormat | "auto",
      fileName: basename(file),
      ...(acquirerCsv ? { acquirerCsv } : {}),
      ...(options.encoding ? { encoding: options.encoding } : {}),
      ...(options.zipEntry ? { zipEntry: options.zipEntry } : {}),
    });
    const rejectedShown: string[] = [];
    let rejectedCount = 0;
    let summary: ParseSummary | null = null;
    let buffer = "";
    for await (const record of records) {
      if (stdoutClosed) return 0;
      if (options.json) {
        buffer += `${JSON.stringify(record)}\n`;
        if (buffer.length >= 64 * 1024) {
          await writeOut(buffer);
          buffer = "";
        }
      }
      if (record.type === "rejected") {
        rejectedCount++;
        if (rejectedShown.length < 20) rejectedShown.push(`  line ${record.source}: ${record.reason}`);
      } else if (record.type === "summary") {
        summary = record;
      }
    }
    if (buffer !== "") await writeOut(buffer);
    if (summary === null) throw new UnreadableFileError("the reader ended without a summary");
    if (!options.json) {
      const out = [
        `${file}: ${summary.format}${summary.variant ? ` (${summary.variant})` : ""}`,
        `  ${summary.lines} lines, ${summary.rejected} rejected`,
        ...formatTotals(summary),
        `  control: ${summary.control} - ${summary.controlDetail}`,
      ];
      if (rejectedCount > 0) {
        out.push("rejected records:", ...rejectedShown);
        if (rejectedCount > rejectedShown.length)
          out.push(`  … and ${rejectedCount - rejectedShown.length} more`);
      }
      await writeOut(`${out.join("\n")}\n`);
    }
    if (summary.control === "mismatch") {
      console.error(`settlewatch parse: warning: ${file}: control mismatch: ${summary.controlDetail}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UnreadableFileError || error instanceof UsageError) {
      console.error(`settlewatch parse: ${file}: ${error.message.replace(/\s*\n\s*/g, " ")}`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") {
      console.error(`settlewatch parse: ${file}: cannot read (${code})`);
      return 2;
    }
    throw error;
  } finally {
    process.stdout.off("error", onStdoutError);
  }
}

export function registerParseCommand(program: Command): void {
  const formats = settlementFormatParsers.map((p) => p.format);
  program
    .command("parse")
    .description(
      "read a settlement file (WeChat/Alipay bill, acquirer CSV, Adyen, Stripe, UnionPay ZM, bank statement)",
    )
    .argument("<file>", "the file (plain, .gz or .zip)")
    .option("--format <format>", `auto or one of: ${formats.join(", ")}`, "auto")
    .option("--json", "print JSON Lines: one object per record, then the summary")
    .option("--acquirer-config <file>", "JSON file with acquirer CSV column mappings")
    .option(
      "--encoding <name>",
      "force the text encoding (e.g. gb18030, windows-1250) instead of detecting it",
    )
    .option("--zip-entry <text>", "for a zip: read the entry whose name contains this")
    .action(async (file: string, options: ParseCommandOptions) => {
      process.exitCode = await runParse(file, options);
    });
}
