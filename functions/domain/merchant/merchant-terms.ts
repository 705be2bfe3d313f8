import * as z from "zod";
import { isKnownTimeZone } from "../time/time-zone.js";

// Settlement terms and the deployment's default terms: apart from the merchant profile so that
// the functions which only read terms do not bundle the phone-number metadata (see merchant-profile.ts).

export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (24-hour, local time)');

/** A settlement cycle: T+N business days or D+N calendar days. */
export const settlementCycleSchema = z
  .string()
  .regex(/^[TD]\+\d{1,2}$/, 'expected "T+N" (business days) or "D+N" (calendar days), N from 0 to 99');

/**
 * How a T+N cycle counts its N business days (D cycles count calendar days and ignore it):
 * - "after-trade-date" (the default): the N-th business day strictly after the trade date, as
 *   acquirers pay (a Saturday trade is paid T+1 on Monday, or on a worked 调休 Sunday).
 * - "roll-trade-date-first": a trade date that is not a business day is first rolled to the next
 *   business day, then N business days are counted after that (some banks do this; a Saturday
 *   trade is then paid T+1 on Tuesday).
 */
export const businessDayRuleSchema = z.enum(["after-trade-date", "roll-trade-date-first"]);
export type BusinessDayRule = z.infer<typeof businessDayRuleSchema>;

export const settlementTermsSchema = z.strictObject({
  cycle: settlementCycleSchema,
  /** Absent means "after-trade-date" (optional rather than defaulted so existing terms literals stay valid). */
  businessDayRule: businessDayRuleSchema.optional(),
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

export const merchantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected 1-64 characters: letters, digits, '.', '_' or '-'");

/** The deployment's terms for confirmations whose merchant has no profile (they are kept, never dropped). */
export const defaultMerchantTermsSchema = z.strictObject({
  timeZone: z.string().refine(isKnownTimeZone, "not an IANA time zone, e.g. Asia/Shanghai"),
  calendar: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'expected a region code such as "CN"'),
  settlement: settlementTermsSchema,
});
export type DefaultMerchantTerms = z.infer<typeof defaultMerchantTermsSchema>;
