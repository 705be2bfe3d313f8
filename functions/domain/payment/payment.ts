import { createHash } from "node:crypto";
import type { Confirmation } from "../confirmation/confirmation.js";

/**
 * PENDING → SETTLED, or PENDING → OVERDUE → SETTLED_LATE; REVERSED / REFUNDED close a payment;
 * MISMATCH when the settled amount differs. RECORDED is the state of a refund or reversal
 * confirmation itself: it moves no money towards the merchant, so it has no expected arrival.
 */
export type PaymentStatus =
  | "PENDING"
  | "SETTLED"
  | "OVERDUE"
  | "SETTLED_LATE"
  | "REVERSED"
  | "REFUNDED"
  | "MISMATCH"
  | "RECORDED";

export interface ExpectedArrivalFields {
  tradeDate: string;
  dueDate: string;
  /** UTC instant the money should be in the merchant's account. */
  expectedBy: string;
  /** expectedBy plus the merchant's grace period: from then on the payment is overdue. */
  overdueAt: string;
  explanation: string;
  calendarCoverage: "covered" | "weekends-only";
  /**
   * Set while the due date depends on a year the calendar does not cover: the payment is held
   * (never reported overdue on a weekends-only guess) until that year is loaded, then recomputed.
   */
  calendarHold?: CalendarHold | undefined;
}

/** The calendar and the (first) year a held payment waits for. */
export interface CalendarHold {
  region: string;
  year: number;
}

export interface PaymentNoticeEntry {
  kind: "overdue" | "escalation" | "arrived";
  level: number;
  sentAt: string;
  noticeId: string;
}

export interface Payment {
  acquirer: string;
  paymentId: string;
  merchantId: string;
  kind: Confirmation["kind"];
  amountMinor: number;
  currency: string;
  /** As sent (with the sender's offset). */
  confirmedAt: string;
  /** The same instant in UTC. */
  confirmedAtUtc: string;
  orderId?: string | undefined;
  channel?: string | undefined;
  terminalId?: string | undefined;
  payerHint?: string | undefined;
  originalPaymentId?: string | undefined;
  status: PaymentStatus;
  /** False when the merchant had no profile: default terms were used and nobody can be notified. */
  merchantRegistered: boolean;
  /** Present for payments (kind "payment"); refunds and reversals have none. */
  arrival?: ExpectedArrivalFields;
  /** Sum of the partial reversals applied: `amountMinor` (still expected) + this = the confirmed amount. */
  reversedMinor?: number | undefined;
  /** Ids of the reversal confirmations applied to this payment (a re-delivered one is not applied twice). */
  reversalIds?: string[] | undefined;
  /** Set when the overdue check moved the payment to OVERDUE. */
  overdueMarkedAt?: string | undefined;
  /** Notices sent about this payment (overdue, escalation, arrived), for the escalation schedule. */
  noticeHistory?: PaymentNoticeEntry[] | undefined;
  /** sha256 of the confirmation's content: tells a duplicate from a conflicting re-send. */
  fingerprint: string;
  receivedAt: string;
}

const FINGERPRINT_FIELDS = [
  "acquirer",
  "paymentId",
  "merchantId",
  "amountMinor",
  "currency",
  "confirmedAt",
  "orderId",
  "channel",
  "terminalId",
  "payerHint",
  "kind",
  "originalPaymentId",
] as const satisfies ReadonlyArray<keyof Confirmation>;

/**
 * Content hash over the confirmation's fields in a fixed order. `confirmedAt` is compared as an
 * instant, so the same moment written with another offset is still the same confirmation.
 */
export function confirmationFingerprint(confirmation: Confirmation): string {
  const canonical = FINGERPRINT_FIELDS.map((field) => {
    const value =
      field === "confirmedAt" ? new Date(confirmation.confirmedAt).toISOString() : confirmation[field];
    return [field, value ?? null];
  });
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/** Which due-index shard a payment lives in: stable, and spread evenly by a hash of its identity. */
export function dueShardOf(acquirer: string, paymentId: string, shardCount: number): number {
  const digest = createHash("sha256").update(`${acquirer}#${paymentId}`).digest();
  return digest.readUInt32BE(0) % shardCount;
}
