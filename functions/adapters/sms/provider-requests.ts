import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import {
  smsTemplateText,
  type TemplateCodes,
  type TemplatedSms,
} from "../../domain/notification/sms-templates.js";
import { DEFAULT_TEMPLATES, templateVariables } from "../../domain/notification/templates.js";
import type { SmsToSend } from "../../use-cases/ports.js";

// The exact request each provider gets for one text, built in one place: the adapters send these,
// and the local outbox shows them (so what you see locally is what a provider would receive).

/** A deployment's non-secret settings for one provider (from the config, via the environment). */
export interface ProviderSettings {
  /** Registered signature without brackets (Alibaba Cloud SignName, Tencent SignName). */
  signName?: string | undefined;
  /** Registered template codes (Alibaba Cloud) or ids (Tencent) per language and template key. */
  templateCodes?: TemplateCodes | undefined;
  /** Tencent only: per registered template id, its variable names in the {1}, {2}, … order. */
  templateParams?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Tencent only: the SMS application's SmsSdkAppId. */
  smsSdkAppId?: string | undefined;
  /** Secrets Manager secret holding the provider's credentials (never the credentials themselves). */
  secretId?: string | undefined;
  /** SNS only: sender ID and per-message price cap. */
  senderId?: string | undefined;
  maxPriceUsd?: string | undefined;
}

export interface AliyunSendSmsRequest {
  PhoneNumbers: string;
  SignName: string;
  TemplateCode: string;
  /** JSON object of the template's named variables. */
  TemplateParam: string;
  /** Echoed in delivery reports: the notice id. */
  OutId: string;
}

export interface TencentSendSmsRequest {
  PhoneNumberSet: string[];
  SmsSdkAppId: string;
  SignName: string;
  TemplateId: string;
  /** The variables in the template's order ({1}, {2}, … on Tencent's side). */
  TemplateParamSet: string[];
  /** Echoed in status callbacks: the notice id. */
  SessionContext: string;
}

export interface SnsPublishSmsRequest {
  PhoneNumber: string;
  Message: string;
  MessageAttributes: Record<string, { DataType: string; StringValue: string }>;
}

export type ProviderRequest =
  | { provider: "sns"; request: SnsPublishSmsRequest }
  | { provider: "aliyun"; request: AliyunSendSmsRequest }
  | { provider: "tencent"; request: TencentSendSmsRequest };

/** The provider was asked to send a template it has no registered code for: a config error. */
export class UnregisteredTemplateError extends Error {
  override name = "UnregisteredTemplateError";
}

function requireTemplate(sms: TemplatedSms | undefined, provider: SmsProviderId): TemplatedSms {
  if (!sms)
    throw new UnregisteredTemplateError(`${provider} sends templates only: the notice has no template`);
  return sms;
}

function templateCode(sms: TemplatedSms, settings: ProviderSettings, provider: SmsProviderId): string {
  const code = settings.templateCodes?.[sms.language]?.[sms.template];
  if (!code) {
    throw new UnregisteredTemplateError(
      `${provider} has no registered template for ${sms.language}/${sms.template} (templateCodes in the deployment config)`,
    );
  }
  return code;
}

function requireSetting(value: string | undefined, name: string, provider: SmsProviderId): string {
  if (!value) throw new UnregisteredTemplateError(`${provider} needs ${name} in the deployment config`);
  return value;
}

/** Alibaba Cloud SendSms (dysmsapi 2017-05-25). Numbers without "+": 86… for the mainland, 852… abroad. */
export function aliyunSendSmsRequest(input: SmsToSend, settings: ProviderSettings): AliyunSendSmsRequest {
  const sms = requireTemplate(input.sms, "aliyun");
  return {
    PhoneNumbers: input.phone.replace(/^\+/, ""),
    SignName: requireSetting(settings.signName, "signName", "aliyun"),
    TemplateCode: templateCode(sms, settings, "aliyun"),
    TemplateParam: JSON.stringify(sms.variables),
    OutId: input.noticeId,
  };
}

/**
 * The order Tencent's template `templateId` numbers its variables ({1}, {2}, …): the registered
 * order from the deployment config (`templateParams`, checked at synth), else the order the names
 * first appear in our default template text (what `settlewatch sms-templates` prints).
 */
export function tencentParamOrder(
  sms: TemplatedSms,
  settings: ProviderSettings,
  templateId: string,
): string[] {
  const registered = settings.templateParams?.[templateId];
  if (registered) return [...registered];
  return templateVariables(smsTemplateText(sms, DEFAULT_TEMPLATES));
}

/** Tencent Cloud SendSms (sms 2021-01-11): the values in the registered template's variable order. */
export function tencentSendSmsRequest(input: SmsToSend, settings: ProviderSettings): TencentSendSmsRequest {
  const sms = requireTemplate(input.sms, "tencent");
  const templateId = templateCode(sms, settings, "tencent");
  const order = tencentParamOrder(sms, settings, templateId);
  const unknown = order.filter((name) => !Object.hasOwn(sms.variables, name));
  if (unknown.length > 0) {
    throw new UnregisteredTemplateError(
      `tencent template ${templateId} lists ${unknown.map((name) => `{${name}}`).join(", ")}, which ${sms.language}/${sms.template} does not have (templateParams in the deployment config)`,
    );
  }
  return {
    PhoneNumberSet: [input.phone],
    SmsSdkAppId: requireSetting(settings.smsSdkAppId, "smsSdkAppId", "tencent"),
    SignName: requireSetting(settings.signName, "signName", "tencent"),
    TemplateId: templateId,
    TemplateParamSet: order.map((name) => sms.variables[name] ?? ""),
    SessionContext: input.noticeId,
  };
}

/** SNS Publish to a number: Transactional, the sender ID and price cap where configured. */
export function snsPublishSmsRequest(input: SmsToSend, settings: ProviderSettings): SnsPublishSmsRequest {
  return {
    PhoneNumber: input.phone,
    Message: input.text,
    MessageAttributes: {
      "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
      ...(settings.senderId
        ? { "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: settings.senderId } }
        : {}),
      ...(settings.maxPriceUsd
        ? { "AWS.SNS.SMS.MaxPrice": { DataType: "Number", StringValue: settings.maxPriceUsd } }
        : {}),
    },
  };
}

/**
 * The request `provider` would get, for display (local outbox, simulate): unregistered template
 * codes and missing settings show as "<…>" placeholders instead of failing.
 */
export function previewProviderRequest(
  provider: SmsProviderId,
  input: SmsToSend,
  settings: ProviderSettings = {},
): ProviderRequest {
  const sms = input.sms;
  const code = sms ? `<${provider} code of ${sms.language}/${sms.template}>` : "<no template>";
  const withPlaceholders: ProviderSettings = {
    ...settings,
    signName: settings.signName ?? "<signName>",
    smsSdkAppId: settings.smsSdkAppId ?? "<smsSdkAppId>",
    templateCodes:
      sms && !settings.templateCodes?.[sms.language]?.[sms.template]
        ? {
            ...settings.templateCodes,
            [sms.language]: { ...settings.templateCodes?.[sms.language], [sms.template]: code },
          }
        : settings.templateCodes,
  };
  if (provider === "aliyun") return { provider, request: aliyunSendSmsRequest(input, withPlaceholders) };
  if (provider === "tencent") {
    return { provider, request: tencentSendSmsRequest(input, withPlaceholders) };
  }
  return { provider, request: snsPublishSmsRequest(input, settings) };
}
