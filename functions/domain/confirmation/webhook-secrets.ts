import * as z from "zod";
import { acquirerIdSchema } from "./confirmation.js";

/**
 * Webhook secrets of all acquirers: `{"<acquirer>": ["current", "previous"]}` (a single string is
 * accepted too). Several secrets per acquirer let a rotation overlap without dropping a webhook.
 */
export const webhookSecretsSchema = z.record(
  acquirerIdSchema,
  z.union([
    z.string().min(16, "a webhook secret must be at least 16 characters"),
    z.array(z.string().min(16)).min(1),
  ]),
);

export type WebhookSecrets = Record<string, string[]>;

export function parseWebhookSecrets(input: unknown): WebhookSecrets {
  const parsed = webhookSecretsSchema.parse(input);
  return Object.fromEntries(
    Object.entries(parsed).map(([acquirer, value]) => [
      acquirer,
      typeof value === "string" ? [value] : value,
    ]),
  );
}
