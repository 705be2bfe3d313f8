import type { Command } from "commander";
import { checkAsOf } from "../../functions/domain/validation/input-limits.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { CliError, callApi, findMonitor, mayOpenLocalData } from "../api-client.js";

export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("run the overdue check once (on the running local monitor, else on the local data directly)")
    .option("--as-of <instant>", "run as if it were this RFC 3339 instant")
    .option("--url <url>", "monitor URL")
    .option("-c, --config <file>", "local config file (when no monitor is running)")
    .action(async (options: { asOf?: string; url?: string; config?: string }) => {
      // The shape and the earliest date here; how far ahead is the monitor's config to say.
      const asOf =
        options.asOf === undefined
          ? undefined
          : checkAsOf(options.asOf, { now: new Date(), anyFuture: true });
      if (asOf && !asOf.ok) throw new CliError(`--as-of ${options.asOf}: ${asOf.message}`);
      const body = JSON.stringify(options.asOf ? { asOf: options.asOf } : {});
      const target = findMonitor(options.url, options.config);
      try {
        const answer = await callApi(target.url, { method: "POST", path: "/local/check", body });
        console.log(JSON.stringify(answer.body, null, 2));
        if (answer.status !== 200) process.exitCode = 1;
        return;
      } catch (error) {
        if (!mayOpenLocalData(target, error)) throw error;
      }
      // No monitor holds the local data: open it ourselves (taking its lock), run once, stop.
      const config = loadLocalConfig(options.config ? { configFile: options.config } : {});
      config.port = 0;
      console.error(
        `no monitor running at ${target.url}: opening the local data in ${config.dataDir} directly`,
      );
      const { startLocalMonitor } = await import("../../local/monitor.js");
      const monitor = await startLocalMonitor(config, { print: (line) => console.error(line) });
      try {
        const at =
          options.asOf === undefined
            ? undefined
            : checkAsOf(options.asOf, { now: new Date(), limits: config.inputLimits });
        if (at && !at.ok) throw new CliError(`--as-of ${options.asOf}: ${at.message}`);
        const result = await monitor.services.checkAndNotify(
          at ? { now: () => new Date(at.value.getTime()) } : undefined,
        );
        console.log(JSON.stringify(result, null, 2));
      } finally {
        await monitor.stop();
      }
    });
}
