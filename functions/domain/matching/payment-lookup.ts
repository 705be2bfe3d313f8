/**
 * The port through which matching finds payments. The use case implements it on the table
 * (GetItem by key, the order index, a window query); unit tests implement it over arrays.
 */
import { isoDateOfEpochDay, parseIsoDate } from "../calendar/civil-date.js";
import type { Payment } from "../payment/payment.js";
import type { MatchablePayment } from "./payment-state.js";

/** A search for payments of one merchant, currency and exact amount over a range of trade dates. */
export interface AmountWindowQuery {
  merchantId: string;
  currency: string;
  /** Exact gross amount in minor units (the payment's amountMinor). */
  amountMinor: number;
  /** First trade date, YYYY-MM-DD, inclusive (see {@link tradeDateOf}). */
  from: string;
  /** Last trade date, YYYY-MM-DD, inclusive. */
  to: string;
}

export interface PaymentLookup {
  /** The payment with this acquirer and payment id (the acquirer's reference), if any. */
  byReference(acquirer: string, reference: string): Promise<MatchablePayment | undefined>;
  /**
   * Payments carrying this order id (the merchant's order number), of this merchant, or of any
   * merchant when `merchantId` is null. Any acquirer: the matcher filters.
   */
  byOrderId(merchantId: string | null, orderId: string): Promise<MatchablePayment[]>;
  /** Payments whose {@link tradeDateOf} is in the window and whose amount and currency are exact. */
  byAmountWindow(query: AmountWindowQuery): Promise<MatchablePayment[]>;
}

/**
 * The date a payment is filed under for the window rung: its merchant-local trade date when it has
 * an expected arrival, else the UTC date of its confirmation. The adapter must use the same rule.
 */
export function tradeDateOf(payment: Pick<Payment, "arrival" | "confirmedAtUtc">): string {
  return payment.arrival?.tradeDate ?? payment.confirmedAtUtc.slice(0, 10);
}

/** Every date from `from` to `to` (YYYY-MM-DD, inclusive), at most `max`; none when either is not a date. */
export function datesBetween(from: string, to: string, max = 366): string[] {
  const first = parseIsoDate(from);
  const last = parseIsoDate(to);
  if (first === undefined || last === undefined) return [];
  const dates: string[] = [];
  for (let day = first; day <= last && dates.length < max; day += 1) dates.push(isoDateOfEpochDay(day));
  return dates;
}
