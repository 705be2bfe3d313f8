import type { MerchantProfile } from "../merchant/merchant-profile.js";
import type { Payment } from "../payment/payment.js";
import type { PaymentRef } from "./notice-id.js";
import type { Language, MerchantNoticeKind } from "./templates.js";
import { type LocalDate, type LocalDateTime, localDateTime } from "./wall-clock.js";

// One notice per merchant per run: the payments it is about, grouped and summed, in the
// merchant's zone. This is data; notice-text.ts turns it into words.

/** A payment the check decided to notify, at its escalation level (see escalation.ts). */
export interface NoticeCandidate {
  payment: Payment;
  level: number;
}

/** One payment in a digest. */
export interface DigestLine extends PaymentRef {
  /**
   * What the merchant quotes: the acquirer's payment id. Not the order id: the acquirer's
   * hotline traces its own transaction id, every payment has one (orderId is optional), and it is
   * unique per acquirer, while the order number only means something in the merchant's till.
   * The order id is shown next to it in emails when there is one.
   */
  reference: string;
  orderId: string | undefined;
  amountMinor: number;
  currency: string;
  /** UTC instant of the confirmation. */
  confirmedAtUtc: string;
  /** Local date of the confirmation in the merchant's zone. */
  confirmedOn: LocalDate;
  /** Local date and time the money was due (`arrival.expectedBy`, before grace) in the merchant's zone. */
  dueAt: LocalDateTime;
  /** UTC instant the money was due; orders lines and finds the earliest. */
  expectedBy: string;
  level: number;
}

export interface CurrencyTotal {
  currency: string;
  amountMinor: number;
}

/** Everything one merchant notice says, language-neutral. */
export interface Digest {
  kind: MerchantNoticeKind;
  merchantId: string;
  merchantName: string;
  language: Language;
  timeZone: string;
  /** Highest escalation level among the lines (0 for "overdue" digests with only new payments, and for "arrived"). */
  level: number;
  count: number;
  /** One per currency, by currency code. */
  totals: CurrencyTotal[];
  /** Oldest first: earliest due, then earliest confirmed, then acquirer and payment id. */
  lines: DigestLine[];
  /** Distinct acquirers of the lines, sorted. */
  acquirers: string[];
}

/** The profile fields a digest needs. */
export type DigestMerchant = Pick<MerchantProfile, "merchantId" | "name" | "timeZone"> & {
  contact: Pick<MerchantProfile["contact"], "language">;
};

/** A payment that cannot be notified, and why. */
export interface UnnotifiablePayment {
  payment: Payment;
  reason: "merchant-unregistered" | "no-profile";
}

/**
 * Sums amounts per currency, in minor units, sorted by currency code.
 * @throws RangeError when a total leaves the safe integer range.
 */
export function currencyTotals(
  amounts: readonly { amountMinor: number; currency: string }[],
): CurrencyTotal[] {
  const totals = new Map<string, number>();
  for (const { amountMinor, currency } of amounts) {
    const total = (totals.get(currency) ?? 0) + amountMinor;
    if (!Number.isSafeInteger(total))
      throw new RangeError(`the ${currency} total is too large to add up exactly`);
    totals.set(currency, total);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, amountMinor]) => ({ currency, amountMinor }));
}

/**
 * The overdue digest of one merchant: every payment due for a notice this run, new ones (level 0)
 * and reminders (level ≥ 1) together, so the merchant gets one message. Its kind is "overdue" when
 * at least one payment is new, else "escalation".
 *
 * Payments not due for a notice (see escalation.ts) are not passed in and not counted: the
 * digest says what changed, not the whole backlog.
 *
 * @throws RangeError when there are no candidates, one belongs to another merchant, or has no
 *   expected arrival.
 */
export function buildOverdueDigest(merchant: DigestMerchant, candidates: readonly NoticeCandidate[]): Digest {
  if (candidates.length === 0) throw new RangeError("a digest needs at least one payment");
  const kind = candidates.some((candidate) => candidate.level === 0) ? "overdue" : "escalation";
  return digestOf(kind, merchant, candidates);
}

/**
 * Groups the run's candidates by merchant into one overdue digest each (sorted by merchant id).
 * Payments whose merchant has no profile, or registered none, are returned apart: nobody can be
 * told (the use case logs and counts them).
 */
export function buildOverdueDigests(
  candidates: readonly NoticeCandidate[],
  merchants: ReadonlyMap<string, DigestMerchant>,
): { digests: Digest[]; unnotifiable: UnnotifiablePayment[] } {
  const byMerchant = new Map<string, NoticeCandidate[]>();
  const unnotifiable: UnnotifiablePayment[] = [];
  for (const candidate of candidates) {
    const { payment } = candidate;
    if (!payment.merchantRegistered) {
      unnotifiable.push({ payment, reason: "merchant-unregistered" });
    } else if (!merchants.has(payment.merchantId)) {
      unnotifiable.push({ payment, reason: "no-profile" });
    } else {
      const group = byMerchant.get(payment.merchantId) ?? [];
      group.push(candidate);
      byMerchant.set(payment.merchantId, group);
    }
  }
  const digests = [...byMerchant.keys()].sort().map((merchantId) => {
    const merchant = merchants.get(merchantId);
    const group = byMerchant.get(merchantId);
    if (!merchant || !group) throw new Error("unreachable: grouped merchant vanished");
    return buildOverdueDigest(merchant, group);
  });
  return { digests, unnotifiable };
}

/**
 * The "arrived" notice of one merchant: the late payments (now SETTLED_LATE) whose money came in
 * this run, in one short message.
 * @throws RangeError as {@link buildOverdueDigest}.
 */
export function buildArrivedNotice(merchant: DigestMerchant, payments: readonly Payment[]): Digest {
  if (payments.length === 0) throw new RangeError("an arrived notice needs at least one payment");
  return digestOf(
    "arrived",
    merchant,
    payments.map((payment) => ({ payment, level: 0 })),
  );
}

function digestOf(
  kind: MerchantNoticeKind,
  merchant: DigestMerchant,
  candidates: readonly NoticeCandidate[],
): Digest {
  const lines = candidates.map(({ payment, level }) => lineOf(merchant, payment, level));
  lines.sort(
    (a, b) =>
      compare(Date.parse(a.expectedBy), Date.parse(b.expectedBy)) ||
      compare(Date.parse(a.confirmedAtUtc), Date.parse(b.confirmedAtUtc)) ||
      compare(a.acquirer, b.acquirer) ||
      compare(a.paymentId, b.paymentId),
  );
  return {
    kind,
    merchantId: merchant.merchantId,
    merchantName: merchant.name,
    language: merchant.contact.language,
    timeZone: merchant.timeZone,
    level: Math.max(...lines.map((line) => line.level)),
    count: lines.length,
    totals: currencyTotals(lines),
    lines,
    acquirers: [...new Set(lines.map((line) => line.acquirer))].sort(),
  };
}

function lineOf(merchant: DigestMerchant, payment: Payment, level: number): DigestLine {
  if (payment.merchantId !== merchant.merchantId) {
    throw new RangeError(
      `payment ${payment.paymentId} belongs to ${payment.merchantId}, not ${merchant.merchantId}`,
    );
  }
  if (!payment.arrival) throw new RangeError(`payment ${payment.paymentId} has no expected arrival`);
  const confirmed = localDateTime(instant(payment.confirmedAtUtc), merchant.timeZone);
  return {
    acquirer: payment.acquirer,
    paymentId: payment.paymentId,
    reference: payment.paymentId,
    orderId: payment.orderId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    confirmedAtUtc: payment.confirmedAtUtc,
    confirmedOn: { year: confirmed.year, month: confirmed.month, day: confirmed.day },
    dueAt: localDateTime(instant(payment.arrival.expectedBy), merchant.timeZone),
    expectedBy: payment.arrival.expectedBy,
    level,
  };
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function instant(iso: string): number {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new RangeError(`not an ISO 8601 instant: ${JSON.stringify(iso)}`);
  return at;
}
