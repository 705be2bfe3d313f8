import type { Command } from "commander";
import { loadLocalConfig } from "../../local/local-config.js";
import { CliError } from "../api-client.js";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description(
      "run the whole pipeline on a fresh embedded DynamoDB Local and print the alerts a day of data would raise",
    )
    .requiredOption("--merchants <file>", "JSON array of merchant profiles")
    .requiredOption("--confirmations <file>", "confirmations, one JSON object per line")
    .option(
      "--settlement <[acquirer=]file[@instant]>",
      "a settlement file, arriving before the first check at or after the instant (repeatable)",
      collect,
      [],
    )
    .requiredOption("--as-of <instant>", "run the check at this instant (repeatable, in order)", collect, [])
    .option("--json", "print JSON (the default; kept for scripts)")
    .option("-c, --config <file>", "local config (escalation, settlement-file times, acquirer contacts)")
    .action(
      async (options: {
        merchants: string;
        confirmations: string;
        settlement: string[];
        asOf: string[];
        config?: string;
      }) => {
        const config = loadLocalConfig(options.config ? { configFile: options.config } : {});
        const { SimulationInputError, simulate } = await import("../../local/simulate.js");
        try {
          const output = await simulate(
            {
              merchantsFile: options.merchants,
              confirmationsFile: options.confirmations,
              settlementFiles: options.settlement,
              asOf: options.asOf,
            },
            config,
          );
          console.log(JSON.stringify(output, null, 2));
        } catch (error) {
          if (error instanceof SimulationInputError) throw new CliError(error.message);
          throw error;
        }
      },
    );
}
