import type { StoredSignInCode } from "../domain/merchant-page/sign-in-code.js";
import type { Payment } from "../domain/payment/payment.js";

/** A signed-in device: bound to one merchant until `expiresAt` (epoch seconds, also the item's TTL). */
export interface MerchantSession {
  merchantId: string;
  createdAt: string;
  expiresAt: number;
}

/**
 * One-time codes, the per-hour quota, sessions and the number → merchant link (DynamoDB in
 * functions/adapters/dynamodb/merchant-page-store.ts). Numbers and session ids only as hashes.
 */
export interface SignInStore {
  merchantForPhone(phoneHash: string): Promise<string | undefined>;
  /** Counts one code against the number's hour; false (nothing counted) when `cap` is reached. */
  takeCodeQuota(input: { phoneHash: string; hour: string; cap: number; expiresAt: number }): Promise<boolean>;
  /** Stores the number's code, replacing an earlier one (its tries start again at 0). */
  putCode(phoneHash: string, code: StoredSignInCode): Promise<void>;
  getCode(phoneHash: string): Promise<StoredSignInCode | undefined>;
  /** Adds one wrong try to the code with this hash, unless it is used or already locked. */
  countWrongTry(phoneHash: string, codeHash: string, maxAttempts: number): Promise<void>;
  /** Marks the code used; false when it was used, replaced or locked meanwhile. */
  useCode(input: {
    phoneHash: string;
    codeHash: string;
    maxAttempts: number;
    usedAt: string;
  }): Promise<boolean>;
  putSession(sessionHash: string, session: MerchantSession): Promise<void>;
  getSession(sessionHash: string): Promise<MerchantSession | undefined>;
  deleteSession(sessionHash: string): Promise<void>;
}

/** The merchant's own payments through the amount index (merchant + trade date partitions). */
export interface MerchantPaymentReader {
  /** Payments of one exact amount confirmed in [from, to] (UTC ISO), over the given trade dates. */
  byAmount(query: {
    merchantId: string;
    tradeDates: readonly string[];
    currency: string;
    amountMinor: number;
    from: string;
    to: string;
    limit: number;
  }): Promise<Payment[]>;
  /** The payments filed under these trade dates (newest date first), at most `limit`. */
  recent(query: { merchantId: string; tradeDates: readonly string[]; limit: number }): Promise<Payment[]>;
  /** The merchant's OVERDUE payments, longest overdue first, at most `limit`, however old. */
  overdue(query: { merchantId: string; limit: number }): Promise<Payment[]>;
}

/** Keyed hashes (HMAC-SHA256 with a deployment secret) and their constant-time comparison. */
export interface SecretHasher {
  keyedHash(purpose: "code", value: string): string;
  /** Plain SHA-256 (for random session ids, which need no key). */
  hash(value: string): string;
  sameHash(a: string, b: string): boolean;
}

/** A cryptographically secure random source. */
export interface RandomSource {
  /** An integer in [0, 1000000), uniformly. */
  signInCodeNumber(): number;
  /** 32 random bytes, base64url. */
  token(): string;
}

/** Waits (the sign-in answer is held to a floor so a known number does not answer slower). */
export type Wait = (milliseconds: number) => Promise<void>;
