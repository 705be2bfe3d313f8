import type { PlatformCheckConfig } from "../../functions/shared/platform-check-config.js";

/**
 * In AWS a platform switched on for the merchant page's real-time check needs the secret holding its
 * credentials (locally they come from the local config): without it every check would answer
 * "no-credentials", so synth refuses it instead.
 */
export function platformCheckProblems(config: PlatformCheckConfig | undefined): Array<[string[], string]> {
  const problems: Array<[string[], string]> = [];
  for (const platform of ["wechatpay", "alipay"] as const) {
    const settings = config?.[platform];
    if (settings && settings.secretName === undefined)
      problems.push([
        ["merchantPage", "platformCheck", platform, "secretName"],
        "required in a deployment: the Secrets Manager secret with this platform's credentials (docs/deploy.md)",
      ]);
  }
  return problems;
}
