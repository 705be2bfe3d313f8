import * as z from "zod";
import { isoDateOfEpochDay, MS_PER_DAY, parseIsoDate } from "../calendar/civil-date.js";
import type { SettlementLine } from "../settlement-files/settlement-record.js";
import { parseRfc3339Ms } from "../time/rfc3339.js";

/**
 * What counts as a plausible instant, date or amount anywhere a user or a client supplies one.
 * Real clients send dates from unset clocks (0001-01-01, 1970-01-01), dates years ahead, and
 * amounts at the edge of a number type: each is refused with the field named, never stored.
 */
export interface InputLimits {
  /** The earliest date accepted, "YYYY-MM-DD" (UTC midnight for instants). Default 2000-01-01. */
  earliestDate: string;
  /** How far ahead of the receiver's clock an instant or date may lie, in hours. Default 24. */
  maxFutureHours: number;
  /**
   * The largest amount accepted, in minor units: per ISO 4217 code, `default` for the others.
   * Default 10^12 (ten billion CNY in fen). The bound keeps every amount exact as a JS number.
   */
  maxAmountMinor: Readonly<Record<string, number>> & { default: number };
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  earliestDate: "2000-01-01",
  maxFutureHours: 24,
  maxAmountMinor: { default: 1_000_000_000_000 },
};

const amountBound = z
  .number()
  .int()
  .positive()
  .max(Number.MAX_SAFE_INTEGER, "must be at most 2^53 - 1 so amounts stay exact");

/** The config form (local config file, deployment config, INPUT_LIMITS): every field optional. */
export const inputLimitsSchema = z
  .strictObject({
    earliestDate: z
      .string()
      .refine((value) => parseIsoDate(value) !== undefined, "expected a real date, YYYY-MM-DD")
      .default(DEFAULT_INPUT_LIMITS.earliestDate),
    maxFutureHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 366)
      .default(DEFAULT_INPUT_LIMITS.maxFutureHours),
    maxAmountMinor: z
      .record(z.string().regex(/^([A-Z]{3}|default)$/, 'expected an ISO 4217 code or "default"'), amountBound)
      .default({})
      .transform((bounds) => ({ default: DEFAULT_INPUT_LIMITS.maxAmountMinor.default, ...bounds })),
  })
  .default({
    earliestDate: DEFAULT_INPUT_LIMITS.earliestDate,
    maxFutureHours: DEFAULT_INPUT_LIMITS.maxFutureHours,
    maxAmountMinor: DEFAULT_INPUT_LIMITS.maxAmountMinor,
  });
export type InputLimitsInput = z.input<typeof inputLimitsSchema>;

/** A value that passed, or the message saying why not (the caller names the field or line). */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const earliestMs = (limits: InputLimits) => (parseIsoDate(limits.earliestDate) ?? 0) * MS_PER_DAY;

/**
 * An RFC 3339 instant with an offset that is a real moment (no 30 February, no 24:00, no leap
 * second) within the plausible range: not before `earliestDate`, at most `maxFutureMs` (default
 * `maxFutureHours`) after `now`. Returns its epoch milliseconds.
 */
export function checkInstant(
  value: unknown,
  options: { now: Date; limits?: InputLimits | undefined; maxFutureMs?: number },
): Checked<number> {
  const limits = options.limits ?? DEFAULT_INPUT_LIMITS;
  if (typeof value !== "string") return { ok: false, message: "expected an RFC 3339 date-time string" };
  const ms = parseRfc3339Ms(value);
  if (ms === undefined) {
    return {
      ok: false,
      message: `${JSON.stringify(value.slice(0, 40))} is not a real RFC 3339 date-time with offset (e.g. 2026-09-30T15:04:05+08:00; no 30 February, no 24:00)`,
    };
  }
  // parseRfc3339Ms reads a leap second as the next second; Date cannot store it: refuse it here.
  if (value.slice(17, 19) === "60") return { ok: false, message: "a leap second (:60) is not accepted" };
  return checkRange(ms, { ...options, limits });
}

/** Whether an epoch-millisecond instant lies in the plausible range (see {@link checkInstant}). */
export function checkRange(
  ms: number,
  options: { now: Date; limits?: InputLimits | undefined; maxFutureMs?: number },
): Checked<number> {
  const limits = options.limits ?? DEFAULT_INPUT_LIMITS;
  if (!Number.isFinite(ms)) return { ok: false, message: "is not a date-time" };
  if (ms < earliestMs(limits)) {
    return { ok: false, message: `is before ${limits.earliestDate}: not a plausible date (an unset clock?)` };
  }
  const maxFutureMs = options.maxFutureMs ?? limits.maxFutureHours * 3_600_000;
  if (ms - options.now.getTime() > maxFutureMs) {
    return {
      ok: false,
      message: `is more than ${describeDuration(maxFutureMs)} in the future (now ${options.now.toISOString()})`,
    };
  }
  return { ok: true, value: ms };
}

/**
 * A strict "YYYY-MM-DD" that is a real calendar date (no 2026-13-45, no 31 April), not before
 * `earliestDate` and at most `maxFutureHours` after today (UTC).
 */
export function checkDate(
  value: unknown,
  options: { now: Date; limits?: InputLimits | undefined },
): Checked<string> {
  const limits = options.limits ?? DEFAULT_INPUT_LIMITS;
  const epochDay = typeof value === "string" ? parseIsoDate(value) : undefined;
  if (epochDay === undefined) {
    return {
      ok: false,
      message: `${JSON.stringify(String(value).slice(0, 40))} is not a real date, YYYY-MM-DD`,
    };
  }
  if (epochDay * MS_PER_DAY < earliestMs(limits)) {
    return { ok: false, message: `is before ${limits.earliestDate}: not a plausible date` };
  }
  const latestDay = Math.floor((options.now.getTime() + limits.maxFutureHours * 3_600_000) / MS_PER_DAY) + 1;
  if (epochDay > latestDay) {
    return {
      ok: false,
      message: `is after ${isoDateOfEpochDay(latestDay)}: more than ${limits.maxFutureHours} h in the future`,
    };
  }
  return { ok: true, value: value as string };
}

/** The largest amount accepted in a currency, minor units. */
export function maxAmountMinorFor(currency: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): number {
  return limits.maxAmountMinor[currency] ?? limits.maxAmountMinor.default;
}

/** Whether |amount| (minor units, an integer) is within the currency's bound. */
export function checkAmount(
  amountMinor: number,
  currency: string,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): Checked<number> {
  const bound = maxAmountMinorFor(currency, limits);
  if (!Number.isSafeInteger(amountMinor)) {
    return { ok: false, message: "must be an integer number of minor units" };
  }
  if (Math.abs(amountMinor) > bound) {
    return { ok: false, message: `is larger than the ${currency} limit of ${bound} minor units` };
  }
  return { ok: true, value: amountMinor };
}

function describeDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  return `${ms / 1000} s`;
}

/** One field's check, for callers that gather every failing field of an input. */
export interface FieldCheck {
  field: string;
  check: Checked<unknown>;
}

/**
 * Why a settlement line cannot be used, or undefined: an amount beyond its currency's bound, or a
 * value date that is not plausible (it would become the file's day and mark files as received
 * for years ahead). The caller keeps the line as rejected, naming its line number.
 */
export function settlementLineProblem(
  line: Pick<SettlementLine, "currency" | "netMinor" | "grossMinor" | "feeMinor" | "valueDate">,
  options: { now: Date; limits?: InputLimits | undefined },
): string | undefined {
  const limits = options.limits ?? DEFAULT_INPUT_LIMITS;
  const amounts = { net: line.netMinor, gross: line.grossMinor, fee: line.feeMinor };
  for (const [name, amount] of Object.entries(amounts)) {
    if (amount === null) continue;
    const check = checkAmount(amount, line.currency, limits);
    if (!check.ok) return `${name} ${check.message}`;
  }
  const date = checkDate(line.valueDate, { now: options.now, limits });
  return date.ok ? undefined : `value date ${date.message}`;
}

/**
 * An operator's "as of" instant (`check --as-of`, a simulation's checks): a real RFC 3339 instant
 * from `earliestDate` on. A check on real data writes (payments go overdue, notices are sent), so
 * it may not run further ahead than `maxFutureHours`; a simulation (a throwaway table) may.
 */
export function checkAsOf(
  value: string,
  options: { now: Date; limits?: InputLimits | undefined; anyFuture?: boolean },
): Checked<Date> {
  const checked = checkInstant(value, {
    now: options.now,
    limits: options.limits,
    ...(options.anyFuture ? { maxFutureMs: Number.POSITIVE_INFINITY } : {}),
  });
  return checked.ok ? { ok: true, value: new Date(checked.value) } : checked;
}
