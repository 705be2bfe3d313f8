import type { BusinessCalendar } from "../domain/calendar/business-calendar.js";
import type { MerchantProfile } from "../domain/merchant/merchant-profile.js";
import type { Payment } from "../domain/payment/payment.js";

/** What the use cases need from storage and the outside world. Adapters implement these. */

export type InsertPaymentResult = { outcome: "created" } | { outcome: "exists"; existing: Payment };

export interface PaymentRepository {
  /** Stores a new payment in one conditional write; an existing one is returned untouched. */
  insert(payment: Payment): Promise<InsertPaymentResult>;
  get(acquirer: string, paymentId: string): Promise<Payment | undefined>;
}

export interface MerchantRepository {
  get(merchantId: string): Promise<MerchantProfile | undefined>;
  /** Creates or replaces the profile; says which. */
  put(profile: MerchantProfile): Promise<{ created: boolean }>;
}

export interface WebhookSecretStore {
  /** Current secrets of an acquirer (several during a rotation); empty when the acquirer is unknown. */
  secretsFor(acquirer: string): Promise<readonly string[]>;
}

export interface CalendarProvider {
  /** Throws UnknownCalendarError for a region it has no calendar for. */
  calendarFor(region: string): Promise<BusinessCalendar>;
  has(region: string): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Business metrics (EMF in AWS). Dimensions are kept few: acquirer only, never merchant or payment. */
export type BusinessMetricName =
  | "ConfirmationsAccepted"
  | "ConfirmationsDuplicate"
  | "ConfirmationsConflict"
  | "ConfirmationsRejected"
  | "RequestsRejected"
  | "UnregisteredMerchantConfirmations"
  | "CalendarNotCovered";

export interface BusinessMetrics {
  count(name: BusinessMetricName, value: number, acquirer?: string): void;
}

export const noMetrics: BusinessMetrics = { count: () => undefined };
