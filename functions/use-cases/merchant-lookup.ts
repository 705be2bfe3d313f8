import type { DefaultMerchantTerms } from "../domain/merchant/merchant-terms.js";
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
  viewPayment,
} from "../domain/merchant-page/payment-view.js";
import { pendingTradeDates, unionOfTradeDates } from "../domain/merchant-page/pending-window.js";
import type { AcquirerContact } from "../domain/notification/notice-text.js";
import type { Language } from "../domain/notification/templates.js";
import type { Payment } from "../domain/payment/payment.js";
import type { InputLimits } from "../domain/validation/input-limits.js";
import { ValidationError } from "./errors.js";
import type { MerchantPaymentReader } from "./merchant-page-ports.js";
import type { CalendarProvider, Clock, MerchantRepository } from "./ports.js";

export interface MerchantLookupDeps {
  payments: MerchantPaymentReader;
  merchants: MerchantRepository;
  clock: Clock;
  inputLimits: InputLimits;
  acquirers?: Readonly<Record<string, AcquirerContact>> | undefined;
  /** How many days back the outstanding list shows arrived payments (trade dates). */
  outstandingDays: number;
  /** The merchant's calendar and the deployment's terms (no profile): which trade dates can still be PENDING. */
  calendars: CalendarProvider;
  defaultTerms: DefaultMerchantTerms;
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
  return optionsOf(await deps.merchants.get(merchantId), lang, deps);
}

function optionsOf(
  profile: { timeZone: string } | undefined,
  lang: string | undefined,
  deps: MerchantLookupDeps,
) {
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

/**
 * GET /m/api/outstanding: every OVERDUE payment of the merchant (one Query on the sparse
 * merchant-open index, however old), the PENDING ones (only the trade dates the merchant's terms
 * leave open) and those that arrived in the last days. No read grows with the merchant's history.
 */
export async function listOutstanding(
  merchantId: string,
  rawQuery: string,
  deps: MerchantLookupDeps,
): Promise<OutstandingAnswer> {
  const { rest, lang } = safeSplit(rawQuery);
  const parsed = parseQueryString(rest, []);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const profile = await deps.merchants.get(merchantId);
  const options = optionsOf(profile, lang, deps);
  const terms = profile ?? deps.defaultTerms;
  const now = deps.clock.now();
  const tradeDates = unionOfTradeDates(
    pendingTradeDates({
      now,
      timeZone: terms.timeZone,
      terms: terms.settlement,
      calendar: await deps.calendars.calendarFor(terms.calendar),
    }),
    recentTradeDates(now, deps.outstandingDays),
  );
  const limit = OUTSTANDING_LIMIT + 1;
  const [recent, overdue] = await Promise.all([
    deps.payments.recent({ merchantId, tradeDates, limit }),
    deps.payments.overdue({ merchantId, limit }),
  ]);
  const own = (payments: Payment[], statuses: ReadonlySet<string>) =>
    payments
      .filter((p) => p.merchantId === merchantId && p.kind === "payment" && statuses.has(p.status))
      .slice(0, OUTSTANDING_LIMIT)
      .sort(newestFirst)
      .map((payment) => viewPayment(payment, options));
  return {
    pending: own(recent, PENDING_ONLY),
    overdue: own(overdue, OVERDUE_ONLY),
    arrived: own(recent, ARRIVED_STATUSES),
    days: { from: tradeDates.at(-1) ?? "", to: tradeDates[0] ?? "" },
    truncated: recent.length > OUTSTANDING_LIMIT || overdue.length > OUTSTANDING_LIMIT,
  };
}

const PENDING_ONLY: ReadonlySet<string> = new Set(["PENDING"]);
// An index entry is read eventually consistently: a payment settled a moment ago is not shown as overdue.
const OVERDUE_ONLY: ReadonlySet<string> = new Set(["OVERDUE"]);

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
