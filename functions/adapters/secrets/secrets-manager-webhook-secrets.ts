import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { parseWebhookSecrets } from "../../domain/confirmation/webhook-secrets.js";
import type { WebhookSecretStore } from "../../use-cases/ports.js";

/** Cache for one minute: a rotated secret is picked up quickly, and a warm Lambda rarely calls Secrets Manager. */
const MAX_AGE_SECONDS = 60;

/** Webhook secrets kept as one JSON secret in AWS Secrets Manager. */
export class SecretsManagerWebhookSecretStore implements WebhookSecretStore {
  constructor(private readonly secretId: string) {}

  async secretsFor(acquirer: string): Promise<readonly string[]> {
    const raw = await getSecret(this.secretId, { transform: "json", maxAge: MAX_AGE_SECONDS });
    const secrets = parseWebhookSecrets(raw);
    return Object.hasOwn(secrets, acquirer) ? (secrets[acquirer] ?? []) : [];
  }
}
