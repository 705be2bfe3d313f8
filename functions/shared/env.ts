import * as z from "zod";

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
  /** JSON: plausible dates and amount bounds (input-limits.ts); "{}" = the defaults. */
  INPUT_LIMITS: z.string().min(2).default("{}"),
  /** Optional SSM parameter (name) holding calendar overrides as JSON; updatable without a deploy. */
  CALENDAR_OVERRIDES_PARAMETER: z.string().optional(),
  POWERTOOLS_SERVICE_NAME: z.string().default("settlewatch"),
  POWERTOOLS_METRICS_NAMESPACE: z.string().default("Settlewatch"),
};

/** What the functions that store confirmed payments need beyond the common environment. */
const paymentFilingEnv = {
  /** JSON array of acquirer ids whose payments get no order-index entry (`matchByOrderNumber: false`). */
  ACQUIRERS_WITHOUT_ORDER_INDEX: z.string().min(2).default("[]"),
};

export const ingestConfirmationsEnvSchema = z.object({
  ...commonEnv,
  ...paymentFilingEnv,
  /** Secrets Manager secret (ARN or name) holding {"<acquirer>": ["secret", "previous secret"]}. */
  WEBHOOK_SECRETS_ID: z.string().min(1),
});
export type IngestConfirmationsEnv = z.infer<typeof ingestConfirmationsEnvSchema>;

/** Merchant email notices go to a topic per merchant; the operator API subscribes the email at registration. */
const emailTopicsEnv = {
  /** Topic names are `<prefix>-merchant-<merchantId>` (see merchant-email-topics.ts). */
  EMAIL_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
  /** KMS key (ARN or alias) the merchant topics are encrypted with. */
  EMAIL_TOPIC_KMS_KEY: z.string().optional(),
};

export const operatorApiEnvSchema = z.object({
  ...commonEnv,
  ...paymentFilingEnv,
  ...emailTopicsEnv,
  /** JSON SMS routing (see SMS_ROUTING of the check): registration refuses numbers no provider covers. */
  SMS_ROUTING: z.string().min(2).optional(),
});
export type OperatorApiEnv = z.infer<typeof operatorApiEnvSchema>;

const jsonText = z.string().refine((text) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}, "must be JSON");

export const checkOverdueEnvSchema = z.object({
  ...commonEnv,
  NOTICE_QUEUE_URL: z.url(),
  /** JSON array of hours, e.g. [0,24,72]. */
  ESCALATION_HOURS: jsonText.default("[0,24,72]"),
  /** JSON {"<acquirer>": {"expectedBy":"10:00","timeZone":"Asia/Shanghai","daysAfter":1}}. */
  SETTLEMENT_FILE_EXPECTATIONS: jsonText.default("{}"),
  /** JSON {"<acquirer>": {"names": {"en": "...", "zh-CN": "..."}, "hotline": "95017"}} for notice texts. */
  ACQUIRER_CONTACTS: jsonText.default("{}"),
  /** JSON {"default": "sns", "byCallingCode": {"86": "aliyun"}}: which provider texts which numbers. */
  SMS_ROUTING: jsonText.optional(),
  /** JSON provider id → non-secret settings (sign name, template codes, secret id): see shared/sms-config.ts. */
  SMS_PROVIDERS: jsonText.optional(),
});
export type CheckOverdueEnv = z.infer<typeof checkOverdueEnvSchema>;

/** SNS text settings shared by every function that sends texts (alerts, sign-in codes). */
const snsSmsEnv = {
  SMS_SENDER_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{1,11}$/)
    .optional(),
  /** Per-message price cap in USD (SNS AWS.SNS.SMS.MaxPrice), the spend guard per text. */
  SMS_MAX_PRICE_USD: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
};

export const notifyEnvSchema = z.object({
  TABLE_NAME: commonEnv.TABLE_NAME,
  DEPLOYMENT: commonEnv.DEPLOYMENT,
  /** The check's outbox shards: an SMS over its number's cap waits in the same outbox partition. */
  DUE_SHARDS: commonEnv.DUE_SHARDS,
  POWERTOOLS_SERVICE_NAME: commonEnv.POWERTOOLS_SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: commonEnv.POWERTOOLS_METRICS_NAMESPACE,
  EMAIL_TOPIC_PREFIX: emailTopicsEnv.EMAIL_TOPIC_PREFIX,
  /** arn:<partition>:sns:<region>:<account>: — merchant topic names are appended to it. */
  SNS_TOPIC_ARN_PREFIX: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:$/),
  OPS_TOPIC_ARN: z.string().startsWith("arn:"),
  ...snsSmsEnv,
  /** JSON provider id → non-secret settings (sign name, template codes, secret id): see shared/sms-config.ts. */
  SMS_PROVIDERS: jsonText.optional(),
  /** JSON provider id → { concurrency, perNumber: { perMinute, perHour, perDay } }, resolved at synth. */
  SMS_PACING: jsonText.optional(),
});
export type NotifyEnv = z.infer<typeof notifyEnvSchema>;

export const ingestSettlementFileEnvSchema = z.object({
  ...commonEnv,
  /** The bucket settlement files are dropped into, under `incoming/<acquirer>/[<YYYY-MM-DD>/]<name>`. */
  SETTLEMENT_BUCKET: z.string().min(3),
  /** JSON array of acquirer CSV column mappings (see acquirer-csv-mapping.ts). */
  ACQUIRER_CSV_MAPPINGS: jsonText.default("[]"),
  NOTICE_QUEUE_URL: z.url(),
  /**
   * The distributed-ingest state machine (Step Functions). Unset: every file takes the single-Lambda
   * path. Set: a splittable file larger than DISTRIBUTED_THRESHOLD_BYTES is handed to it.
   */
  DISTRIBUTED_INGEST_STATE_MACHINE_ARN: z.string().optional(),
  DISTRIBUTED_THRESHOLD_BYTES: z.coerce.number().int().min(1).optional(),
});
export type IngestSettlementFileEnv = z.infer<typeof ingestSettlementFileEnvSchema>;

/** The distributed-ingest steps (plan, chunk worker, merge): one function, the state machine says which. */
export const distributedIngestEnvSchema = z.object({
  ...commonEnv,
  SETTLEMENT_BUCKET: z.string().min(3),
  ACQUIRER_CSV_MAPPINGS: jsonText.default("[]"),
  NOTICE_QUEUE_URL: z.url(),
  /** Bytes of the plain file each chunk worker reads. */
  DISTRIBUTED_CHUNK_BYTES: z.coerce.number().int().min(1024),
});
export type DistributedIngestEnv = z.infer<typeof distributedIngestEnvSchema>;

/** The scheduled calendar check: horizon coverage and held payments (see run-calendar-check.ts). */
export const checkCalendarsEnvSchema = z.object({
  ...commonEnv,
  /** Days ahead every calendar in use must cover. */
  CALENDAR_HORIZON_DAYS: z.coerce.number().int().min(1).max(366).default(90),
});
export type CheckCalendarsEnv = z.infer<typeof checkCalendarsEnvSchema>;

/** The table-stream consumer that keeps the open-payment counters. */
export const countTableChangesEnvSchema = z.object({
  TABLE_NAME: commonEnv.TABLE_NAME,
  DEPLOYMENT: commonEnv.DEPLOYMENT,
  POWERTOOLS_SERVICE_NAME: commonEnv.POWERTOOLS_SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: commonEnv.POWERTOOLS_METRICS_NAMESPACE,
});
export type CountTableChangesEnv = z.infer<typeof countTableChangesEnvSchema>;

/** The SMS delivery-report callback (HTTP API, public route with a secret token). */
export const smsReportsEnvSchema = z.object({
  TABLE_NAME: commonEnv.TABLE_NAME,
  DEPLOYMENT: commonEnv.DEPLOYMENT,
  DUE_SHARDS: commonEnv.DUE_SHARDS,
  POWERTOOLS_SERVICE_NAME: commonEnv.POWERTOOLS_SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: commonEnv.POWERTOOLS_METRICS_NAMESPACE,
  /** Secrets Manager secret (name or ARN) holding the token, or a JSON array of tokens during a rotation. */
  SMS_REPORT_TOKEN_SECRET_ID: z.string().min(1),
});
export type SmsReportsEnv = z.infer<typeof smsReportsEnvSchema>;

/** SNS SMS delivery-status logs (CloudWatch Logs subscription): no token, CloudWatch Logs invokes it. */
export const smsDeliveryLogsEnvSchema = smsReportsEnvSchema.omit({ SMS_REPORT_TOKEN_SECRET_ID: true });
export type SmsDeliveryLogsEnv = z.infer<typeof smsDeliveryLogsEnvSchema>;
/** The merchant page's API (/m/api/…): sign-in codes go out through the alerts' SMS providers. */
export const merchantApiEnvSchema = z.object({
  ...commonEnv,
  /** Secrets Manager secret (ARN) whose string is the HMAC key of the sign-in codes. */
  SIGN_IN_SECRET_ID: z.string().min(1),
  /** JSON: the deployment's merchantPage settings (functions/shared/merchant-page-config.ts). */
  MERCHANT_PAGE: jsonText.default("{}"),
  /** JSON {"<acquirer>": {"names": {...}, "hotline": "95017"}}: whom an overdue payment's "what to do" names. */
  ACQUIRER_CONTACTS: jsonText.default("{}"),
  SMS_ROUTING: jsonText.optional(),
  SMS_PROVIDERS: jsonText.optional(),
  ...snsSmsEnv,
});
export type MerchantApiEnv = z.infer<typeof merchantApiEnvSchema>;

/** The variable names each function needs; the CDK function construct must set every one. */
export const envKeys = {
  ingestConfirmations: Object.keys(ingestConfirmationsEnvSchema.shape) as Array<keyof IngestConfirmationsEnv>,
  operatorApi: Object.keys(operatorApiEnvSchema.shape) as Array<keyof OperatorApiEnv>,
  checkOverdue: Object.keys(checkOverdueEnvSchema.shape) as Array<keyof CheckOverdueEnv>,
  notify: Object.keys(notifyEnvSchema.shape) as Array<keyof NotifyEnv>,
  ingestSettlementFile: Object.keys(ingestSettlementFileEnvSchema.shape) as Array<
    keyof IngestSettlementFileEnv
  >,
  distributedIngest: Object.keys(distributedIngestEnvSchema.shape) as Array<keyof DistributedIngestEnv>,
  checkCalendars: Object.keys(checkCalendarsEnvSchema.shape) as Array<keyof CheckCalendarsEnv>,
  countTableChanges: Object.keys(countTableChangesEnvSchema.shape) as Array<keyof CountTableChangesEnv>,
  smsReports: Object.keys(smsReportsEnvSchema.shape) as Array<keyof SmsReportsEnv>,
  smsDeliveryLogs: Object.keys(smsDeliveryLogsEnvSchema.shape) as Array<keyof SmsDeliveryLogsEnv>,
  merchantApi: Object.keys(merchantApiEnvSchema.shape) as Array<keyof MerchantApiEnv>,
} as const;

/** The merchant page's function: serves the page's files from its bundle, reads no table. */
export const merchantPageEnvSchema = z.object({
  DEPLOYMENT: commonEnv.DEPLOYMENT,
  POWERTOOLS_SERVICE_NAME: commonEnv.POWERTOOLS_SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: commonEnv.POWERTOOLS_METRICS_NAMESPACE,
});
