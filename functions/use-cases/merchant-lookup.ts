import {
  parseLookupQuery,
  parseQueryString,
  recentTradeDates,
  tradeDatesAround,
} from "../domain/merchant-page/lookup.js";
import {
  ARRIVED_STATUSES,
  LIVE_STATUSES,
  type MerchantPaymentView,
  OUTSTANDING_STATUSES,
  viewPayment,
} from "../domain/merchant-page/payment-view.js";
import type { AcquirerContact } from "../domain/notification/notice-text.js";
import type { Language } from "../domain/notification/templates.js";
import type { Payment } from "../domain/payment/payment.js";
import type { InputLimits } from "../domain/validation/input-limits.js";
import { ValidationError } from "./errors.js";
import type { MerchantPaymentReader } from "./merchant-page-ports.js";
import type { Clock, MerchantRepository } from "./ports.js";

export interface MerchantLookupDeps {
  payments: MerchantPaymentReader;
  merchants: MerchantRepository;
  clock: Clock;
  inputLimits: InputLimits;
  acquirers?: Readonly<Record<string, AcquirerContact>> | undefined;
  /** How many days back the outstanding list reads (trade dates). */
  outstandingDays: number;
}

/** Most matches a lookup returns (a till's question has a handful of answers). */
export const LOOKUP_LIMIT = 20;
/** Most payments the outstanding list reads. */
export const OUTSTANDING_LIMIT = 200;

export interface LookupAnswer {
  verdict: "confirmed" | "not-found";
  window: { from: string; to: string };
  matches: MerchantPaymentView[];
}

export interface OutstandingAnswer {
  pending: MerchantPaymentView[];
  overdue: MerchantPaymentView[];
  arrived: MerchantPaymentView[];
  /** The trade dates read, oldest first, and whether the list stopped at its limit. */
  days: { from: string; to: string };
  truncated: boolean;
}

/** The explanation texts' language: zh-CN unless the page asks for English (`lang=en`). */
function languageOf(lang: string | undefined): Language {
  if (lang === undefined || lang === "zh-CN") return "zh-CN";
  if (lang === "en") return "en";
  throw new ValidationError([{ field: "lang", message: 'expected "zh-CN" or "en"' }]);
}

async function viewOptions(merchantId: string, lang: string | undefined, deps: MerchantLookupDeps) {
  const profile = await deps.merchants.get(merchantId);
  return {
    language: languageOf(lang),
    timeZone: profile?.timeZone ?? "Asia/Shanghai",
    acquirers: deps.acquirers,
  };
}

/** Splits `lang` off a raw query string (every merchant API read accepts it). */
function withoutLang(rawQuery: string): { rest: string; lang: string | undefined } {
  const parts = rawQuery.split("&");
  const langPart = parts.find((part) => part.startsWith("lang="));
  return {
    rest: parts.filter((part) => part !== langPart).join("&"),
    lang: langPart === undefined ? undefined : decodeURIComponent(langPart.slice(5)),
  };
}

/**
 * GET /m/api/lookup: the merchant's confirmed payments of one exact amount in a time window. Reads
 * only what matches: one exact range per trade date the window can be filed under.
 */
export async function lookupPayments(
  merchantId: string,
  rawQuery: string,
  deps: MerchantLookupDeps,
): Promise<LookupAnswer> {
  const { rest, lang } = safeSplit(rawQuery);
  const parsed = parseLookupQuery(rest, deps.clock.now(), deps.inputLimits);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const query = parsed.value;
  const options = await viewOptions(merchantId, lang, deps);
  const found = await deps.payments.byAmount({
    merchantId,
    tradeDates: tradeDatesAround(query.from, query.to),
    currency: query.currency,
    amountMinor: query.amountMinor,
    from: query.from,
    to: query.to,
    limit: LOOKUP_LIMIT,
  });
  const tail = query.orderEndsWith;
  const matches = found
    .filter((payment) => payment.merchantId === merchantId && payment.kind === "payment")
    .filter((payment) => tail === undefined || (payment.orderId ?? "").endsWith(tail))
    .sort(newestFirst)
    .map((payment) => viewPayment(payment, options));
  const verdict = matches.some((match) => LIVE_STATUSES.has(match.status)) ? "confirmed" : "not-found";
  return { verdict, window: { from: query.from, to: query.to }, matches };
}

/** GET /m/api/outstanding: pending and overdue payments, and those that arrived, of the last days. */
export async function listOutstanding(
  merchantId: string,
  rawQuery: string,
  deps: MerchantLookupDeps,
): Promise<OutstandingAnswer> {
  const { rest, lang } = safeSplit(rawQuery);
  const parsed = parseQueryString(rest, []);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const options = await viewOptions(merchantId, lang, deps);
  const tradeDates = recentTradeDates(deps.clock.now(), deps.outstandingDays);
  const payments = await deps.payments.recent({ merchantId, tradeDates, limit: OUTSTANDING_LIMIT + 1 });
  const own = payments
    .filter((payment) => payment.merchantId === merchantId && payment.kind === "payment")
    .slice(0, OUTSTANDING_LIMIT)
    .sort(newestFirst);
  const pick = (statuses: ReadonlySet<string>, only?: string) =>
    own
      .filter((payment) => statuses.has(payment.status) && (only === undefined || payment.status === only))
      .map((payment) => viewPayment(payment, options));
  return {
    pending: pick(OUTSTANDING_STATUSES, "PENDING"),
    overdue: pick(OUTSTANDING_STATUSES, "OVERDUE"),
    arrived: pick(ARRIVED_STATUSES),
    days: { from: tradeDates.at(-1) ?? "", to: tradeDates[0] ?? "" },
    truncated: payments.length > OUTSTANDING_LIMIT,
  };
}

function safeSplit(rawQuery: string): { rest: string; lang: string | undefined } {
  try {
    return withoutLang(rawQuery);
  } catch {
    throw new ValidationError([{ field: "lang", message: "is not valid percent-encoding" }]);
  }
}

function newestFirst(a: Payment, b: Payment): number {
  return b.confirmedAtUtc.localeCompare(a.confirmedAtUtc);
}
