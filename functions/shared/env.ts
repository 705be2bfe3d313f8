import { z } from "zod";

/**
 * Environment of each Lambda, as zod schemas. Handlers parse process.env with them at init; the CDK
 * constructs import the same schemas' key lists so a stack that forgets a variable fails to compile.
 */

const commonEnv = {
  TABLE_NAME: z.string().min(3),
  /** Deployment name (e.g. "cn-prod"): a metric dimension, and part of log context. */
  DEPLOYMENT: z.string().min(1),
  DUE_SHARDS: z.coerce.number().int().min(1).max(256).default(16),
  /** JSON: the deployment's default merchant terms for confirmations of unregistered merchants. */
  DEFAULT_MERCHANT_TERMS: z.string().min(2),
  /** Optional SSM parameter (name) holding calendar overrides as JSON; updatable without a deploy. */
  CALENDAR_OVERRIDES_PARAMETER: z.string().optional(),
  POWERTOOLS_SERVICE_NAME: z.string().default("settlewatch"),
  POWERTOOLS_METRICS_NAMESPACE: z.string().default("Settlewatch"),
};

export const ingestConfirmationsEnvSchema = z.object({
  ...commonEnv,
  /** Secrets Manager secret (ARN or name) holding {"<acquirer>": ["secret", "previous secret"]}. */
  WEBHOOK_SECRETS_ID: z.string().min(1),
});
export type IngestConfirmationsEnv = z.infer<typeof ingestConfirmationsEnvSchema>;

export const operatorApiEnvSchema = z.object({ ...commonEnv });
export type OperatorApiEnv = z.infer<typeof operatorApiEnvSchema>;

/** The variable names each function needs; the CDK function construct must set every one. */
export const envKeys = {
  ingestConfirmations: Object.keys(ingestConfirmationsEnvSchema.shape) as Array<keyof IngestConfirmationsEnv>,
  operatorApi: Object.keys(operatorApiEnvSchema.shape) as Array<keyof OperatorApiEnv>,
} as const;
