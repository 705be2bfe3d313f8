import { describe, expect, it } from "vitest";
import {
  computeSignature,
  parseSignatureHeader,
  signatureHeader,
  verifyWebhookSignature,
} from "../../../functions/domain/confirmation/webhook-signature.js";

const secret = "whsec_unit_test_secret_1234";
const body = '{"acquirer":"acme-pay","paymentId":"p1"}';
const now = 1_790_000_000;

describe("webhook signature (Stripe style)", () => {
  it('computes HMAC-SHA256 over "<t>.<raw body>" in hex', () => {
    // Reference value computed independently with:
    // printf '%s' '1790000000.{"acquirer":"acme-pay","paymentId":"p1"}' | openssl dgst -sha256 -hmac whsec_unit_test_secret_1234
    expect(computeSignature(secret, now, body)).toBe(
      "bb3caf5cbcc461a0cfca017cc5fd68fcf76c169c0a4a5f95eb4645c4ebb6c422",
    );
    expect(computeSignature(secret, now + 1, body)).not.toBe(computeSignature(secret, now, body));
  });

  it("accepts a correct signature", () => {
    const header = signatureHeader(secret, now, body);
    expect(verifyWebhookSignature({ header, rawBody: body, secrets: [secret], nowSeconds: now })).toEqual({
      ok: true,
    });
  });

  it("accepts any of several v1 values and any of several secrets during a rotation", () => {
    const old = "whsec_old_secret_000000000";
    const header = `t=${now},v1=${"0".repeat(64)},v1=${computeSignature(old, now, body)}`;
    expect(
      verifyWebhookSignature({ header, rawBody: body, secrets: [secret, old], nowSeconds: now }).ok,
    ).toBe(true);
    expect(verifyWebhookSignature({ header, rawBody: body, secrets: [secret], nowSeconds: now }).ok).toBe(
      false,
    );
  });

  it.each([
    [undefined, "missing"],
    ["", "missing"],
    ["v1=abc", "malformed"],
    [`t=${now}`, "malformed"],
    [`t=abc,v1=${"a".repeat(64)}`, "malformed"],
    [`t=${now},v1=${"a".repeat(63)}`, "malformed"],
  ])("refuses header %j as %s", (header, reason) => {
    const result = verifyWebhookSignature({ header, rawBody: body, secrets: [secret], nowSeconds: now });
    expect(result).toMatchObject({ ok: false, reason });
  });

  it("refuses a timestamp outside the 300 s tolerance (replay), in both directions", () => {
    for (const t of [now - 301, now + 301]) {
      const header = signatureHeader(secret, t, body);
      expect(
        verifyWebhookSignature({ header, rawBody: body, secrets: [secret], nowSeconds: now }),
      ).toMatchObject({
        ok: false,
        reason: "stale",
      });
    }
    const edge = signatureHeader(secret, now - 300, body);
    expect(
      verifyWebhookSignature({ header: edge, rawBody: body, secrets: [secret], nowSeconds: now }).ok,
    ).toBe(true);
  });

  it("refuses a tampered body, a wrong secret and an acquirer with no secrets", () => {
    const header = signatureHeader(secret, now, body);
    const tampered = body.replace("p1", "p2");
    expect(
      verifyWebhookSignature({ header, rawBody: tampered, secrets: [secret], nowSeconds: now }),
    ).toMatchObject({
      reason: "mismatch",
    });
    expect(
      verifyWebhookSignature({
        header,
        rawBody: body,
        secrets: ["whsec_other_secret_00000"],
        nowSeconds: now,
      }),
    ).toMatchObject({ reason: "mismatch" });
    expect(verifyWebhookSignature({ header, rawBody: body, secrets: [], nowSeconds: now })).toMatchObject({
      reason: "mismatch",
    });
  });

  it("parses upper-case hex and ignores unknown schemes", () => {
    const sig = computeSignature(secret, now, body);
    expect(parseSignatureHeader(`t=${now},v0=zzz,v1=${sig.toUpperCase()}`)).toEqual({
      timestamp: now,
      signatures: [sig],
    });
  });
});
