import type { Command } from "commander";
import {
  isSmsProvider,
  SMS_PROVIDERS,
  type SmsProviderId,
  smsLimitsFor,
} from "../../functions/domain/notification/sms-providers.js";
import { smsTemplateReport } from "../../functions/domain/notification/sms-templates.js";
import { CliError } from "../api-client.js";

/**
 * What a deployment registered with a provider: from infra/config, the first deployment that
 * configures it. Loaded only here: the deployment schema brings CDK along.
 */
async function registered(provider: SmsProviderId, deploymentName: string | undefined) {
  if (provider === "sns")
    return { signName: undefined, codes: undefined, maxVariableLength: undefined, from: undefined };
  const { loadDeployments } = await import("../../infra/config/deployments.js");
  const deployments = loadDeployments().filter((d) => !deploymentName || d.name === deploymentName);
  const deployment = deployments.find((d) => d.sms[provider] !== undefined);
  const settings = deployment?.sms[provider];
  return {
    signName: settings?.signName,
    codes: settings?.templateCodes,
    maxVariableLength: settings?.maxVariableLength,
    from: deployment?.name,
  };
}

export function registerSmsTemplatesCommand(program: Command): void {
  program
    .command("sms-templates")
    .description(
      "every SMS template per language: its variables, registered code and longest rendering's parts",
    )
    .option("--provider <provider>", `one of ${SMS_PROVIDERS.join(", ")}`, "aliyun")
    .option("--deployment <name>", "take the sign name and codes from this deployment of infra/config")
    .option("--json", "print JSON")
    .action(async (options: { provider: string; deployment?: string; json?: boolean }) => {
      if (!isSmsProvider(options.provider)) {
        throw new CliError(`--provider ${options.provider}: expected one of ${SMS_PROVIDERS.join(", ")}`);
      }
      const provider = options.provider;
      const config = await registered(provider, options.deployment);
      const limits = smsLimitsFor(provider, {
        routing: { default: provider },
        providers: { [provider]: { signName: config.signName, maxVariableLength: config.maxVariableLength } },
      });
      const report = smsTemplateReport({ ...limits, codes: config.codes });
      if (options.json) {
        console.log(
          JSON.stringify(
            { provider, deployment: config.from ?? null, signature: limits.signature, templates: report },
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        `${provider}${config.from ? ` (codes from deployment ${config.from})` : ""}: signature ${limits.signature || "(none)"}, variables up to ${limits.maxVariableLength ?? "any"} characters`,
      );
      for (const entry of report) {
        console.log(
          `\n${entry.language} ${entry.key}  code: ${entry.code ?? (provider === "sns" ? "-" : "(not registered)")}`,
        );
        console.log(`  text: ${entry.text}`);
        console.log(`  variables (in order): ${entry.variables.join(", ") || "(none)"}`);
        console.log(`  longest: ${entry.longest.characters} characters, ${entry.longest.segments} part(s)`);
      }
    });
}
