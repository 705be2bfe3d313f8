import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { signatureHeader } from "../../functions/domain/confirmation/webhook-signature.js";
import { MAX_BATCH_SIZE } from "../../functions/use-cases/ingest-confirmations.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { CliError, callApi, monitorUrl } from "../api-client.js";
import { printAnswer } from "../output.js";

/** Reads confirmations from a .json (object or array) or .jsonl file, naming the line of a bad one. */
async function readConfirmations(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, "utf8");
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || (trimmed.startsWith("{") && !trimmed.includes("\n{"))) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      const list = Array.isArray(parsed) ? parsed : [parsed];
      return list as Array<Record<string, unknown>>;
    } catch (error) {
      throw new CliError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
  }
  const items: Array<Record<string, unknown>> = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    try {
      items.push(JSON.parse(line) as Record<string, unknown>);
    } catch (error) {
      throw new CliError(`${file}: line ${index + 1}: not valid JSON: ${(error as Error).message}`);
    }
  }
  return items;
}

export function registerConfirmationCommands(program: Command): void {
  program
    .command("confirmations")
    .description("send payment confirmations, as an acquirer would")
    .command("send")
    .description(
      "sign and POST confirmations from a .json or .jsonl file, in batches of up to 500 per acquirer",
    )
    .argument("<file>")
    .option("--url <url>", "monitor URL")
    .option("--secret <secret>", "webhook secret (default: the acquirer's secret from the local config)")
    .option("-c, --config <file>", "local config file holding webhook secrets")
    .action(async (file: string, options: { url?: string; secret?: string; config?: string }) => {
      const items = await readConfirmations(file);
      const byAcquirer = new Map<string, Array<Record<string, unknown>>>();
      for (const item of items) {
        const acquirer = String(item.acquirer ?? "");
        byAcquirer.set(acquirer, [...(byAcquirer.get(acquirer) ?? []), item]);
      }
      const config = options.secret
        ? undefined
        : loadLocalConfig(options.config ? { configFile: options.config } : {});
      let failed = false;
      for (const [acquirer, list] of byAcquirer) {
        const secret = options.secret ?? config?.webhookSecrets[acquirer]?.[0];
        if (!secret) throw new CliError(`no webhook secret for acquirer "${acquirer}": pass --secret`);
        for (let start = 0; start < list.length; start += MAX_BATCH_SIZE) {
          const chunk = list.slice(start, start + MAX_BATCH_SIZE);
          const body = JSON.stringify(chunk.length === 1 ? chunk[0] : { confirmations: chunk });
          const header = signatureHeader(secret, Math.floor(Date.now() / 1000), body);
          const answer = await callApi(monitorUrl(options.url), {
            method: "POST",
            path: "/v1/confirmations",
            body,
            headers: { "settlewatch-signature": header },
          });
          if (!printAnswer(answer, `${acquirer} [${start}..${start + chunk.length - 1}]`)) failed = true;
        }
      }
      if (failed) process.exitCode = 1;
    });
}
