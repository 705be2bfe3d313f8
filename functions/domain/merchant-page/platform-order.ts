import { isSettlementCurrency, minorUnitDigits } from "../money/currency.js";
import type { FieldError, ValidationResult } from "../validation/field-errors.js";
import { parseQueryString } from "./lookup.js";

/**
 * "Was it really paid?" asked of the payment platform itself (WeChat Pay v3 order query,
 * Alipay alipay.trade.query) for an order settlewatch holds no confirmation of. Rules only: which
 * platform states count as paid, what an order number may look like. No I/O, no clock.
 */

export const PLATFORMS = ["wechatpay", "alipay"] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * The platforms' documented states. Only SUCCESS (WeChat Pay) and TRADE_SUCCESS / TRADE_FINISHED
 * (Alipay) are paid; every other known state is not paid; a state not listed here is "unknown"
 * (never paid: a platform that adds a state must not turn a screenshot into goods).
 */
export const PLATFORM_STATES: Readonly<
  Record<Platform, { paid: readonly string[]; notPaid: readonly string[] }>
> = {
  wechatpay: {
    paid: ["SUCCESS"],
    notPaid: ["REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"],
  },
  alipay: { paid: ["TRADE_SUCCESS", "TRADE_FINISHED"], notPaid: ["WAIT_BUYER_PAY", "TRADE_CLOSED"] },
};

/** What the platform said about an order; "unknown" whenever it could not be asked or trusted. */
export type PlatformVerdict = "paid" | "not-paid" | "unknown";

export function verdictOfState(platform: Platform, state: string): PlatformVerdict {
  const states = PLATFORM_STATES[platform];
  if (states.paid.includes(state)) return "paid";
  if (states.notPaid.includes(state)) return "not-paid";
  return "unknown";
}

/**
 * Order numbers as the platforms accept them: WeChat Pay's out_trade_no is 6–32 of letters,
 * digits and _ - | * ; Alipay's is up to 64 of letters, digits and underscore. Anything else is
 * refused before a request is signed.
 */
const ORDER_NUMBER: Readonly<Record<Platform, RegExp>> = {
  wechatpay: /^[A-Za-z0-9_\-|*]{6,32}$/,
  alipay: /^[A-Za-z0-9_]{1,64}$/,
};

export interface PlatformCheckQuery {
  platform: Platform;
  orderNo: string;
}

/** `platform=wechatpay|alipay&orderNo=…` (and `lang`, which the answer does not need). */
export function parsePlatformCheckQuery(raw: string): ValidationResult<PlatformCheckQuery> {
  const parsed = parseQueryString(raw, ["platform", "orderNo", "lang"]);
  if (!parsed.ok) return parsed;
  const { platform, orderNo = "" } = parsed.value;
  const errors: FieldError[] = [];
  if (!PLATFORMS.includes(platform as Platform))
    errors.push({ field: "platform", message: `expected one of ${PLATFORMS.join(", ")}` });
  else if (!ORDER_NUMBER[platform as Platform].test(orderNo))
    errors.push({
      field: "orderNo",
      message:
        platform === "wechatpay"
          ? "expected the merchant order number: 6-32 letters, digits, _ - | *"
          : "expected the merchant order number: 1-64 letters, digits, _",
    });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { platform: platform as Platform, orderNo } };
}

/**
 * A decimal amount in major units as Alipay sends it ("88.88") to integer minor units; undefined
 * when it has more decimals than the currency or is not a plain non-negative decimal.
 */
export function minorUnitsOfDecimal(text: string, currency: string): number | undefined {
  if (!isSettlementCurrency(currency)) return undefined;
  const digits = minorUnitDigits(currency);
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return undefined;
  const value = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Alipay's wall-clock times ("2026-12-04 15:45:57") are Beijing time; as a UTC ISO instant. */
export function beijingTimeToUtc(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(y, mo - 1, d, h - 8, mi, s);
  const check = new Date(utc + 8 * 3600_000);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return undefined;
  return new Date(utc).toISOString();
}

/** Alipay's request timestamp format: Beijing wall-clock time of an instant. */
export function beijingTimeOf(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}
