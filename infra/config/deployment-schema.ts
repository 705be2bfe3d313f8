import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { z } from "zod";
import { acquirerIdSchema } from "../../functions/domain/confirmation/confirmation.js";
import { defaultMerchantTermsSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { DEFAULT_DUE_SHARDS } from "../../functions/shared/table-schema.js";

// One deployment = one region (and the acquirers served there) = one pair of stacks. Deployments are
// described in code (deployments.ts) and validated here at synth, so a typo fails `cdk synth`, not a
// deploy half an hour later.

const retentionDays = new Set<number>(Object.values(RetentionDays).filter((v) => typeof v === "number"));

export const acquirerSchema = z.strictObject({
  /** The key of this acquirer in the webhook secret's JSON map, and in confirmations' `acquirer`. */
  id: acquirerIdSchema,
  /** Human-readable name, for outputs and dashboards. */
  name: z.string().min(1).max(100),
});

/** Secrets Manager name rules; a trailing "-XXXXXX" is refused because it looks like the ARN suffix. */
const secretNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,256}$/, "expected 1-256 characters: letters, digits and /_+=.@-")
  .refine((name) => !/-[A-Za-z0-9]{6}$/.test(name), {
    message: 'must not end with "-" and six characters (Secrets Manager confuses it with the ARN suffix)',
  });

/** A fully qualified SSM parameter name ("/a/b"); the ARN the functions may read is built from it. */
const parameterNameSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, 'expected a name starting with "/", e.g. /settlewatch/cn/calendar')
  .refine((name) => !/^\/(aws|ssm)(\/|$)/i.test(name), {
    message: 'names under "/aws" or "/ssm" are reserved',
  });

export const deploymentSchema = z
  .strictObject({
    /** Short name: stack names (Settlewatch-<name>-Data/-Api), the DEPLOYMENT env var, tags. */
    name: z.string().regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, "expected 3-32 characters: a-z, 0-9 and '-'"),
    /** Target account; leave out to deploy to whatever account the CLI credentials belong to. */
    account: z
      .string()
      .regex(/^\d{12}$/, "expected a 12-digit account id")
      .optional(),
    /** Always explicit: synth then needs no lookups, and ARNs/principals are built for the right partition. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, "expected a region code, e.g. cn-north-1"),
    stage: z.enum(["dev", "staging", "prod"]),
    acquirers: z.array(acquirerSchema).min(1, "list at least one acquirer"),
    /** Secrets Manager secret created by the data stack: {"<acquirer id>": ["current", "previous"]}. */
    webhookSecretName: secretNameSchema,
    /** Terms used for confirmations of merchants that have no profile yet (DEFAULT_MERCHANT_TERMS). */
    defaultMerchantTerms: defaultMerchantTermsSchema,
    /** Shards of the sparse due index (DUE_SHARDS); changing it later needs a re-key of pending items. */
    dueShards: z.number().int().min(1).max(256).default(DEFAULT_DUE_SHARDS),
    /** SSM String parameter with calendar overrides (JSON). Owned by ops: the stacks only read it. */
    calendarOverridesParameter: parameterNameSchema,
    /** CloudWatch Logs retention of every log group (function logs, API access logs). */
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => retentionDays.has(days), {
        message: `expected one of CloudWatch Logs' retention values: ${[...retentionDays].sort((a, b) => a - b).join(", ")}`,
      })
      .default(RetentionDays.THREE_MONTHS),
    api: z
      .strictObject({
        /** Stage-wide steady-state requests per second and burst, across all routes. */
        throttle: z.strictObject({
          rateLimit: z.number().positive().max(10_000),
          burstLimit: z.number().int().positive().max(5_000),
        }),
      })
      .default({ throttle: { rateLimit: 50, burstLimit: 100 } }),
  })
  .superRefine((deployment, ctx) => {
    const seen = new Set<string>();
    deployment.acquirers.forEach((acquirer, index) => {
      if (seen.has(acquirer.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["acquirers", index, "id"],
          message: `${acquirer.id} is listed twice`,
        });
      }
      seen.add(acquirer.id);
    });
  });

/** A deployment as written in deployments.ts (defaults may be left out). */
export type DeploymentInput = z.input<typeof deploymentSchema>;
/** A validated deployment, defaults filled in. */
export type Deployment = z.output<typeof deploymentSchema>;

/** The deployment list: names unique; no two deployments of one account+region share a secret or parameter. */
export const deploymentListSchema = z
  .array(deploymentSchema)
  .min(1, "configure at least one deployment")
  .superRefine((deployments, ctx) => {
    const owners = new Map<string, number>();
    deployments.forEach((deployment, index) => {
      const place = `${deployment.account ?? "(CLI account)"}/${deployment.region}`;
      const claims = [
        `name ${deployment.name}`,
        `${place}: secret ${deployment.webhookSecretName}`,
        `${place}: parameter ${deployment.calendarOverridesParameter}`,
      ];
      for (const claim of claims) {
        const first = owners.get(claim);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [index],
            message: `${claim} is already used by deployment [${first}]`,
          });
        } else {
          owners.set(claim, index);
        }
      }
    });
  });
