/** Why an SMS provider did not take a text. The notifier releases the notice in every case. */
export type SmsFailureKind =
  /** The provider throttles (per number or per account): retried with backoff, then by the queue. */
  | "throttled"
  /** Credentials missing, unreadable or refused: nothing can be sent until ops fix the secret. */
  | "credentials"
  /** The provider refused this text (unregistered template, bad number, blocked content). */
  | "rejected"
  /** No answer in time: the text may or may not have gone out (see "Never twice" in the README). */
  | "timeout"
  /** Anything else (network, 5xx). */
  | "failed";

export interface SmsProviderFailure {
  provider: string;
  kind: SmsFailureKind;
  /** The provider's own code (e.g. isv.BUSINESS_LIMIT_CONTROL, LimitExceeded.PhoneNumberDailyLimit). */
  code: string;
  message: string;
}

export class SmsProviderError extends Error {
  override name = "SmsProviderError";
  readonly provider: string;
  readonly kind: SmsFailureKind;
  readonly code: string;

  constructor({ provider, kind, code, message }: SmsProviderFailure) {
    super(`${provider} SMS ${kind}: ${code}: ${message}`);
    this.provider = provider;
    this.kind = kind;
    this.code = code;
  }
}
