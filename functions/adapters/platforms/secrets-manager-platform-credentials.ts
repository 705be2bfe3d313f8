import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { PlatformCheckConfig } from "../../shared/platform-check-config.js";
import { type AccountCredentials, alipayAccounts, wechatPayAccounts } from "./platform-credentials.js";
import type { PlatformCredentialSources } from "./platform-queries.js";

/** Five minutes: platform keys change rarely, and a warm function seldom calls Secrets Manager. */
const MAX_AGE_SECONDS = 300;

/**
 * Credentials of one platform from its Secrets Manager secret (JSON keyed by account), parsed once
 * per secret text. A missing or malformed secret holds no account: the check says "not available".
 */
function fromSecret<T>(
  secretName: string | undefined,
  parse: (raw: unknown) => Map<string, T>,
): AccountCredentials<T> {
  let parsed: { text: string; accounts: Map<string, T> } | undefined;
  return async (account) => {
    if (secretName === undefined) return undefined;
    const text = await getSecret(secretName, { maxAge: MAX_AGE_SECONDS });
    if (typeof text !== "string") return undefined;
    if (parsed?.text !== text) {
      let accounts = new Map<string, T>();
      try {
        accounts = parse(JSON.parse(text));
      } catch {
        // Malformed: nothing is queried with it (the operator sees "no-credentials" answers).
      }
      parsed = { text, accounts };
    }
    return parsed.accounts.get(account);
  };
}

export function secretsManagerPlatformCredentials(
  config: PlatformCheckConfig | undefined,
): PlatformCredentialSources {
  return {
    wechatpay: fromSecret(config?.wechatpay?.secretName, wechatPayAccounts),
    alipay: fromSecret(config?.alipay?.secretName, alipayAccounts),
  };
}
