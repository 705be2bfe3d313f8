import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import type { TemplateCodes, TemplatedSms } from "../../domain/notification/sms-templates.js";
import type { SmsToSend } from "../../use-cases/ports.js";

// The exact request each provider gets for one text, built in one place: the adapters send these,
// and the local outbox shows them (so what you see locally is what a provider would receive).

/** A deployment's non-secret settings for one provider (from the config, via the environment). */
export interface ProviderSettings {
  /** Registered signature without brackets (Alibaba Cloud SignName, Tencent SignName). */
  signName?: string | undefined;
  /** Registered template codes (Alibaba Cloud) or ids (Tencent) per language and template key. */
  templateCodes?: TemplateCodes | undefined;
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
 * Tencent Cloud SendSms (sms 2021-01-11). Tencent templates number their variables {1}, {2}, …:
 * the values go in the order the names first appear in our template text, which is the order the
 * template was registered in (settlewatch sms-templates prints it).
 */
export function tencentSendSmsRequest(
  input: SmsToSend,
  settings: ProviderSettings,
  variableOrder: readonly string[],
): TencentSendSmsRequest {
  const sms = requireTemplate(input.sms, "tencent");
  return {
    PhoneNumberSet: [input.phone],
    SmsSdkAppId: requireSetting(settings.smsSdkAppId, "smsSdkAppId", "tencent"),
    SignName: requireSetting(settings.signName, "signName", "tencent"),
    TemplateId: templateCode(sms, settings, "tencent"),
    TemplateParamSet: variableOrder.map((name) => sms.variables[name] ?? ""),
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
  variableOrder: readonly string[] = [],
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
    return { provider, request: tencentSendSmsRequest(input, withPlaceholders, variableOrder) };
  }
  return { provider, request: snsPublishSmsRequest(input, settings) };
}
