import { RetentionDays } from "aws-cdk-lib/aws-logs";
import * as z from "zod";
import { DEFAULT_CALENDAR_HORIZON_DAYS } from "../../functions/domain/calendar/calendar-horizon.js";
import { acquirerIdSchema } from "../../functions/domain/confirmation/confirmation.js";
import { defaultMerchantTermsSchema } from "../../functions/domain/merchant/merchant-profile.js";
import {
  DEFAULT_ESCALATION_HOURS,
  escalationScheduleSchema,
} from "../../functions/domain/notification/escalation.js";
import { LANGUAGES } from "../../functions/domain/notification/templates.js";
import { settlementFileExpectationSchema } from "../../functions/domain/overdue/settlement-file-expectation.js";
import {
  type AcquirerCsvMappingInput,
  parseAcquirerCsvMappings,
} from "../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { inputLimitsSchema } from "../../functions/domain/validation/input-limits.js";
import { notifyEnvSchema } from "../../functions/shared/env.js";
import { merchantPageConfigSchema } from "../../functions/shared/merchant-page-config.js";
import { DEFAULT_DUE_SHARDS } from "../../functions/shared/table-schema.js";
import { chinaRegionProblems } from "./china-regions.js";
import { platformCheckProblems } from "./platform-check-deployment.js";
import { smsConfigProblems, smsProviderConfigShape } from "./sms-deployment.js";

// One deployment = one region (and the acquirers served there) = one pair of stacks. Deployments are
// described in code (deployments.ts) and validated here at synth, so a typo fails `cdk synth`, not a
// deploy half an hour later.

const retentionDays = new Set<number>(Object.values(RetentionDays).filter((v) => typeof v === "number"));

export const acquirerSchema = z.strictObject({
  /** The key of this acquirer in the webhook secret's JSON map, and in confirmations' `acquirer`. */
  id: acquirerIdSchema,
  /** Human-readable name, for outputs and dashboards; the English name in notices unless `contact.names` has one. */
  name: z.string().min(1).max(100),
  /**
   * When this acquirer's settlement file for a day is expected (e.g. a WeChat Pay bill: next day
   * 10:00 Asia/Shanghai). Until it is in, payments due that day are held, not overdue, and ops are
   * alerted once it is late. Leave out for an acquirer that sends no file: its payments are then
   * decided on time alone.
   */
  settlementFile: settlementFileExpectationSchema.optional(),
  /**
   * Column mappings of this acquirer's CSV settlement files (functions/domain/settlement-files/acquirer/
   * acquirer-csv-mapping.ts), for exports no built-in parser reads. Checked at synth with the
   * function's own parser (parseAcquirerCsvMappings) and handed to the ingest function as
   * ACQUIRER_CSV_MAPPINGS. A file is matched to a mapping by its header names, not by its folder.
   */
  csvMappings: z
    .array(
      z.custom<AcquirerCsvMappingInput>(
        (value) => typeof value === "object" && value !== null && !Array.isArray(value),
        "expected a mapping object",
      ),
    )
    .min(1)
    .optional(),
  /**
   * False: this acquirer's payments are not filed by the merchant's order number (no order-index
   * entry): confirming one that carries an order number (WeChat Pay's and Alipay's `out_trade_no`)
   * costs one write unit less (3 → 2 WRU). Only for an acquirer whose settlement files name every
   * payment by the id its confirmations carry (WeChat Pay, Alipay and UnionPay bills do, refund and
   * reversal rows included): its lines that find a payment only by order number (bank statements'
   * EndToEndId, CSVs whose reference is the acquirer's own id) then find it by the window rung alone
   * (merchant, currency, exact gross, trade dates), or stay unmatched. Default true.
   */
  matchByOrderNumber: z.boolean().default(true),
  /** How merchants reach the acquirer: named in the "what to do next" line of a notice. */
  contact: z
    .strictObject({
      /** Display name per notice language ("zh-CN", "en"). */
      names: z.partialRecord(z.enum(LANGUAGES), z.string().min(1).max(100)).optional(),
      /** Merchant hotline, e.g. "95017". */
      hotline: z.string().min(1).max(40).optional(),
    })
    .optional(),
});

/** The notifier's SMS settings. Account-wide SNS settings (spend limit, sandbox) are not here: see docs/deploy.md. */
const smsSchema = z.strictObject({
  /**
   * Alphanumeric sender ID (AWS.SNS.SMS.SenderID), only where the destination country supports one:
   * not China, not the US. Leave out otherwise.
   */
  senderId: notifyEnvSchema.shape.SMS_SENDER_ID.unwrap()
    .refine((id) => /[A-Za-z]/.test(id), "a sender ID needs at least one letter")
    .optional(),
  /** Most USD one text may cost (AWS.SNS.SMS.MaxPrice), a decimal string like "0.05": texts that cost more are not sent. */
  maxPriceUsd: notifyEnvSchema.shape.SMS_MAX_PRICE_USD.unwrap()
    .refine((price) => Number(price) > 0, "must be more than 0 (0 would block every text)")
    .optional(),
  /**
   * The account's SNS MonthlySpendLimit (whole USD) as set by ops for this account and region. The
   * stack does not set it (an account-wide setting); it alarms at 80% of it to the ops topic.
   */
  monthlySpendLimitUsd: z.number().int().positive().max(1_000_000).optional(),
  ...smsProviderConfigShape,
});

/** Most days a lifecycle rule takes here (100 years); S3 itself has no smaller limit. */
const MAX_LIFECYCLE_DAYS = 36_500;
/** SQS keeps a settlement-file message this long (4 days) before it would expire unprocessed. */
export const SETTLEMENT_FILE_QUEUE_RETENTION_MINUTES = 4 * 24 * 60;
/** The settlement-file queue's visibility timeout is this many times the ingest function's timeout. */
export const SETTLEMENT_FILE_VISIBILITY_FACTOR = 6;

const settlementFilesDefaults = {
  noncurrentVersionDays: 90,
  accessLogDays: 365,
  ingest: { timeoutMinutes: 15, memoryMb: 1024, maxConcurrency: 5, maxReceiveCount: 10 },
  distributedThresholdBytes: 64 * 1024 * 1024,
  distributedChunkBytes: 8 * 1024 * 1024,
  distributedMaxConcurrency: 10,
} as const;

/** The settlement-files bucket and the function that ingests what is dropped under incoming/. */
const settlementFilesSchema = z
  .strictObject({
    /** Days a file is kept after upload; leave out to keep files until someone deletes them. */
    retentionDays: z.number().int().min(1).max(MAX_LIFECYCLE_DAYS).optional(),
    /**
     * Days an overwritten or deleted version is kept. At least 15: a message redriven from the
     * dead-letter queue (kept 14 days) reads the exact version it names.
     */
    noncurrentVersionDays: z
      .number()
      .int()
      .min(15)
      .max(MAX_LIFECYCLE_DAYS)
      .default(settlementFilesDefaults.noncurrentVersionDays),
    /** Days the bucket's server access logs are kept. */
    accessLogDays: z
      .number()
      .int()
      .min(1)
      .max(MAX_LIFECYCLE_DAYS)
      .default(settlementFilesDefaults.accessLogDays),
    /**
     * Splittable files (plain text acquirer CSV, Adyen, Stripe) larger than this are read by the
     * distributed-ingest state machine, in chunks, instead of one run.
     */
    distributedThresholdBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(settlementFilesDefaults.distributedThresholdBytes),
    /** Bytes of the file per chunk worker: small enough that one run of the ingest timeout reads it. */
    distributedChunkBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(settlementFilesDefaults.distributedChunkBytes),
    /** Chunk workers at once per file (the Distributed Map's MaxConcurrency); DynamoDB is the limit. */
    distributedMaxConcurrency: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(settlementFilesDefaults.distributedMaxConcurrency),
    ingest: z
      .strictObject({
        /** Lambda timeout (1-15 min). The function stops 30 s before it and resumes on the next delivery. */
        timeoutMinutes: z
          .number()
          .int()
          .min(1)
          .max(15)
          .default(settlementFilesDefaults.ingest.timeoutMinutes),
        memoryMb: z.number().int().min(128).max(10_240).default(settlementFilesDefaults.ingest.memoryMb),
        /** Most files ingested at once (SQS event source maxConcurrency, 2-1000); DynamoDB is the limit. */
        maxConcurrency: z
          .number()
          .int()
          .min(2)
          .max(1000)
          .default(settlementFilesDefaults.ingest.maxConcurrency),
        /**
         * Deliveries of one file's message before it is parked in the dead-letter queue (and ops
         * alarmed). A run that reaches its deadline hands the file back to be resumed, and that uses
         * a delivery too: this is runs per file, resumptions included.
         */
        maxReceiveCount: z
          .number()
          .int()
          .min(2)
          .max(1000)
          .default(settlementFilesDefaults.ingest.maxReceiveCount),
      })
      .default({ ...settlementFilesDefaults.ingest }),
  })
  .refine(
    (files) =>
      files.ingest.maxReceiveCount * files.ingest.timeoutMinutes * SETTLEMENT_FILE_VISIBILITY_FACTOR <=
      SETTLEMENT_FILE_QUEUE_RETENTION_MINUTES,
    {
      message: `ingest.maxReceiveCount deliveries, each up to ${SETTLEMENT_FILE_VISIBILITY_FACTOR} x ingest.timeoutMinutes apart (the visibility timeout), must fit in the queue's 4-day retention, or a message would expire instead of reaching the dead-letter queue`,
      path: ["ingest", "maxReceiveCount"],
    },
  );

/** Default alarm thresholds of the monitoring stack (infra/constructs/monitoring). */
export const monitoringDefaults = {
  ingestErrors: { threshold: 5, periodMinutes: 5 },
  overdueSpike: { threshold: 50 },
} as const;

/** Thresholds of the monitoring stack's alarms (to the ops topic); checked at synth. */
export const monitoringSchema = z
  .strictObject({
    /** The ingest-confirmations function fails (Lambda Errors, sum) more than `threshold` times in `periodMinutes`. */
    ingestErrors: z
      .strictObject({
        threshold: z.number().int().min(0).max(100_000).default(monitoringDefaults.ingestErrors.threshold),
        periodMinutes: z
          .union([z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)])
          .default(monitoringDefaults.ingestErrors.periodMinutes),
      })
      .default({ ...monitoringDefaults.ingestErrors }),
    /**
     * More than `threshold` payments of one acquirer marked overdue (PaymentsOverdue, sum) in one hour.
     * `perAcquirer` overrides it for named acquirers (ids of this deployment's acquirers).
     */
    overdueSpike: z
      .strictObject({
        threshold: z.number().int().min(1).max(1_000_000).default(monitoringDefaults.overdueSpike.threshold),
        perAcquirer: z.record(z.string(), z.number().int().min(1).max(1_000_000)).optional(),
      })
      .default({ ...monitoringDefaults.overdueSpike }),
  })
  .default({
    ingestErrors: { ...monitoringDefaults.ingestErrors },
    overdueSpike: { ...monitoringDefaults.overdueSpike },
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
    /**
     * Short name: stack names (Settlewatch-<name>-Data/-Api/-Notifications), the DEPLOYMENT env var,
     * tags, and the merchant email topics' prefix (settlewatch-<name>-merchant-*). A "-merchant"
     * segment is refused: deployment "a"'s topic pattern settlewatch-a-merchant-* would then match
     * the topics of a deployment "a-merchant-b" in the same account and region.
     */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, "expected 3-32 characters: a-z, 0-9 and '-'")
      .refine((name) => !/-merchant(-|$)/.test(name), {
        message: 'must not contain a "-merchant" segment (it would overlap merchant topic names)',
      }),
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
    /** Plausible dates and amount bounds for every input (INPUT_LIMITS); defaults: 2000-01-01, 24 h, 10^12. */
    inputLimits: inputLimitsSchema,
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
    /** The merchant page (/m/): sign-in policy, outstanding days, answer floor; sign-in's own throttle. */
    merchantPage: merchantPageConfigSchema,
    merchantPageThrottle: z
      .strictObject({
        /** POST /m/api/sign-in and /m/api/verify, each: requests per second and burst (all callers). */
        signIn: z.strictObject({
          rateLimit: z.number().positive().max(1_000),
          burstLimit: z.number().int().positive().max(1_000),
        }),
      })
      .default({ signIn: { rateLimit: 5, burstLimit: 10 } }),
    /** How often the overdue check runs (EventBridge rate, minutes). Runs may overlap safely. */
    checkSchedule: z
      .strictObject({ rateMinutes: z.number().int().min(1).max(60) })
      .default({ rateMinutes: 5 }),
    /**
     * The calendar check (EventBridge rate, minutes): every calendar in use must cover today +
     * `horizonDays`, else the CalendarHorizon alarm fires (that many days before the year starts);
     * payments held for a missing year are recomputed by the first run after its override is loaded.
     */
    calendarCheck: z
      .strictObject({
        horizonDays: z.number().int().min(14).max(366).default(DEFAULT_CALENDAR_HORIZON_DAYS),
        rateMinutes: z.number().int().min(5).max(1440).default(60),
      })
      .default({ horizonDays: DEFAULT_CALENDAR_HORIZON_DAYS, rateMinutes: 60 }),
    /** Hours after the first overdue notice at which a payment is notified again; [0] = once. */
    escalationHours: escalationScheduleSchema.default([...DEFAULT_ESCALATION_HOURS]),
    sms: smsSchema.default({}),
    /**
     * China regions only: the account's ICP recordal (ICP 备案), without which API Gateway answers
     * unauthenticated routes (the acquirers' webhook) with 403. `{ "licence": "京ICP备…号" }` once
     * filed, or `{ "pending": true }` to deploy knowing the webhook is refused until then.
     */
    icpRecordal: z
      .union([
        z.strictObject({ licence: z.string().regex(/ICP/, 'an ICP number such as "京ICP备12345678号"') }),
        z.strictObject({ pending: z.literal(true) }),
      ])
      .optional(),
    notifier: z
      .strictObject({
        /**
         * Most notifier instances the queue feeds at once (SQS event source maxConcurrency, 2-1000).
         * SNS SMS has an account-wide send rate (20 texts/s by default): keep this low.
         */
        maxConcurrency: z.number().int().min(2).max(1000).default(2),
        /** Tries per notice message before it is parked in the dead-letter queue (and ops alarmed). */
        maxReceiveCount: z.number().int().min(1).max(1000).default(5),
      })
      .default({ maxConcurrency: 2, maxReceiveCount: 5 }),
    settlementFiles: settlementFilesSchema.default({
      ...settlementFilesDefaults,
      ingest: { ...settlementFilesDefaults.ingest },
    }),
    /** Alarm thresholds of the dashboard's alarms (monitoring stack). */
    monitoring: monitoringSchema,
    /** Ops addresses subscribed to the ops topic (alarms, late settlement files); each must confirm. */
    alarmEmails: z
      .array(z.email())
      .max(50)
      .refine((emails) => new Set(emails.map((e) => e.toLowerCase())).size === emails.length, "listed twice")
      .default([]),
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
    checkCsvMappings(deployment.acquirers, ctx);
    for (const [path, message] of [
      ...smsConfigProblems(deployment.region, deployment.sms),
      ...chinaRegionProblems(deployment),
      ...platformCheckProblems(deployment.merchantPage.platformCheck),
    ]) {
      ctx.addIssue({ code: "custom", path, message });
    }
    for (const id of Object.keys(deployment.monitoring.overdueSpike.perAcquirer ?? {})) {
      if (!seen.has(id)) {
        ctx.addIssue({
          code: "custom",
          path: ["monitoring", "overdueSpike", "perAcquirer", id],
          message: `${id} is not an acquirer of this deployment`,
        });
      }
    }
  });

/**
 * Runs the ingest function's own parser over each acquirer's CSV mappings, so a bad mapping fails
 * synth with the field named, and refuses a mapping name used twice (the first would always win).
 */
function checkCsvMappings(
  acquirers: ReadonlyArray<{ readonly csvMappings?: readonly AcquirerCsvMappingInput[] | undefined }>,
  ctx: z.RefinementCtx,
): void {
  const names = new Map<string, string>();
  acquirers.forEach((acquirer, index) => {
    if (!acquirer.csvMappings) return;
    const path = ["acquirers", index, "csvMappings"];
    try {
      parseAcquirerCsvMappings(acquirer.csvMappings);
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      for (const issue of error.issues) {
        ctx.addIssue({ code: "custom", path: [...path, ...issue.path], message: issue.message });
      }
      return;
    }
    acquirer.csvMappings.forEach((mapping, mappingIndex) => {
      const where = `acquirers[${index}].csvMappings[${mappingIndex}]`;
      const first = names.get(mapping.acquirer);
      if (first) {
        ctx.addIssue({
          code: "custom",
          path: [...path, mappingIndex, "acquirer"],
          message: `mapping name ${mapping.acquirer} is already used by ${first}`,
        });
      } else {
        names.set(mapping.acquirer, where);
      }
    });
  });
}

/**
 * Prefix of the merchant email topics (`<prefix>-merchant-<merchant id>`), one per deployment. Derived,
 * never configured: the operator API (creates them) and the notifier (publishes) must agree.
 */
export function merchantEmailTopicPrefix(deployment: { readonly name: string }): string {
  return `settlewatch-${deployment.name}`;
}

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
