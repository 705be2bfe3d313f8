import { type MerchantProfile, merchantProfileSchema } from "../domain/merchant/merchant-profile.js";
import { type SmsRouting, smsCoverageProblem } from "../domain/notification/sms-providers.js";
import { toFieldErrors } from "../domain/validation/field-errors.js";
import { NotFoundError, ValidationError } from "./errors.js";
import type { CalendarProvider, EmailSubscriptions, MerchantRepository } from "./ports.js";

export interface MerchantDeps {
  merchants: MerchantRepository;
  calendars: CalendarProvider;
  /** Absent locally: emails are written to the outbox, no subscription needed. */
  emailSubscriptions?: EmailSubscriptions | undefined;
  /** Which SMS provider covers which numbers. Absent: SNS everywhere. */
  smsRouting?: SmsRouting | undefined;
}

/**
 * Creates or replaces a merchant profile. `merchantId` comes from the path; a body that names another
 * id is refused rather than silently rewritten.
 */
export async function registerMerchant(
  merchantId: string,
  body: unknown,
  deps: MerchantDeps,
): Promise<{ created: boolean; profile: MerchantProfile }> {
  const withId =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? { merchantId, ...(body as object) }
      : body;
  const parsed = merchantProfileSchema.safeParse(withId);
  if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error.issues, withId));
  const profile = parsed.data;
  if (profile.merchantId !== merchantId) {
    throw new ValidationError([
      { field: "merchantId", message: `"${profile.merchantId}" does not match the path's "${merchantId}"` },
    ]);
  }
  if (!(await deps.calendars.has(profile.calendar))) {
    throw new ValidationError([
      { field: "calendar", message: `no holiday calendar for region "${profile.calendar}"` },
    ]);
  }
  // A number no configured provider texts would never get an SMS: say so now, not at the first alert.
  const { phone } = profile.contact;
  const uncovered =
    phone && profile.contact.channels.includes("sms") && deps.smsRouting
      ? smsCoverageProblem(phone, deps.smsRouting)
      : undefined;
  if (uncovered) throw new ValidationError([{ field: "contact.phone", message: uncovered }]);
  const { created } = await deps.merchants.put(profile);
  // An email address is subscribed even on an SMS-only profile: it is where a failed text falls back to.
  const { email } = profile.contact;
  if (email) await deps.emailSubscriptions?.ensureSubscribed(profile.merchantId, email);
  return { created, profile };
}

export async function getMerchant(
  merchantId: string,
  deps: Pick<MerchantDeps, "merchants">,
): Promise<MerchantProfile> {
  const profile = await deps.merchants.get(merchantId);
  if (!profile) throw new NotFoundError(`merchant ${merchantId} is not registered`);
  return profile;
}
