import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import type { Command } from "commander";
import { UnreadableFileError } from "../../functions/domain/settlement-files/settlement-record.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { ingestInboxFile, storeInInbox, uploadOptionsProblem } from "../../local/settlement-upload.js";
import { CliError, findMonitor, mayOpenLocalData } from "../api-client.js";

interface IngestOptions {
  acquirer: string;
  format?: string;
  fileDay?: string;
  url?: string;
  config?: string;
}

/** A progress line on stderr: redrawn in place on a terminal, every 10% otherwise. */
function progress(total: number): (sent: number) => void {
  let lastDecile = -1;
  return (sent) => {
    const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
    const bar = "#".repeat(Math.floor(percent / 5)).padEnd(20, ".");
    const text = `[${bar}] ${percent}% ${(sent / 1_048_576).toFixed(1)}/${(total / 1_048_576).toFixed(1)} MiB`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}`);
    else if (Math.floor(percent / 10) > lastDecile) {
      lastDecile = Math.floor(percent / 10);
      process.stderr.write(`${text}\n`);
    }
  };
}

export function registerIngestCommand(program: Command): void {
  program
    .command("ingest")
    .description(
      "upload a settlement file to the monitor (as dropping it in S3 does in AWS) and print its report",
    )
    .argument("<file>")
    .requiredOption("--acquirer <id>", "the acquirer the file comes from")
    .option("--format <format>", "force the format (default: detected from the content)")
    .option("--file-day <YYYY-MM-DD>", "the day the file settles (default: its latest value date)")
    .option("--url <url>", "monitor URL (default: the running local monitor, else the local data directly)")
    .option("-c, --config <file>", "local config (acquirer CSV mappings) when no monitor is running")
    .action(async (file: string, options: IngestOptions) => {
      const problem = uploadOptionsProblem({
        acquirer: options.acquirer,
        format: options.format,
        fileDay: options.fileDay,
      });
      if (problem) throw new CliError(problem);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch (error) {
        throw new CliError(`${file}: ${(error as Error).message}`);
      }
      const query = new URLSearchParams({ acquirer: options.acquirer, fileName: basename(file) });
      if (options.format) query.set("format", options.format);
      if (options.fileDay) query.set("fileDay", options.fileDay);
      const report = progress(size);
      let sent = 0;
      const counted = createReadStream(file).on("data", (chunk) => {
        sent += chunk.length;
        report(sent);
      });
      const target = findMonitor(options.url, options.config);
      try {
        const response = await fetch(`${target.url}/v1/settlement-files?${query}`, {
          method: "POST",
          headers: { "content-type": "application/octet-stream" },
          body: Readable.toWeb(counted) as ReadableStream,
          duplex: "half",
        } as RequestInit);
        if (process.stderr.isTTY) process.stderr.write("\n");
        const answer = await response.json();
        const ok = response.status === 200 || response.status === 201;
        (ok ? console.log : console.error)(JSON.stringify(answer, null, 2));
        if (!ok) process.exitCode = response.status === 422 ? 2 : 1;
        return;
      } catch (error) {
        counted.destroy();
        if (!mayOpenLocalData(target, error)) throw error;
      }
      // No monitor holds the local data: ingest into it directly (taking its lock while doing so).
      const config = loadLocalConfig(options.config ? { configFile: options.config } : {});
      config.port = 0;
      console.error(
        `no monitor running at ${target.url}: opening the local data in ${config.dataDir} directly`,
      );
      const { startLocalMonitor } = await import("../../local/monitor.js");
      const monitor = await startLocalMonitor(config, { print: (line) => console.error(line) });
      try {
        const stored = await storeInInbox(createReadStream(file), join(config.dataDir, "inbox"));
        report(size);
        const result = await ingestInboxFile(
          stored,
          {
            acquirer: options.acquirer,
            format: options.format,
            fileName: basename(file),
            fileDay: options.fileDay,
          },
          monitor.services.settlement,
        );
        console.log(JSON.stringify(result, null, 2));
      } catch (error) {
        if (error instanceof UnreadableFileError) throw new CliError(`${file}: ${error.message}`);
        throw error;
      } finally {
        await monitor.stop();
      }
    });
}
