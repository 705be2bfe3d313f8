import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { RandomSource, SecretHasher } from "../../use-cases/merchant-page-ports.js";

/** HMAC-SHA256 under a deployment secret: a stolen table does not give numbers or codes back. */
export class HmacSecretHasher implements SecretHasher {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new RangeError("the sign-in secret must be at least 32 characters");
    this.key = Buffer.from(secret, "utf8");
  }

  keyedHash(purpose: "code", value: string): string {
    return createHmac("sha256", this.key).update(`${purpose}\u0000${value}`).digest("base64url");
  }

  hash(value: string): string {
    return createHash("sha256").update(value).digest("base64url");
  }

  /** Constant time for equal lengths (every hash here is 43 characters). */
  sameHash(a: string, b: string): boolean {
    const left = Buffer.from(a, "utf8");
    const right = Buffer.from(b, "utf8");
    return left.length === right.length && timingSafeEqual(left, right);
  }
}

/** Node's CSPRNG: randomInt draws without modulo bias. */
export const cryptoRandom: RandomSource = {
  signInCodeNumber: () => randomInt(0, 1_000_000),
  token: () => randomBytes(32).toString("base64url"),
};

/** A fresh secret (32 random bytes, base64url) for a deployment or a local data folder. */
export function newSignInSecret(): string {
  return randomBytes(32).toString("base64url");
}
