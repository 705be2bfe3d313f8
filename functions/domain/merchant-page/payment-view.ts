import type { AcquirerContact } from "../notification/notice-text.js";
import type { Language } from "../notification/templates.js";
import { localDateTime } from "../notification/wall-clock.js";
import type { Payment, PaymentStatus } from "../payment/payment.js";

/**
 * What the merchant page shows of one payment: no customer data (no payer hint, no terminal), the
 * acquirer's reference masked, times in UTC plus the merchant's wall clock, and one sentence in the
 * merchant's language saying where the money stands.
 */
export interface MerchantPaymentView {
  /** The acquirer's reference, masked ("4200****0001"). */
  paymentId: string;
  amountMinor: number;
  currency: string;
  /** UTC instant the acquirer confirmed the payment. */
  confirmedAt: string;
  /** The same instant on the merchant's wall clock, "YYYY-MM-DD HH:MM" in `timeZone`. */
  confirmedAtLocal: string;
  timeZone: string;
  channel: string | null;
  /** The last 4 characters of the merchant's order number, when the payment has one. */
  orderTail: string | null;
  status: PaymentStatus;
  /** UTC instant the money should be in the merchant's account; null when unknown. */
  expectedBy: string | null;
  explanation: string;
  /** What the merchant should do now (outstanding list); the full reference only where it must be quoted. */
  whatToDo: string;
}

/** Statuses that mean the acquirer confirmed money that is (or was) on its way to the merchant. */
export const LIVE_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  "PENDING",
  "OVERDUE",
  "SETTLED",
  "SETTLED_LATE",
  "MISMATCH",
]);

export const OUTSTANDING_STATUSES: ReadonlySet<PaymentStatus> = new Set(["PENDING", "OVERDUE"]);
export const ARRIVED_STATUSES: ReadonlySet<PaymentStatus> = new Set(["SETTLED", "SETTLED_LATE"]);

/** The first and last 4 characters of a reference of 12 or more around a fixed "****" (the length stays hidden); of a shorter one at most its last 4, never more than half. */
export function maskReference(reference: string): string {
  const chars = [...reference];
  if (chars.length < 12) {
    // Short references: at most half shows, and never more than the last 4.
    const keep = Math.min(4, Math.floor(chars.length / 2));
    return `${"*".repeat(chars.length - keep)}${chars.slice(chars.length - keep).join("")}`;
  }
  const tail = chars.slice(-4).join("");
  return `${chars.slice(0, 4).join("")}****${tail}`;
}

type Texts = Record<PaymentStatus, string> & {
  pendingNoDue: string;
  waitFor: string;
  waitNoDue: string;
  callHotline: string;
  callAcquirer: string;
  nothingToDo: string;
};

const TEXTS: Readonly<Record<Language, Texts>> = {
  "zh-CN": {
    PENDING: "收单机构已确认此笔收款，预计{due}前到账。",
    pendingNoDue: "收单机构已确认此笔收款。",
    OVERDUE: "已逾期：应于{due}前到账，尚未收到结算。",
    SETTLED: "已结算到账。",
    SETTLED_LATE: "已到账（晚于预计时间）。",
    MISMATCH: "已结算，但结算金额与确认金额不符，请联系收单机构。",
    REVERSED: "已撤销：这笔款项不会到账，请勿凭此交货。",
    REFUNDED: "已退款。",
    RECORDED: "退款或撤销记录。",
    waitFor: "暂无需处理，预计{due}前到账。",
    waitNoDue: "暂无需处理。",
    callHotline: "请致电{acquirer}（{hotline}），并提供交易单号{reference}。",
    callAcquirer: "请联系{acquirer}，并提供交易单号{reference}。",
    nothingToDo: "无需处理。",
  },
  en: {
    PENDING: "Confirmed by the acquirer; expected in your account by {due}.",
    pendingNoDue: "Confirmed by the acquirer.",
    OVERDUE: "Overdue: due by {due} and not settled yet.",
    SETTLED: "Settled: the money has arrived.",
    SETTLED_LATE: "Settled late: the money has arrived.",
    MISMATCH: "Settled with a different amount than confirmed: contact the acquirer.",
    REVERSED: "Reversed: this payment will not be paid. Do not hand over goods for it.",
    REFUNDED: "Refunded.",
    RECORDED: "A refund or reversal record.",
    waitFor: "Nothing to do yet: expected by {due}.",
    waitNoDue: "Nothing to do yet.",
    callHotline: "Call {acquirer} on {hotline} and quote reference {reference}.",
    callAcquirer: "Contact {acquirer} and quote reference {reference}.",
    nothingToDo: "Nothing to do.",
  },
};

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** "YYYY-MM-DD HH:MM" on the wall clock of `timeZone`. */
export function wallClockText(instantIso: string, timeZone: string): string {
  const t = localDateTime(Date.parse(instantIso), timeZone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}`;
}

export interface ViewOptions {
  language: Language;
  timeZone: string;
  acquirers?: Readonly<Record<string, AcquirerContact>> | undefined;
}

function whatToDo(payment: Payment, texts: Texts, due: string | undefined, options: ViewOptions): string {
  if (payment.status === "OVERDUE" || payment.status === "MISMATCH") {
    const contact = options.acquirers?.[payment.acquirer];
    const acquirer = contact?.names?.[options.language] ?? payment.acquirer;
    const values = { acquirer, hotline: contact?.hotline ?? "", reference: payment.paymentId };
    return fill(contact?.hotline ? texts.callHotline : texts.callAcquirer, values);
  }
  if (payment.status === "PENDING") return due ? fill(texts.waitFor, { due }) : texts.waitNoDue;
  return texts.nothingToDo;
}

/** The page's view of a payment, in the merchant's language and zone. */
export function viewPayment(payment: Payment, options: ViewOptions): MerchantPaymentView {
  const texts = TEXTS[options.language];
  const expectedBy = payment.arrival?.expectedBy;
  const due = expectedBy ? wallClockText(expectedBy, options.timeZone) : undefined;
  const explanation =
    payment.status === "PENDING" && !due
      ? texts.pendingNoDue
      : fill(texts[payment.status], { due: due ?? "" });
  return {
    paymentId: maskReference(payment.paymentId),
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    confirmedAt: payment.confirmedAtUtc,
    confirmedAtLocal: wallClockText(payment.confirmedAtUtc, options.timeZone),
    timeZone: options.timeZone,
    channel: payment.channel ?? null,
    orderTail: payment.orderId ? [...payment.orderId].slice(-4).join("") : null,
    status: payment.status,
    expectedBy: expectedBy ?? null,
    explanation,
    whatToDo: whatToDo(payment, texts, due, options),
  };
}
