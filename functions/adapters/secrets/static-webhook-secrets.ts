import type { WebhookSecrets } from "../../domain/confirmation/webhook-secrets.js";
import type { WebhookSecretStore } from "../../use-cases/ports.js";

/** Secrets from local configuration (a file or an environment variable). */
export class StaticWebhookSecretStore implements WebhookSecretStore {
  constructor(private readonly secrets: WebhookSecrets) {}

  async secretsFor(acquirer: string): Promise<readonly string[]> {
    return Object.hasOwn(this.secrets, acquirer) ? (this.secrets[acquirer] ?? []) : [];
  }
}
