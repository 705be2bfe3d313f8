import * as z from "zod";
import { isSettlementCurrency } from "../money/currency.js";
import { toFieldErrors, type ValidationResult } from "../validation/field-errors.js";
import {
  checkAmount,
  checkInstant,
  DEFAULT_INPUT_LIMITS,
  type FieldCheck,
  type InputLimits,
} from "../validation/input-limits.js";

/** The greatest clock skew accepted on `confirmedAt`: a confirmation cannot come from the future. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** RFC 3339 date-time with an explicit offset (Z or ±HH:MM), fractional seconds allowed. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

export const acquirerIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/, "expected 1-32 characters: lower-case letters, digits or '-'");
export const paymentIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[\x21-\x7e]*$/, "must be printable ASCII without spaces");

/** Shape only here: whether the date is real and plausible is {@link checkInstant}'s job (it needs `now`). */
const rfc3339Instant = z
  .string()
  .regex(RFC3339, "expected an RFC 3339 date-time with offset, e.g. 2026-09-30T15:04:05+08:00");

export const confirmationSchema = z
  .strictObject({
    acquirer: acquirerIdSchema,
    paymentId: paymentIdSchema,
    merchantId: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        "expected 1-64 characters: letters, digits, '.', '_' or '-'",
      ),
    amountMinor: z
      .number({ error: "expected an integer number of minor units" })
      .int("must be an integer number of minor units (e.g. 12850 for 128.50), not a fraction")
      .positive("must be greater than 0")
      .max(Number.MAX_SAFE_INTEGER, "is too large"),
    currency: z.string().refine(isSettlementCurrency, "expected an ISO 4217 currency code, e.g. CNY"),
    confirmedAt: rfc3339Instant,
    orderId: z.string().min(1).max(128).optional(),
    channel: z.string().min(1).max(32).optional(),
    terminalId: z.string().min(1).max(64).optional(),
    payerHint: z
      .string()
      .max(64)
      .refine(
        (hint) => !/\d{7,}/.test(hint.replace(/[\s-]/g, "")),
        "must be masked: no run of 7 or more digits",
      )
      .optional(),
    kind: z.enum(["payment", "refund", "reversal"]).default("payment"),
    originalPaymentId: paymentIdSchema.optional(),
  })
  .superRefine((confirmation, ctx) => {
    if (confirmation.kind !== "payment" && !confirmation.originalPaymentId) {
      ctx.addIssue({
        code: "custom",
        path: ["originalPaymentId"],
        message: `is required when kind is "${confirmation.kind}"`,
      });
    }
    if (confirmation.kind === "payment" && confirmation.originalPaymentId) {
      ctx.addIssue({
        code: "custom",
        path: ["originalPaymentId"],
        message: "is only allowed for a refund or reversal",
      });
    }
  });

/** A validated payment confirmation, as the acquirer sent it (kind defaulted to "payment"). */
export type Confirmation = z.infer<typeof confirmationSchema>;

export { type FieldError, toFieldErrors, type ValidationResult } from "../validation/field-errors.js";

/**
 * Validates one confirmation; never throws, whatever the input. `now` is the receiver's clock: a
 * `confirmedAt` that is not a real date (30 February, 24:00), before `limits.earliestDate` or more
 * than five minutes ahead of `now` is refused (the acquirer's clock or the payload is wrong), and so
 * is an amount above the currency's bound.
 */
export function validateConfirmation(
  input: unknown,
  now: Date,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): ValidationResult<Confirmation> {
  const parsed = confirmationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error.issues, input) };
  const checks: FieldCheck[] = [
    {
      field: "confirmedAt",
      check: checkInstant(parsed.data.confirmedAt, { now, limits, maxFutureMs: MAX_FUTURE_SKEW_MS }),
    },
    { field: "amountMinor", check: checkAmount(parsed.data.amountMinor, parsed.data.currency, limits) },
  ];
  const errors = checks.flatMap(({ field, check }) => (check.ok ? [] : [{ field, message: check.message }]));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: parsed.data };
}
