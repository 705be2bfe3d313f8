import { isoDateOfEpochDay, MS_PER_DAY } from "../calendar/civil-date.js";
import { isSettlementCurrency } from "../money/currency.js";
import type { FieldError, ValidationResult } from "../validation/field-errors.js";
import { checkAmount, checkInstant, type InputLimits } from "../validation/input-limits.js";

/**
 * The merchant page's questions as rules: which window a lookup covers, which trade dates (index
 * partitions) can hold it, and what a found payment says to the merchant. No clock: `now` is given.
 */

export const LOOKUP_WINDOW = { defaultMinutes: 30, maxMinutes: 24 * 60 } as const;
/** Longest tail of an order number a lookup may give (the page asks for the last digits). */
export const ORDER_TAIL_MAX = 32;

export interface LookupQuery {
  amountMinor: number;
  currency: string;
  /** The window of confirmation instants, inclusive (ISO, UTC, milliseconds). */
  from: string;
  to: string;
  /** Optional: the order number must end with this. */
  orderEndsWith?: string | undefined;
}

export type Parsed<T> = ValidationResult<T>;

const LOOKUP_FIELDS = ["amountMinor", "currency", "around", "withinMinutes", "orderEndsWith"] as const;

/**
 * Splits a raw query string (as sent, still percent-encoded) into named values. Broken
 * percent-encoding, unknown and repeated names are errors naming the field.
 */
export function parseQueryString(raw: string, allowed: readonly string[]): Parsed<Record<string, string>> {
  const values: Record<string, string> = {};
  const errors: FieldError[] = [];
  if (raw.length > 2048)
    return { ok: false, errors: [{ field: "query", message: "is longer than 2048 characters" }] };
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const split = pair.indexOf("=");
    const rawName = split < 0 ? pair : pair.slice(0, split);
    const rawValue = split < 0 ? "" : pair.slice(split + 1);
    const name = decodeComponent(rawName);
    const shownName = name ?? rawName.slice(0, 40);
    const value = decodeComponent(rawValue);
    if (name === undefined || !allowed.includes(name)) {
      errors.push({
        field: shownName,
        message: `is not a parameter of this request (${allowed.join(", ")})`,
      });
    } else if (value === undefined) {
      errors.push({ field: name, message: "is not valid percent-encoding" });
    } else if (Object.hasOwn(values, name)) {
      errors.push({ field: name, message: "is given more than once" });
    } else values[name] = value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: values };
}

function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/**
 * GET /m/api/lookup's query. Without `around`, the window is the last `withinMinutes` (default 30)
 * up to now; with it, `withinMinutes` either side of `around`.
 */
export function parseLookupQuery(raw: string, now: Date, limits: InputLimits): Parsed<LookupQuery> {
  const parsed = parseQueryString(raw, LOOKUP_FIELDS);
  if (!parsed.ok) return parsed;
  const q = parsed.value;
  const errors: FieldError[] = [];
  const currency = (q.currency ?? "").trim();
  if (!isSettlementCurrency(currency))
    errors.push({ field: "currency", message: "expected an ISO 4217 code such as CNY" });
  const amountMinor = /^\d{1,16}$/.test(q.amountMinor ?? "") ? Number(q.amountMinor) : Number.NaN;
  const amountCheck = Number.isSafeInteger(amountMinor)
    ? checkAmount(amountMinor, currency, limits)
    : undefined;
  if (!amountCheck?.ok || amountMinor <= 0) {
    const message =
      amountCheck && !amountCheck.ok
        ? amountCheck.message
        : "expected a positive whole number of minor units (fen), e.g. 12850";
    errors.push({ field: "amountMinor", message });
  }
  const within = q.withinMinutes === undefined ? LOOKUP_WINDOW.defaultMinutes : Number(q.withinMinutes);
  if (!/^\d{1,4}$/.test(q.withinMinutes ?? "30") || within < 1 || within > LOOKUP_WINDOW.maxMinutes)
    errors.push({
      field: "withinMinutes",
      message: `expected whole minutes from 1 to ${LOOKUP_WINDOW.maxMinutes}`,
    });
  let aroundMs = now.getTime();
  if (q.around !== undefined) {
    const checked = checkInstant(q.around, { now, limits });
    if (checked.ok) aroundMs = checked.value;
    else errors.push({ field: "around", message: checked.message });
  }
  const tail = q.orderEndsWith;
  if (tail !== undefined && !new RegExp(`^[A-Za-z0-9_-]{1,${ORDER_TAIL_MAX}}$`).test(tail))
    errors.push({
      field: "orderEndsWith",
      message: `expected 1 to ${ORDER_TAIL_MAX} letters, digits, "-" or "_"`,
    });
  if (errors.length > 0) return { ok: false, errors };
  const withinMs = within * 60_000;
  const from = new Date(aroundMs - withinMs).toISOString();
  const to = new Date(q.around === undefined ? aroundMs : aroundMs + withinMs).toISOString();
  return { ok: true, value: { amountMinor, currency, from, to, ...(tail ? { orderEndsWith: tail } : {}) } };
}

/**
 * The trade dates a payment confirmed in [from, to] can be filed under: its merchant-local date
 * (UTC −12 … +14), one day later after a cut-off, one day earlier when a sales day closes the next
 * morning. So two days either side of the UTC dates; newest first.
 */
export function tradeDatesAround(fromIso: string, toIso: string): string[] {
  const first = Math.floor(Date.parse(fromIso) / MS_PER_DAY) - 2;
  const last = Math.floor(Date.parse(toIso) / MS_PER_DAY) + 2;
  const dates: string[] = [];
  for (let day = last; day >= first; day -= 1) dates.push(isoDateOfEpochDay(day));
  return dates;
}

/** The trade dates the outstanding list reads: the last `days` days up to now, newest first. */
export function recentTradeDates(now: Date, days: number): string[] {
  return tradeDatesAround(new Date(now.getTime() - days * MS_PER_DAY).toISOString(), now.toISOString());
}
