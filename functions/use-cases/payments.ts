import type { Payment } from "../domain/payment/payment.js";
import { NotFoundError } from "./errors.js";
import type { PaymentRepository } from "./ports.js";

/** The operator's view of one payment. */
export interface PaymentView {
  acquirer: string;
  paymentId: string;
  merchantId: string;
  kind: Payment["kind"];
  status: Payment["status"];
  /** The amount still expected (partial reversals deducted). */
  amountMinor: number;
  /** Sum of the partial reversals applied (0 when none). */
  reversedMinor: number;
  currency: string;
  confirmedAt: string;
  expectedBy: string | null;
  overdueAt: string | null;
  explanation: string | null;
  merchantRegistered: boolean;
  orderId: string | null;
  originalPaymentId: string | null;
}

export async function getPayment(
  acquirer: string,
  paymentId: string,
  deps: { payments: PaymentRepository },
): Promise<PaymentView> {
  const payment = await deps.payments.get(acquirer, paymentId);
  if (!payment) throw new NotFoundError(`no payment ${paymentId} from acquirer ${acquirer}`);
  return {
    acquirer: payment.acquirer,
    paymentId: payment.paymentId,
    merchantId: payment.merchantId,
    kind: payment.kind,
    status: payment.status,
    amountMinor: payment.amountMinor,
    reversedMinor: payment.reversedMinor ?? 0,
    currency: payment.currency,
    confirmedAt: payment.confirmedAtUtc,
    expectedBy: payment.arrival?.expectedBy ?? null,
    overdueAt: payment.arrival?.overdueAt ?? null,
    explanation: payment.arrival?.explanation ?? null,
    merchantRegistered: payment.merchantRegistered,
    orderId: payment.orderId ?? null,
    originalPaymentId: payment.originalPaymentId ?? null,
  };
}
