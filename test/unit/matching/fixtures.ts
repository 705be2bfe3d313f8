// Test helpers for matching: payment/line builders and an in-memory PaymentLookup over arrays
// (a stub of the matching port, standing in for the DynamoDB adapter the use case provides).
import type { MerchantMatchTerms } from "../../../functions/domain/matching/match-decision.js";
import type { AmountWindowQuery, PaymentLookup } from "../../../functions/domain/matching/payment-lookup.js";
import { tradeDateOf } from "../../../functions/domain/matching/payment-lookup.js";
import {
  applyPaymentUpdate,
  type MatchablePayment,
  type PaymentUpdate,
} from "../../../functions/domain/matching/payment-state.js";
import type { SettlementLine } from "../../../functions/domain/settlement-files/settlement-record.js";

export const ACQUIRER = "wechat";

export const TERMS: MerchantMatchTerms = { feeRate: "0.006", arrivalMode: "acquirer-file" };

export function payment(overrides: Partial<MatchablePayment> & { paymentId: string }): MatchablePayment {
  const tradeDate = overrides.arrival?.tradeDate ?? "2026-10-01";
  return {
    acquirer: ACQUIRER,
    merchantId: "m-1",
    kind: "payment",
    amountMinor: 10000,
    currency: "CNY",
    confirmedAt: `${tradeDate}T10:00:00+08:00`,
    confirmedAtUtc: `${tradeDate}T02:00:00.000Z`,
    status: "PENDING",
    merchantRegistered: true,
    arrival: {
      tradeDate,
      dueDate: "2026-10-02",
      expectedBy: "2026-10-02T10:00:00.000Z",
      overdueAt: "2026-10-02T11:00:00.000Z",
      explanation: "T+1 business day",
      calendarCoverage: "covered",
    },
    fingerprint: "fingerprint",
    receivedAt: `${tradeDate}T02:00:01.000Z`,
    ...overrides,
  };
}

export function line(overrides: Partial<SettlementLine> = {}): SettlementLine {
  return {
    type: "line",
    source: 2,
    reference: "4200000001",
    merchantReference: "order-1",
    batchReference: null,
    merchantId: "m-1",
    direction: "credit",
    currency: "CNY",
    netMinor: 9940,
    grossMinor: 10000,
    feeMinor: 60,
    valueDate: "2026-10-02",
    kind: "payment",
    ...overrides,
  };
}

/** Payments in a Map, queried the way the adapter would; records every query for assertions. */
export class InMemoryPayments implements PaymentLookup {
  readonly payments = new Map<string, MatchablePayment>();
  readonly queries: string[] = [];

  constructor(payments: readonly MatchablePayment[] = []) {
    for (const p of payments) this.put(p);
  }

  put(p: MatchablePayment): void {
    this.payments.set(`${p.acquirer}/${p.paymentId}`, p);
  }

  get(acquirer: string, paymentId: string): MatchablePayment {
    const found = this.payments.get(`${acquirer}/${paymentId}`);
    if (!found) throw new Error(`no payment ${acquirer}/${paymentId}`);
    return found;
  }

  /** Applies a decision's conditional write (throws when its condition fails, as DynamoDB would). */
  apply(update: PaymentUpdate | undefined): void {
    if (!update) return;
    const { acquirer, paymentId } = update.payment;
    this.put(applyPaymentUpdate(this.get(acquirer, paymentId), update));
  }

  async byReference(acquirer: string, reference: string): Promise<MatchablePayment | undefined> {
    this.queries.push(`reference ${acquirer} ${reference}`);
    return this.payments.get(`${acquirer}/${reference}`);
  }

  async byOrderId(merchantId: string | null, orderId: string): Promise<MatchablePayment[]> {
    this.queries.push(`order ${merchantId} ${orderId}`);
    return [...this.payments.values()].filter(
      (p) => p.orderId === orderId && (merchantId === null || p.merchantId === merchantId),
    );
  }

  async byAmountWindow(query: AmountWindowQuery): Promise<MatchablePayment[]> {
    this.queries.push(
      `window ${query.merchantId} ${query.currency} ${query.amountMinor} ${query.from}..${query.to}`,
    );
    return [...this.payments.values()].filter((p) => {
      const date = tradeDateOf(p);
      return (
        p.merchantId === query.merchantId &&
        p.currency === query.currency &&
        p.amountMinor === query.amountMinor &&
        date >= query.from &&
        date <= query.to
      );
    });
  }
}
