import type { Command } from "commander";
import { callApi, monitorUrl } from "../api-client.js";
import { printAnswer } from "../output.js";

export function registerPaymentCommands(program: Command): void {
  program
    .command("payments")
    .description("read payments")
    .command("get")
    .description("status, confirmed at, expected by and explanation of one payment")
    .argument("<acquirer>")
    .argument("<paymentId>")
    .option("--url <url>", "monitor URL")
    .action(async (acquirer: string, paymentId: string, options: { url?: string }) => {
      const path = `/v1/payments/${encodeURIComponent(acquirer)}/${encodeURIComponent(paymentId)}`;
      if (!printAnswer(await callApi(monitorUrl(options.url), { method: "GET", path }))) process.exitCode = 1;
    });
}
