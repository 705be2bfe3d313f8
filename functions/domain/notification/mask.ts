import type { MerchantChannel } from "./channels.js";
import callingCodesData from "./data/calling-codes.json" with { type: "json" };

/** Country calling codes (generated data): prefix-free, so at most one starts a number. */
const CALLING_CODES: readonly string[] = callingCodesData.codes;

// Contact details never appear whole in logs, metrics, CLI or simulate output: only enough to
// tell a merchant's own numbers apart ("the one ending 8000").

/**
 * Masks an E.164 phone number: the country code stays, then the first 3 and last 4 digits of the
 * national number, each digit between them a "*" — but at least 4 digits are always hidden, so
 * short national numbers show less at the front (and, below 8 digits, less at the end too).
 *
 * @example maskPhone("+8613800138000") → "+86138****8000"
 * @example maskPhone("+12125550123") → "+121****0123"
 * @example maskPhone("+85291234567") → "+852****4567"
 * Text that is not a phone number keeps only its last 2 characters: "*******12".
 */
export function maskPhone(phone: string): string {
  const digits = /^\+(\d{7,15})$/.exec(phone)?.[1];
  const countryCallingCode = digits ? CALLING_CODES.find((code) => digits.startsWith(code)) : undefined;
  if (!digits || !countryCallingCode) return maskAllBut(phone, 2);
  const national = digits.slice(countryCallingCode.length);
  const hidden = Math.max(4, national.length - 7);
  const tail = Math.max(0, Math.min(4, national.length - hidden));
  const head = Math.max(0, Math.min(3, national.length - hidden - tail));
  return `+${countryCallingCode}${national.slice(0, head)}${"*".repeat(national.length - head - tail)}${national.slice(national.length - tail)}`;
}

/**
 * Masks an email address: the first character of the local part, then a fixed "***" (so the
 * length is not revealed), then the domain as is. A one-character local part shows nothing.
 *
 * @example maskEmail("owner@example.com") → "o***@example.com"
 * Text without a usable "@" becomes "***".
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) return "***";
  const local = email.slice(0, at);
  const first = local.length >= 2 ? [...local][0] : "";
  return `${first}***${email.slice(at)}`;
}

/** Masks an address for its channel. */
export function maskAddress(channel: MerchantChannel, address: string): string {
  return channel === "sms" ? maskPhone(address) : maskEmail(address);
}

function maskAllBut(text: string, visible: number): string {
  const characters = [...text];
  const keep = Math.min(visible, Math.floor(characters.length / 2));
  return "*".repeat(characters.length - keep) + characters.slice(characters.length - keep).join("");
}
