import { createHmac, timingSafeEqual } from "node:crypto";

/** Header that carries the signature, Stripe style: `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`. */
export const SIGNATURE_HEADER = "settlewatch-signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch"; message: string };

export interface ParsedSignatureHeader {
  timestamp: number;
  signatures: string[];
}

/** Splits the header into its timestamp and v1 signatures; unknown schemes are ignored for forward compatibility. */
export function parseSignatureHeader(header: string): ParsedSignatureHeader | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (!/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-f]{64}$/i.test(value)) return undefined;
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

/** HMAC-SHA256(secret, `${timestamp}.${rawBody}`) in lower-case hex. */
export function computeSignature(secret: string, timestamp: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody, "utf8").digest("hex");
}

/** Builds the header value a sender puts on a request (used by the CLI, tests and benchmarks). */
export function signatureHeader(secret: string, timestamp: number, rawBody: string): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, rawBody)}`;
}

/**
 * Checks a webhook signature against every current secret of the acquirer (several during a
 * rotation) and every v1 value in the header, in constant time per comparison.
 */
export function verifyWebhookSignature(input: {
  header: string | undefined;
  rawBody: string;
  secrets: readonly string[];
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  if (!input.header) {
    return { ok: false, reason: "missing", message: "missing Settlewatch-Signature header" };
  }
  const parsed = parseSignatureHeader(input.header);
  if (!parsed) {
    return {
      ok: false,
      reason: "malformed",
      message: "malformed Settlewatch-Signature header: expected t=<unix seconds>,v1=<64 hex chars>",
    };
  }
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - parsed.timestamp) > tolerance) {
    return {
      ok: false,
      reason: "stale",
      message: `signature timestamp is outside the ${tolerance} s tolerance (possible replay)`,
    };
  }
  let matched = false;
  for (const secret of input.secrets) {
    const expected = Buffer.from(computeSignature(secret, parsed.timestamp, input.rawBody), "hex");
    for (const candidate of parsed.signatures) {
      // Keep comparing after a match so timing does not reveal which secret or value matched.
      if (timingSafeEqual(expected, Buffer.from(candidate, "hex"))) matched = true;
    }
  }
  return matched ? { ok: true } : { ok: false, reason: "mismatch", message: "signature does not match" };
}
