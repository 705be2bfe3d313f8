import { isValidPhoneNumber } from "libphonenumber-js";
import * as z from "zod";
import { CHANNEL_ADDRESS_FIELD, channelAddress, MERCHANT_CHANNELS } from "../notification/channels.js";
import { isKnownTimeZone } from "../time/time-zone.js";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (24-hour, local time)');

/** A settlement cycle: T+N business days or D+N calendar days. */
export const settlementCycleSchema = z
  .string()
  .regex(/^[TD]\+\d{1,2}$/, 'expected "T+N" (business days) or "D+N" (calendar days), N from 0 to 99');

export const settlementTermsSchema = z.strictObject({
  cycle: settlementCycleSchema,
  cutoff: hhmm.default("23:59"),
  arrivalBy: hhmm.default("18:00"),
  graceMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  feeRate: z
    .string()
    .regex(/^(0|1)(\.\d{1,6})?$/, 'expected a decimal string between 0 and 1, e.g. "0.006"')
    .refine((value) => Number(value) <= 1, "a fee rate cannot exceed 1")
    // Absent = not known: settlement matching then skips the fee check (and says so) instead of assuming 0.
    .optional(),
  /**
   * When money counts as arrived: "acquirer-file" (the payment is in the acquirer's settlement
   * file) or "bank-credit" (only once the bank credits the payout batch it is part of). Absent
   * means "acquirer-file" (optional rather than defaulted so existing terms literals stay valid).
   */
  arrivalMode: z.enum(["acquirer-file", "bank-credit"]).optional(),
  /**
   * The bank account the acquirer pays this merchant's payouts into, as bank statements name it
   * (IBAN / account number): lets a bank credit without a batch reference find its batch by
   * account + amount + date. Absent: only the batch-reference rung can match.
   */
  payoutAccount: z.string().min(1).max(64).optional(),
});
export type SettlementTerms = z.infer<typeof settlementTermsSchema>;

export const contactSchema = z.strictObject({
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, { message: "expected an E.164 number, e.g. +8613800138000", abort: true })
    .refine((phone) => isValidPhoneNumber(phone), "not a valid phone number for its country code")
    .optional(),
  email: z.email().optional(),
  language: z.enum(["zh-CN", "en"]).default("en"),
  channels: z.array(z.enum(MERCHANT_CHANNELS)).default([]),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).optional(),
});
export type MerchantContact = z.infer<typeof contactSchema>;

export const merchantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected 1-64 characters: letters, digits, '.', '_' or '-'");

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

/** The deployment's terms for confirmations whose merchant has no profile (they are kept, never dropped). */
export const defaultMerchantTermsSchema = z.strictObject({
  timeZone: z.string().refine(isKnownTimeZone, "not an IANA time zone, e.g. Asia/Shanghai"),
  calendar: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'expected a region code such as "CN"'),
  settlement: settlementTermsSchema,
});
export type DefaultMerchantTerms = z.infer<typeof defaultMerchantTermsSchema>;
