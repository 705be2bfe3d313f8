import { createHash } from "node:crypto";
import * as z from "zod";

/**
 * The merchant page's one-time sign-in codes and sessions: the rules only (no clock, no random
 * source, no storage). Codes are 6 digits, single use, valid 5 minutes, refused after 5 wrong tries;
 * each number gets at most `codesPerHour` codes per clock hour.
 */
export const SIGN_IN_CODE = {
  digits: 6,
  lifetimeSeconds: 5 * 60,
  maxAttempts: 5,
} as const;

/** Deployment / local config of the merchant page's sign-in (everything has a default). */
export const signInPolicySchema = z
  .strictObject({
    /** Codes sent to one number per clock hour (UTC); further sign-ins are answered 202 and send nothing. */
    codesPerHour: z.number().int().min(1).max(60).default(5),
    /** How long a session stays valid on the device, in hours (default 30 days). */
    sessionHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 400)
      .default(24 * 30),
  })
  .default({ codesPerHour: 5, sessionHours: 24 * 30 });
export type SignInPolicy = z.infer<typeof signInPolicySchema>;

/** A code as stored: only its keyed hash, never the digits. */
export interface StoredSignInCode {
  merchantId: string;
  codeHash: string;
  /** Epoch seconds after which the code is refused (also the item's TTL). */
  expiresAt: number;
  /** Wrong tries so far. */
  attempts: number;
  /** Set when the code was used: a second use is refused. */
  usedAt?: string | undefined;
}

export type CodeCheck =
  | { outcome: "accepted" }
  | {
      outcome: "refused";
      reason: "no-code" | "used" | "expired" | "locked" | "wrong";
      countAttempt: boolean;
    };

/**
 * Decides a verification. `matches` is the constant-time comparison of the hashes, done by the
 * caller for every stored code (so the answer takes as long whether or not the code matches).
 */
export function checkSignInCode(
  stored: StoredSignInCode | undefined,
  matches: boolean,
  nowEpochSeconds: number,
): CodeCheck {
  if (!stored) return { outcome: "refused", reason: "no-code", countAttempt: false };
  if (stored.usedAt) return { outcome: "refused", reason: "used", countAttempt: false };
  if (nowEpochSeconds >= stored.expiresAt)
    return { outcome: "refused", reason: "expired", countAttempt: false };
  if (stored.attempts >= SIGN_IN_CODE.maxAttempts)
    return { outcome: "refused", reason: "locked", countAttempt: false };
  if (!matches) return { outcome: "refused", reason: "wrong", countAttempt: true };
  return { outcome: "accepted" };
}

/** A uniformly drawn integer in [0, 10^6) as the 6 digits the merchant types. */
export function formatSignInCode(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value >= 10 ** SIGN_IN_CODE.digits)
    throw new RangeError("a sign-in code is drawn from [0, 1000000)");
  return String(value).padStart(SIGN_IN_CODE.digits, "0");
}

/** Whether a typed code has the code's shape (checked before anything is read). */
export function isCodeShaped(code: string): boolean {
  return new RegExp(`^\\d{${SIGN_IN_CODE.digits}}$`).test(code);
}

/** The clock hour (UTC) a code counts against, e.g. "2026-12-04T16". */
export function quotaHourOf(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/**
 * A mobile number as typed on a phone: spaces, dashes and brackets dropped; an 11-digit mainland
 * number ("13800138000", the usual way to type it in China) gets +86. Anything else must already be
 * E.164. Returns undefined when the result is not E.164-shaped.
 */
export function normalizeMobileNumber(typed: string): string | undefined {
  if (typed.length > 40) return undefined;
  const compact = typed.replace(/[\s\-().]/g, "");
  const withCountry = /^1[3-9]\d{9}$/.test(compact) ? `+86${compact}` : compact.replace(/^00/, "+");
  return /^\+[1-9]\d{6,14}$/.test(withCountry) ? withCountry : undefined;
}

/**
 * The key under which a number's sign-in items and its merchant link are stored: a SHA-256, so no
 * number is in a key in clear (the profile itself holds the number; codes are hashed with a secret).
 */
export function phoneHashOf(e164: string): string {
  return createHash("sha256").update(`settlewatch-phone\u0000${e164}`).digest("base64url");
}
