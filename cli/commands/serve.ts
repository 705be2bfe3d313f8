import type { Command } from "commander";
import { loadLocalConfig } from "../../local/local-config.js";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the monitor locally on an embedded DynamoDB Local (data kept in .settlewatch/)")
    .option("-c, --config <file>", "local config file (default: ./settlewatch.local.json if present)")
    .option("-p, --port <port>", "HTTP port (0 picks a free one)")
    .action(async (options: { config?: string; port?: string }) => {
      const config = loadLocalConfig(options.config ? { configFile: options.config } : {});
      const { consoleLogger } = await import("../../local/console-logger.js");
      const { DEMO_MERCHANT, startLocalMonitor } = await import("../../local/monitor.js");
      if (options.port !== undefined) config.port = Number(options.port);
      const monitor = await startLocalMonitor(config, {
        runChecks: true,
        print: (line) => console.log(`${new Date().toISOString()} ${line}`),
        logger: consoleLogger(),
      });
      console.log(`settlewatch monitor listening on ${monitor.url}`);
      console.log(
        `  DynamoDB Local: ${monitor.dynamoDbEndpoint} (data in ${config.dataDir}, held by this process: pid ${process.pid})`,
      );
      console.log(`  config: ${config.source}`);
      console.log(
        `  overdue check every ${config.checkIntervalSeconds} s; notices printed and written to ${config.dataDir}/outbox.jsonl`,
      );
      console.log(`  acquirers with webhook secrets: ${Object.keys(config.webhookSecrets).join(", ")}`);
      if (config.usingDemoSecrets) {
        console.log("  no webhook secrets configured: using the demo secret of 'demo-acquirer' (local only)");
      }
      if (!config.merchantPage.enabled) console.log("  merchant page: switched off (merchantPage.enabled)");
      else console.log(`  merchant page API: ${monitor.url}/m/api/… (see docs/local.md)`);
      if (config.merchantPage.enabled && config.usingDemoSecrets && config.demoMerchant) {
        console.log(
          `  demo merchant '${DEMO_MERCHANT.merchantId}' signs in with 13800138000; the code is in ${config.dataDir}/outbox.jsonl`,
        );
      }
      console.log("Press Ctrl+C to stop.");
      const shutdown = async () => {
        console.log("stopping…");
        await monitor.stop();
        process.exit(0);
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
      process.once("SIGHUP", shutdown);
    });
}
