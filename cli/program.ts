import { Command, CommanderError } from "commander";
import { registerCheckCommand } from "./commands/check.js";
import { registerConfirmationCommands } from "./commands/confirmations.js";
import { registerIngestCommand } from "./commands/ingest.js";
import { registerMerchantCommands } from "./commands/merchants.js";
import { registerMigrateIndexKeysCommand } from "./commands/migrate-index-keys.js";
import { registerParseCommand } from "./commands/parse.js";
import { registerPaymentCommands } from "./commands/payments.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSimulateCommand } from "./commands/simulate.js";
import { registerSmsTemplatesCommand } from "./commands/sms-templates.js";

/** The `settlewatch` command with every subcommand. */
export function settlewatchProgram(): Command {
  const program = new Command("settlewatch")
    .description(
      "settlewatch operator CLI: run the local monitor, register merchants, send and read payments",
    )
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerMerchantCommands(program);
  registerPaymentCommands(program);
  registerConfirmationCommands(program);
  registerCheckCommand(program);
  registerSimulateCommand(program);
  registerParseCommand(program);
  registerIngestCommand(program);
  registerSmsTemplatesCommand(program);
  registerMigrateIndexKeysCommand(program);
  return program;
}

export interface CliRun {
  /** What the process exits with: 0, 1 (a request failed), 2 (bad input, a refused file). */
  exitCode: number;
  /** The command stopped on an error (or commander's help/usage): exit at once. */
  stopped: boolean;
}

/**
 * Runs the CLI on `argv` (`[node, script, ...args]`) in this process: what bin/settlewatch.js runs,
 * and what tests call for commands whose process is not what they test. Leaves `process.exitCode`
 * as it found it: the exit code is returned.
 */
export async function runCli(argv: readonly string[]): Promise<CliRun> {
  const outer = process.exitCode;
  process.exitCode = undefined;
  try {
    await settlewatchProgram().parseAsync([...argv]);
    return { exitCode: Number(process.exitCode ?? 0), stopped: false };
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode, stopped: true };
    // CliError, a missing Java, a bad config: one line naming the problem.
    if (error instanceof Error) {
      console.error(`settlewatch: ${error.message}`);
      return { exitCode: 2, stopped: true };
    }
    throw error;
  } finally {
    process.exitCode = outer;
  }
}
