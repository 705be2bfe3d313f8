import * as z from "zod";
import { isSettlementCurrency } from "../money/currency.js";

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

const rfc3339Instant = z.string().superRefine((value, ctx) => {
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    ctx.addIssue({
      code: "custom",
      message: "expected an RFC 3339 date-time with offset, e.g. 2026-09-30T15:04:05+08:00",
    });
  }
});

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

export interface FieldError {
  /** Dotted path of the offending field, e.g. "amountMinor" or "confirmations[3].currency". */
  field: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Renders zod's issue paths the way an API user writes them ("contact.phone", "[2].currency"). */
export function toFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix = "",
): FieldError[] {
  return issues.map((issue) => {
    let field = prefix;
    for (const segment of issue.path) {
      field +=
        typeof segment === "number" ? `[${segment}]` : field === "" ? String(segment) : `.${String(segment)}`;
    }
    const message =
      issue.code === "invalid_type" && valueAt(input, issue.path) === undefined
        ? "is required"
        : issue.code === "unrecognized_keys"
          ? `unknown field(s): ${issue.keys.join(", ")}`
          : issue.message;
    return { field: field || "(body)", message };
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * Validates one confirmation. `now` is the receiver's clock: a `confirmedAt` more than five minutes
 * ahead of it is refused, because the acquirer's clock or the payload is wrong.
 */
export function validateConfirmation(input: unknown, now: Date): ValidationResult<Confirmation> {
  const parsed = confirmationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error.issues, input) };
  const confirmedAtMs = Date.parse(parsed.data.confirmedAt);
  if (confirmedAtMs - now.getTime() > MAX_FUTURE_SKEW_MS) {
    return {
      ok: false,
      errors: [
        { field: "confirmedAt", message: `is more than 5 minutes in the future (now ${now.toISOString()})` },
      ],
    };
  }
  return { ok: true, value: parsed.data };
}
