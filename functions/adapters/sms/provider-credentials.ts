import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import { SmsProviderError } from "../../use-cases/sms-errors.js";

// Provider credentials live in one Secrets Manager secret per provider, read once per container
// and kept in memory; never in environment variables, logs or templates. A provider that refuses
// them drops the cache, so a fixed secret is picked up by the queue's next retry.

export const aliyunCredentialsSchema = z.strictObject({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
});
export const tencentCredentialsSchema = z.strictObject({
  secretId: z.string().min(1),
  secretKey: z.string().min(1),
});

export class CachedSecretCredentials<T> {
  private cached: Promise<T> | undefined;

  constructor(
    private readonly secrets: SecretsManagerClient,
    private readonly secretId: string | undefined,
    private readonly schema: z.ZodType<T>,
    private readonly provider: string,
  ) {}

  /** @throws SmsProviderError ("credentials") when the secret is missing, unreadable or malformed. */
  get(): Promise<T> {
    this.cached ??= this.read().catch((error: unknown) => {
      this.cached = undefined;
      throw error;
    });
    return this.cached;
  }

  /** Forget the credentials (the provider refused them): the next send reads the secret again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async read(): Promise<T> {
    const fail = (code: string, why: string) =>
      new SmsProviderError({ provider: this.provider, kind: "credentials", code, message: why });
    if (!this.secretId) throw fail("NoSecretConfigured", "no credentials secret is configured");
    let text: string | undefined;
    try {
      text = (await this.secrets.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (error) {
      // The SDK's message names the secret, never its value.
      throw fail((error as Error).name, (error as Error).message);
    }
    let json: unknown;
    try {
      json = JSON.parse(text ?? "");
    } catch {
      throw fail("MalformedSecret", `secret ${this.secretId} is not JSON`);
    }
    const parsed = this.schema.safeParse(json);
    // Only the field names go into the message: the values are the credentials.
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "(root)").join(", ");
      throw fail("MalformedSecret", `secret ${this.secretId} lacks or has invalid: ${fields}`);
    }
    return parsed.data;
  }
}
