import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { CliError, callApi, monitorUrl } from "../api-client.js";
import { printAnswer } from "../output.js";

export function registerMerchantCommands(program: Command): void {
  const merchants = program.command("merchants").description("register and read merchant profiles");
  merchants
    .command("put")
    .description("create or replace merchant profiles from a JSON file (one profile or an array)")
    .argument("<file>", "JSON file")
    .option("--url <url>", "monitor URL (default $SETTLEWATCH_URL or http://127.0.0.1:8787)")
    .action(async (file: string, options: { url?: string }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        throw new CliError(`${file}: ${(error as Error).message}`);
      }
      const profiles = Array.isArray(parsed) ? parsed : [parsed];
      let failed = 0;
      for (const [index, profile] of profiles.entries()) {
        const merchantId = (profile as { merchantId?: unknown })?.merchantId;
        if (typeof merchantId !== "string" || merchantId === "") {
          console.error(`${file}: profile [${index}]: merchantId is required`);
          failed += 1;
          continue;
        }
        const answer = await callApi(monitorUrl(options.url), {
          method: "PUT",
          path: `/v1/merchants/${encodeURIComponent(merchantId)}`,
          body: JSON.stringify(profile),
        });
        if (!printAnswer(answer, `merchant ${merchantId}`)) failed += 1;
      }
      if (failed > 0) process.exitCode = 1;
    });
  merchants
    .command("get")
    .description("show a merchant profile")
    .argument("<merchantId>")
    .option("--url <url>", "monitor URL")
    .action(async (merchantId: string, options: { url?: string }) => {
      const answer = await callApi(monitorUrl(options.url), {
        method: "GET",
        path: `/v1/merchants/${encodeURIComponent(merchantId)}`,
      });
      if (!printAnswer(answer)) process.exitCode = 1;
    });
}
