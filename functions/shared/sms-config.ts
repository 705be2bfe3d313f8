import * as z from "zod";
import { SMS_PROVIDERS, type SmsDelivery, type SmsProviderId } from "../domain/notification/sms-providers.js";
import { LANGUAGES } from "../domain/notification/templates.js";

// The SMS part of a deployment, validated the same way at synth (infra/config) and at Lambda init
// (from the environment). Nothing here is secret: credentials stay in Secrets Manager.

const providerId = z.enum(SMS_PROVIDERS);

/** Per language, template key → registered code (Alibaba Cloud "SMS_123456789") or id (Tencent "1234567"). */
export const templateCodesSchema = z.partialRecord(
  z.enum(LANGUAGES),
  z.record(z.string().regex(/^[a-z]+(-[a-z]+)*(\.(one|other))?$/), z.string().regex(/^[A-Za-z0-9_]{1,64}$/)),
);

/**
 * Tencent: per registered template id, its variable names in the order the registered text numbers
 * them ({1}, {2}, …), e.g. { "1234567": ["count", "total", "confirmed", "due", "items", "nextStep"] }.
 */
export const templateParamsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
  z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, "a template variable name, e.g. count"))
    .min(1)
    .max(32),
);

/** A provider's non-secret settings as the notifier receives them. */
export const providerSettingsSchema = z.strictObject({
  /** The registered signature without 【】: 2-12 characters (Chinese, letters, digits). */
  signName: z
    .string()
    .regex(
      /^[\p{Script=Han}A-Za-z0-9]{2,12}$/u,
      "a signature is 2-12 Chinese characters, letters or digits, without 【】",
    )
    .optional(),
  templateCodes: templateCodesSchema.optional(),
  templateParams: templateParamsSchema.optional(),
  /** Tencent's SMS application id (SmsSdkAppId), e.g. 1400787878. */
  smsSdkAppId: z
    .string()
    .regex(/^\d{10}$/)
    .optional(),
  /** Tencent API region (ap-guangzhou, ap-beijing, ap-nanjing). */
  region: z.enum(["ap-guangzhou", "ap-beijing", "ap-nanjing"]).optional(),
  /** The Secrets Manager secret (name or ARN) with the provider's credentials. */
  secretId: z.string().min(1).optional(),
  senderId: z
    .string()
    .regex(/^[A-Za-z0-9]{1,11}$/)
    .optional(),
  maxPriceUsd: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  /** A longer variable limit approved with the templates (default: the provider's documented one). */
  maxVariableLength: z.number().int().min(1).max(500).optional(),
});
export type ProviderSettingsInput = z.infer<typeof providerSettingsSchema>;

export const smsProvidersSettingsSchema = z.partialRecord(providerId, providerSettingsSchema);

export const smsRoutingSchema = z.strictObject({
  default: providerId.optional(),
  byCallingCode: z
    .record(z.string().regex(/^[1-9]\d{0,3}$/, "a calling code without +, e.g. 86"), providerId)
    .optional(),
});

/** The routing and settings the check needs to render texts for the right provider. */
export function smsDeliveryFrom(
  routing: z.infer<typeof smsRoutingSchema>,
  providers: z.infer<typeof smsProvidersSettingsSchema>,
): SmsDelivery {
  const limits = Object.fromEntries(
    Object.entries(providers).map(([id, settings]) => [
      id,
      { signName: settings?.signName, maxVariableLength: settings?.maxVariableLength },
    ]),
  ) as Partial<Record<SmsProviderId, { signName?: string; maxVariableLength?: number }>>;
  return { routing, providers: limits };
}

const perWindowCap = z.number().int().min(1).max(1000).optional();

/** Per provider: requests in flight per notifier instance, and texts per number per window. */
export const smsPacingSchema = z.partialRecord(
  providerId,
  z.strictObject({
    concurrency: z.number().int().min(1).max(100).optional(),
    perNumber: z
      .strictObject({ perMinute: perWindowCap, perHour: perWindowCap, perDay: perWindowCap })
      .optional(),
  }),
);
export type SmsPacingInput = z.infer<typeof smsPacingSchema>;
