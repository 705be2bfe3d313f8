import { Command, CommanderError } from "commander";
import { JavaMissingError } from "../local/dynamodb-local.js";
import { CliError } from "./api-client.js";
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

const program = new Command("settlewatch")
  .description("settlewatch operator CLI: run the local monitor, register merchants, send and read payments")
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

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode);
  }
  if (error instanceof CliError || error instanceof JavaMissingError || error instanceof Error) {
    console.error(`settlewatch: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
