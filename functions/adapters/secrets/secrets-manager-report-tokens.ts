import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { SmsReportTokens } from "../../use-cases/ports.js";

/** Cache for one minute: a rotated token is picked up quickly, a warm Lambda rarely calls Secrets Manager. */
const MAX_AGE_SECONDS = 60;

/** Tokens of at least this many characters; a shorter secret is refused (nothing matches it). */
export const MIN_REPORT_TOKEN_LENGTH = 32;

/**
 * The delivery-report token(s) in one Secrets Manager secret: the token itself, or a JSON array
 * ["current", "previous"] while the provider consoles are switched to a new one.
 */
export class SecretsManagerReportTokens implements SmsReportTokens {
  constructor(private readonly secretId: string) {}

  async current(): Promise<readonly string[]> {
    const raw = await getSecret(this.secretId, { maxAge: MAX_AGE_SECONDS });
    return parseReportTokens(typeof raw === "string" ? raw : "");
  }
}

/** The tokens of a secret's text; malformed or too short ones are dropped (so nothing matches them). */
export function parseReportTokens(text: string): string[] {
  let values: unknown = text.trim();
  if (text.trim().startsWith("[")) {
    try {
      values = JSON.parse(text);
    } catch {
      return [];
    }
  }
  const list = Array.isArray(values) ? values : [values];
  return list.filter(
    (token): token is string => typeof token === "string" && token.length >= MIN_REPORT_TOKEN_LENGTH,
  );
}

/** Locally: the token(s) from the local config. */
export class StaticReportTokens implements SmsReportTokens {
  constructor(private readonly tokens: readonly string[]) {}

  async current(): Promise<readonly string[]> {
    return this.tokens;
  }
}
