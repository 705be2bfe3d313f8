import { type MetadataJson, parsePhoneNumberFromString } from "libphonenumber-js/core";
import * as z from "zod";
import { CHANNEL_ADDRESS_FIELD, channelAddress, MERCHANT_CHANNELS } from "../notification/channels.js";
import { isKnownTimeZone } from "../time/time-zone.js";
import phoneMetadata from "./data/phone-metadata.json" with { type: "json" };
import { hhmm, merchantIdSchema, settlementTermsSchema } from "./merchant-terms.js";

export {
  type BusinessDayRule,
  businessDayRuleSchema,
  type DefaultMerchantTerms,
  defaultMerchantTermsSchema,
  merchantIdSchema,
  type SettlementTerms,
  settlementCycleSchema,
  settlementTermsSchema,
} from "./merchant-terms.js";

/**
 * Whether a number can receive an SMS: valid for its country by libphonenumber's full metadata
 * (`max`, which knows each country's number ranges, not only lengths) and of type MOBILE or
 * FIXED_LINE_OR_MOBILE (countries such as the US do not tell the two apart). The metadata is the
 * `max` one without its formatting rules (`npm run phone-metadata:build`; a test proves the same
 * verdicts), and only the functions that validate merchant profiles import this module.
 */
export function isTextableNumber(phone: string): boolean {
  const parsed = parsePhoneNumberFromString(phone, phoneMetadata as unknown as MetadataJson);
  if (!parsed?.isValid()) return false;
  const type = parsed.getType();
  return type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE";
}

export const contactSchema = z.strictObject({
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, { message: "expected an E.164 number, e.g. +8613800138000", abort: true })
    .refine(
      isTextableNumber,
      "not a mobile number in use for its country code (the number ranges no carrier issues are refused)",
    )
    .optional(),
  email: z.email().optional(),
  language: z.enum(["zh-CN", "en"]).default("en"),
  channels: z.array(z.enum(MERCHANT_CHANNELS)).default([]),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).optional(),
});
export type MerchantContact = z.infer<typeof contactSchema>;

/**
 * The merchant's own accounts on payment platforms, for the merchant page's real-time check
 * (docs/merchant-page.md): the WeChat Pay merchant number (mchid) and the Alipay app_id its orders
 * are made under. The check only ever asks about orders of these accounts.
 */
export const platformAccountsSchema = z.strictObject({
  wechatpay: z
    .strictObject({ mchid: z.string().regex(/^\d{6,32}$/, "expected the WeChat Pay mchid (digits)") })
    .optional(),
  alipay: z
    .strictObject({ appId: z.string().regex(/^\d{8,32}$/, "expected the Alipay app_id (digits)") })
    .optional(),
});

export const merchantProfileSchema = z
  .strictObject({
    merchantId: merchantIdSchema,
    name: z.string().min(1).max(200),
    timeZone: z.string().refine(isKnownTimeZone, "not an IANA time zone, e.g. Asia/Shanghai"),
    calendar: z
      .string()
      .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'expected a region code such as "CN", "HK" or "US"'),
    settlement: settlementTermsSchema,
    contact: contactSchema.default({ language: "en", channels: [] }),
    platformAccounts: platformAccountsSchema.optional(),
  })
  .superRefine((profile, ctx) => {
    for (const channel of profile.contact.channels) {
      const field = CHANNEL_ADDRESS_FIELD[channel];
      if (!channelAddress(channel, profile.contact)) {
        ctx.addIssue({
          code: "custom",
          path: ["contact", field],
          message: `channel "${channel}" is listed but no ${field} is given`,
        });
      }
    }
  });

/** A validated merchant profile, with defaults filled in. */
export type MerchantProfile = z.infer<typeof merchantProfileSchema>;
/** What a caller sends (defaults may be omitted). */
export type MerchantProfileInput = z.input<typeof merchantProfileSchema>;
