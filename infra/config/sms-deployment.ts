import * as z from "zod";
import {
  pacingFor,
  perNumberCapProblems,
  type SmsPacing,
} from "../../functions/domain/notification/sms-pacing.js";
import {
  SMS_PROVIDER_TRAITS,
  SMS_PROVIDERS,
  type SmsProviderId,
} from "../../functions/domain/notification/sms-providers.js";
import {
  listSmsTemplates,
  missingTemplateCodes,
  type TemplateCodes,
} from "../../functions/domain/notification/sms-templates.js";
import {
  providerSettingsSchema,
  type SmsPacingInput,
  smsPacingSchema,
  templateCodesSchema,
  templateParamsSchema,
} from "../../functions/shared/sms-config.js";

// Which SMS provider a deployment uses, and what it registered there. Checked at synth: a region
// without SNS SMS cannot use SNS, and a mainland provider needs its signature, every template's
// registered code and a credentials secret.

/** AWS regions where Amazon SNS sends no SMS at all (the AWS China regions). */
export const REGIONS_WITHOUT_SNS_SMS: readonly string[] = ["cn-north-1", "cn-northwest-1"];

export function isChinaRegion(region: string): boolean {
  return region.startsWith("cn-");
}

const secretName = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,256}$/, "expected 1-256 characters: letters, digits and /_+=.@-");

const mainlandProvider = z.strictObject({
  signName: providerSettingsSchema.shape.signName.unwrap(),
  templateCodes: templateCodesSchema,
  /** Secrets Manager secret (created by ops, never by the stacks) with the provider's credentials. */
  secretName,
  maxVariableLength: providerSettingsSchema.shape.maxVariableLength,
});

/** Default floor of the delivery-rate alarm: fewer than 90% of reported texts delivered. */
export const smsDeliveryReportDefaults = { rateFloor: 0.9, periodMinutes: 60, minReports: 20 } as const;

/** Delivery reports (docs/notifications.md, "Delivery reports") and the delivery-rate alarm. */
export const smsDeliveryReportsSchema = z.strictObject({
  /**
   * Secrets Manager secret (created by ops) holding the token the providers' callback URL carries
   * (?token=…, at least 32 characters). Set: the HTTP API gets POST /v1/sms-reports/{provider}.
   */
  tokenSecretName: secretName.optional(),
  /** Read SNS SMS delivery-status logs (account-wide SNS setting, see docs): needs SNS as a provider. */
  snsStatusLogs: z.boolean().default(false),
  /** The alarm fires when delivered / (delivered + failed) of one provider is below this. */
  rateFloor: z.number().gt(0).max(1).default(smsDeliveryReportDefaults.rateFloor),
  periodMinutes: z
    .union([z.literal(15), z.literal(30), z.literal(60), z.literal(180), z.literal(360), z.literal(1440)])
    .default(smsDeliveryReportDefaults.periodMinutes),
  /** Fewer reports than this in a period: too few to judge, the alarm stays OK. */
  minReports: z.number().int().min(1).max(100_000).default(smsDeliveryReportDefaults.minReports),
});
export type SmsDeliveryReportSettings = z.output<typeof smsDeliveryReportsSchema>;

/** A deployment's delivery-report settings, defaults filled in when the block is left out. */
export function deliveryReportSettings(sms: {
  readonly deliveryReports?: SmsDeliveryReportSettings | undefined;
}): SmsDeliveryReportSettings {
  return sms.deliveryReports ?? smsDeliveryReportsSchema.parse({});
}

/** The provider fields of a deployment's `sms` block. */
export const smsProviderConfigShape = {
  /** Default provider: "sns" where the region has SNS SMS (the default there), else a mainland one. */
  provider: z.enum(SMS_PROVIDERS).optional(),
  /** Per destination calling code (without +), e.g. { "86": "aliyun" }: those numbers go there. */
  byCallingCode: z
    .record(z.string().regex(/^[1-9]\d{0,3}$/, "a calling code without +, e.g. 86"), z.enum(SMS_PROVIDERS))
    .optional(),
  /**
   * Per provider: requests in flight per notifier instance (`concurrency`) and texts per number
   * (`perNumber: { perMinute, perHour, perDay }`), over the defaults from the providers' documented
   * limits (SMS_PACING_DEFAULTS). Only for providers the deployment uses.
   */
  pacing: smsPacingSchema.optional(),
  /** Alibaba Cloud SMS: { signName, templateCodes: { "zh-CN": { overdue: "SMS_…" } }, secretName } */
  aliyun: mainlandProvider.optional(),
  deliveryReports: smsDeliveryReportsSchema.optional(),
  /** Tencent Cloud SMS: as aliyun, plus the SmsSdkAppId and the API region. */
  tencent: mainlandProvider
    .extend({
      /**
       * Per registered template id, its variables in the registered {1}, {2}, … order (what
       * `settlewatch sms-templates --provider tencent` prints): TemplateParamSet follows it.
       */
      templateParams: templateParamsSchema,
      smsSdkAppId: providerSettingsSchema.shape.smsSdkAppId.unwrap(),
      region: providerSettingsSchema.shape.region,
    })
    .optional(),
};

type TencentRegion = NonNullable<z.output<typeof providerSettingsSchema>["region"]>;

interface SmsProviderConfig {
  readonly provider?: SmsProviderId | undefined;
  readonly byCallingCode?: Readonly<Record<string, SmsProviderId>> | undefined;
  readonly aliyun?: z.output<typeof mainlandProvider> | undefined;
  readonly tencent?:
    | (z.output<typeof mainlandProvider> & {
        smsSdkAppId: string;
        region?: TencentRegion | undefined;
        templateParams: Readonly<Record<string, readonly string[]>>;
      })
    | undefined;
  readonly senderId?: string | undefined;
  readonly maxPriceUsd?: string | undefined;
  readonly deliveryReports?: z.output<typeof smsDeliveryReportsSchema> | undefined;
  readonly pacing?: SmsPacingInput | undefined;
}

/** The default provider: the configured one, else SNS where the region has SNS SMS, else none. */
export function defaultSmsProvider(region: string, sms: SmsProviderConfig): SmsProviderId | undefined {
  return sms.provider ?? (REGIONS_WITHOUT_SNS_SMS.includes(region) ? undefined : "sns");
}

/** Every provider the deployment sends through. */
export function usedSmsProviders(region: string, sms: SmsProviderConfig): SmsProviderId[] {
  const all = [defaultSmsProvider(region, sms), ...Object.values(sms.byCallingCode ?? {})];
  return [...new Set(all.filter((id): id is SmsProviderId => id !== undefined))];
}

/** Problems with the SMS setup of a deployment in `region`, as [path, message] pairs. */
export function smsConfigProblems(region: string, sms: SmsProviderConfig): Array<[string[], string]> {
  const problems: Array<[string[], string]> = [];
  const noSns = REGIONS_WITHOUT_SNS_SMS.includes(region);
  if (noSns && sms.provider === undefined) {
    problems.push([
      ["sms", "provider"],
      `${region} has no SNS SMS: set sms.provider to "aliyun" (Alibaba Cloud SMS) or "tencent" (Tencent Cloud SMS)`,
    ]);
  }
  if (sms.deliveryReports?.snsStatusLogs && !usedSmsProviders(region, sms).includes("sns")) {
    problems.push([
      ["sms", "deliveryReports", "snsStatusLogs"],
      "SNS delivery-status logs are read only where SNS sends texts; this deployment does not use sns",
    ]);
  }
  for (const id of usedSmsProviders(region, sms)) {
    if (id === "sns" && noSns) {
      problems.push([
        ["sms"],
        `${region} cannot send SMS through Amazon SNS (the AWS China regions have no SNS SMS); use "aliyun" (Alibaba Cloud SMS) or "tencent" (Tencent Cloud SMS) for these numbers`,
      ]);
    }
    if (id === "sns") continue;
    const settings = sms[id];
    if (!settings) {
      problems.push([
        ["sms", id],
        `${id} is used but not configured: give its signName, templateCodes and secretName`,
      ]);
      continue;
    }
    for (const missing of missingTemplateCodes(settings.templateCodes)) {
      problems.push([["sms", id, "templateCodes"], `no registered ${id} template code for ${missing}`]);
    }
    if ("templateParams" in settings) {
      problems.push(...tencentParamProblems(settings.templateCodes, settings.templateParams));
    }
  }
  return [...problems, ...pacingProblems(region, sms)];
}

function pacingProblems(region: string, sms: SmsProviderConfig): Array<[string[], string]> {
  const used = usedSmsProviders(region, sms);
  const problems: Array<[string[], string]> = [];
  for (const id of Object.keys(sms.pacing ?? {})) {
    if (!used.includes(id as SmsProviderId)) {
      problems.push([["sms", "pacing", id], `${id} is not used by this deployment's SMS routing`]);
      continue;
    }
    for (const message of perNumberCapProblems(pacingFor(id as SmsProviderId, sms.pacing).perNumber)) {
      problems.push([["sms", "pacing", id, "perNumber"], message]);
    }
  }
  return problems;
}

/** The notifier's pacing per used provider, defaults filled in (SMS_PACING). */
export function smsPacingEnvironment(deployment: {
  readonly region: string;
  readonly sms: SmsProviderConfig;
}): {
  SMS_PACING: string;
} {
  const resolved: Partial<Record<SmsProviderId, SmsPacing>> = {};
  for (const id of usedSmsProviders(deployment.region, deployment.sms)) {
    resolved[id] = pacingFor(id, deployment.sms.pacing);
  }
  return { SMS_PACING: JSON.stringify(resolved) };
}

/**
 * Every configured Tencent template must list, in `templateParams[id]`, exactly the variables the
 * notice it sends has (each once): TemplateParamSet is built in that order, and a missing or extra
 * name would put a value in the wrong {n} or leave one blank.
 */
export function tencentParamProblems(
  codes: TemplateCodes,
  params: Readonly<Record<string, readonly string[]>>,
): Array<[string[], string]> {
  const problems: Array<[string[], string]> = [];
  const used = new Set<string>();
  for (const entry of listSmsTemplates()) {
    const id = codes[entry.language]?.[entry.key];
    if (id === undefined) continue;
    used.add(id);
    const path = ["sms", "tencent", "templateParams", id];
    const listed = params[id];
    const where = `Tencent template ${id} (${entry.language}/${entry.key})`;
    if (!listed) {
      problems.push([
        path,
        `${where} has no templateParams: list its variables in the registered {1}, {2}, … order, e.g. ${JSON.stringify(entry.variables)}`,
      ]);
      continue;
    }
    const missing = entry.variables.filter((name) => !listed.includes(name));
    const extra = listed.filter((name) => !entry.variables.includes(name));
    const twice = listed.filter((name, index) => listed.indexOf(name) !== index);
    if (missing.length + extra.length + twice.length === 0) continue;
    const parts = [
      missing.length ? `lacks ${missing.join(", ")}` : "",
      extra.length ? `lists ${extra.join(", ")}, which the notice does not have` : "",
      twice.length ? `lists ${twice.join(", ")} twice` : "",
    ].filter(Boolean);
    problems.push([path, `${where} ${parts.join("; ")}: it needs exactly ${entry.variables.join(", ")}`]);
  }
  for (const id of Object.keys(params)) {
    if (!used.has(id)) {
      problems.push([
        ["sms", "tencent", "templateParams", id],
        `${id} is not a template id in templateCodes`,
      ]);
    }
  }
  return problems;
}

/** The notifier's and the check's SMS environment: routing and non-secret provider settings. */
export function smsEnvironment(deployment: { readonly region: string; readonly sms: SmsProviderConfig }): {
  SMS_ROUTING: string;
  SMS_PROVIDERS: string;
} {
  const { sms, region } = deployment;
  const providers: Record<string, z.input<typeof providerSettingsSchema>> = {};
  for (const id of usedSmsProviders(region, sms)) {
    if (id === "sns") {
      providers.sns = {};
      continue;
    }
    const settings = sms[id];
    if (!settings) continue;
    providers[id] = {
      signName: settings.signName,
      templateCodes: settings.templateCodes,
      // The secret's name: GetSecretValue takes a name; the grant covers its ARN.
      secretId: settings.secretName,
      ...(settings.maxVariableLength ? { maxVariableLength: settings.maxVariableLength } : {}),
      ...("smsSdkAppId" in settings ? { smsSdkAppId: settings.smsSdkAppId } : {}),
      ...("templateParams" in settings
        ? {
            templateParams: Object.fromEntries(
              Object.entries(settings.templateParams).map(([id, names]) => [id, [...names]]),
            ),
          }
        : {}),
      ...("region" in settings && settings.region ? { region: settings.region } : {}),
    };
  }
  const routing = { default: defaultSmsProvider(region, sms), byCallingCode: sms.byCallingCode };
  return { SMS_ROUTING: JSON.stringify(routing), SMS_PROVIDERS: JSON.stringify(providers) };
}

/** The Secrets Manager secret names the notifier may read: one per mainland provider it uses. */
export function smsSecretNames(deployment: {
  readonly region: string;
  readonly sms: SmsProviderConfig;
}): string[] {
  return usedSmsProviders(deployment.region, deployment.sms)
    .filter((id) => SMS_PROVIDER_TRAITS[id].registeredTemplates)
    .flatMap((id) => {
      const settings = id === "sns" ? undefined : deployment.sms[id];
      return settings ? [settings.secretName] : [];
    });
}
