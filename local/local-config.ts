import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as z from "zod";
import {
  alipayCredentialsSchema,
  wechatPayCredentialsSchema,
} from "../functions/adapters/platforms/platform-credentials.js";
import {
  parseWebhookSecrets,
  webhookSecretsSchema,
} from "../functions/domain/confirmation/webhook-secrets.js";
import { defaultMerchantTermsSchema } from "../functions/domain/merchant/merchant-profile.js";
import { escalationScheduleSchema } from "../functions/domain/notification/escalation.js";
import { settlementFileExpectationSchema } from "../functions/domain/overdue/settlement-file-expectation.js";
import { parseAcquirerCsvMappings } from "../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { inputLimitsSchema } from "../functions/domain/validation/input-limits.js";
import { acquirerContactsSchema } from "../functions/shared/check-config.js";
import { merchantPageConfigSchema } from "../functions/shared/merchant-page-config.js";
import { smsProvidersSettingsSchema, smsRoutingSchema } from "../functions/shared/sms-config.js";

/** The token of local SMS delivery-report callbacks when none is configured (never used in AWS). */
export const DEMO_SMS_REPORT_TOKEN = "local-sms-report-token-do-not-use-in-aws";

/** The demo acquirer and secret used when nothing is configured, so a first run works out of the box. */
export const DEMO_WEBHOOK_SECRETS = { "demo-acquirer": ["whsec_local_demo_do_not_use_in_aws"] };

export const localConfigSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(8787),
  host: z.string().default("127.0.0.1"),
  /** DynamoDB Local keeps its database file here, so a restart keeps the data. */
  dataDir: z.string().default(".settlewatch"),
  tableName: z.string().min(3).default("settlewatch"),
  dueShards: z.number().int().min(1).max(256).default(16),
  webhookSecrets: webhookSecretsSchema.optional(),
  defaultTerms: defaultMerchantTermsSchema.default({
    timeZone: "Asia/Shanghai",
    calendar: "CN",
    settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
  }),
  /** A JSON file of calendar overrides (same shape as the SSM parameter in AWS). */
  calendarOverridesFile: z.string().optional(),
  /** How often the local monitor runs the overdue check, in seconds (AWS: the EventBridge rate). */
  checkIntervalSeconds: z.number().int().min(5).default(300),
  escalationHours: escalationScheduleSchema.default([0, 24, 72]),
  /** Per acquirer: when its settlement file for a day is expected (payments wait for it, not merchants). */
  settlementFiles: z.record(z.string(), settlementFileExpectationSchema).default({}),
  acquirerContacts: acquirerContactsSchema.default({}),
  /**
   * Per acquirer, `false`: its payments are not filed by order number (one write unit less per
   * payment that has one); its settlement lines then find them by payment id or the window rung only.
   */
  matchByOrderNumber: z.record(z.string(), z.boolean()).default({}),
  /** Plausible dates (from 2000-01-01, at most 24 h ahead) and amount bounds per currency (10^12). */
  inputLimits: inputLimitsSchema,
  /** SMS routing and provider settings, as in a deployment: the outbox then shows each provider's request. */
  sms: z
    .strictObject({
      routing: smsRoutingSchema.default({ default: "sns" }),
      providers: smsProvidersSettingsSchema.default({}),
    })
    .default({ routing: { default: "sns" }, providers: {} }),
  /**
   * Tokens the SMS delivery-report callback accepts (`POST /v1/sms-reports/<provider>?token=…`), at
   * least 32 characters each; in AWS they come from Secrets Manager.
   */
  smsReportTokens: z.array(z.string().min(32)).min(1).default([DEMO_SMS_REPORT_TOKEN]),
  /**
   * The merchant page (/m/): sign-in policy, outstanding days, answer floor; `demoMerchant` (default
   * true) registers the demo merchant when the demo webhook secret is in use, so a first run can sign in.
   */
  merchantPage: merchantPageConfigSchema,
  /**
   * Locally, the platform credentials of `merchantPage.platformCheck` (in AWS: its Secrets Manager
   * secrets), the same JSON by account (docs/deploy.md, "Real-time check with the platforms").
   */
  platformCredentials: z
    .strictObject({
      wechatpay: wechatPayCredentialsSchema.optional(),
      alipay: alipayCredentialsSchema.optional(),
    })
    .default({}),
  demoMerchant: z.boolean().default(true),
  /** Column mappings of acquirers' CSV settlement files (see the acquirer CSV format). */
  acquirerCsv: z
    .array(z.unknown())
    .default([])
    .transform((value, ctx) => {
      if (value.length === 0) return [];
      try {
        return parseAcquirerCsvMappings(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `acquirerCsv: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
});

export type LocalConfig = Omit<z.infer<typeof localConfigSchema>, "webhookSecrets"> & {
  webhookSecrets: Record<string, string[]>;
  /** True when no secrets were configured and the demo secret is in use. */
  usingDemoSecrets: boolean;
  /** Where the configuration came from, for the start banner. */
  source: string;
};

/**
 * Local configuration: `--config FILE`, else $SETTLEWATCH_CONFIG, else ./settlewatch.local.json if it
 * exists, else defaults. $SETTLEWATCH_PORT and $SETTLEWATCH_WEBHOOK_SECRETS (JSON) override the file.
 */
export function loadLocalConfig(
  options: { configFile?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): LocalConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configFile ?? env.SETTLEWATCH_CONFIG;
  const candidate = explicit ? resolve(cwd, explicit) : resolve(cwd, "settlewatch.local.json");
  let raw: unknown = {};
  let source = "built-in defaults";
  if (existsSync(candidate)) {
    try {
      raw = JSON.parse(readFileSync(candidate, "utf8"));
    } catch (error) {
      throw new Error(`${candidate}: not valid JSON: ${(error as Error).message}`);
    }
    source = candidate;
  } else if (explicit) {
    throw new Error(`config file ${candidate} does not exist`);
  }
  const parsed = localConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${source}: ${first?.path.join(".") || "(root)"}: ${first?.message ?? "invalid"}`);
  }
  const config = parsed.data;
  if (env.SETTLEWATCH_PORT) config.port = Number(env.SETTLEWATCH_PORT);
  let secretsInput: unknown = config.webhookSecrets;
  if (env.SETTLEWATCH_WEBHOOK_SECRETS) {
    try {
      secretsInput = JSON.parse(env.SETTLEWATCH_WEBHOOK_SECRETS);
    } catch {
      throw new Error(
        'SETTLEWATCH_WEBHOOK_SECRETS must be JSON, e.g. {"acme-pay":["a-secret-of-16+-chars"]}',
      );
    }
  }
  const usingDemoSecrets = secretsInput === undefined;
  const { webhookSecrets: _unused, ...rest } = config;
  return {
    ...rest,
    dataDir: resolve(cwd, config.dataDir),
    ...(config.calendarOverridesFile
      ? { calendarOverridesFile: resolve(cwd, config.calendarOverridesFile) }
      : {}),
    webhookSecrets: parseWebhookSecrets(secretsInput ?? DEMO_WEBHOOK_SECRETS),
    usingDemoSecrets,
    source,
  };
}
