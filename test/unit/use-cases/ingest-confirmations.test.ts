import { beforeEach, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../../functions/domain/merchant/merchant-profile.js";
import { InvalidRequestError, UnauthorizedError } from "../../../functions/use-cases/errors.js";
import { ingestConfirmations } from "../../../functions/use-cases/ingest-confirmations.js";
import {
  confirmation,
  ROTATED_SECRET,
  SHANGHAI_MERCHANT,
  signed,
  TEST_ACQUIRER,
} from "../../support/confirmations.js";
import { fakeIngestDeps } from "../../support/fakes/fake-deps.js";

// The ingest decisions on in-memory ports (held to the DynamoDB adapters by the port contract
// suite); the same requests on DynamoDB Local are in test/integration/ingest-confirmations.test.ts.
const now = new Date("2026-09-30T08:00:00Z");

describe("ingest confirmations: what is decided for each item (in-memory ports)", () => {
  let wiring: ReturnType<typeof fakeIngestDeps>;
  const send = (payload: unknown, options: { secret?: string; at?: Date } = {}) => {
    const rawBody = JSON.stringify(payload);
    return ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, options.at ?? now, options.secret) },
      wiring.deps,
    );
  };

  beforeEach(async () => {
    wiring = fakeIngestDeps(now);
    await wiring.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
  });

  it("accepts a payment of a registered merchant as PENDING with its expected arrival", async () => {
    const { results, batch } = await send(confirmation({ paymentId: "p-1" }));
    expect(batch).toBe(false);
    expect(results).toEqual([
      expect.objectContaining({ status: "accepted", paymentStatus: "PENDING", merchantRegistered: true }),
    ]);
    const stored = await wiring.payments.get(TEST_ACQUIRER, "p-1");
    // 30 Sep 2026 15:00 Shanghai, T+1: 1–7 Oct is National Day, due 8 Oct 18:00 (10:00 UTC), grace 60 min.
    expect(stored?.arrival).toMatchObject({
      expectedBy: "2026-10-08T10:00:00.000Z",
      overdueAt: "2026-10-08T11:00:00.000Z",
    });
    expect(stored).toMatchObject({ status: "PENDING", amountMinor: 12850, receivedAt: now.toISOString() });
    expect(wiring.metrics.get("ConfirmationsAccepted")).toBe(1);
  });

  it("answers a re-send with the same content as a duplicate, other content as a conflict; the stored one stays", async () => {
    await send(confirmation({ paymentId: "p-2" }));
    const before = await wiring.payments.get(TEST_ACQUIRER, "p-2");
    const again = await send(confirmation({ paymentId: "p-2", confirmedAt: "2026-09-30T07:00:00Z" }));
    expect(again.results[0]).toMatchObject({ status: "duplicate", expectedBy: before?.arrival?.expectedBy });
    const changed = await send(confirmation({ paymentId: "p-2", amountMinor: 99 }));
    expect(changed.results[0]).toMatchObject({ status: "conflict", paymentId: "p-2" });
    expect(await wiring.payments.get(TEST_ACQUIRER, "p-2")).toEqual(before);
    expect(wiring.metrics.get("ConfirmationsDuplicate")).toBe(1);
    expect(wiring.metrics.get("ConfirmationsConflict")).toBe(1);
  });

  it("stores a payment of an unknown merchant on the default terms, marked unregistered", async () => {
    const { results } = await send(confirmation({ paymentId: "p-3", merchantId: "m-nobody" }));
    expect(results[0]).toMatchObject({ status: "accepted", merchantRegistered: false });
    expect(results[0]?.status === "accepted" && results[0].explanation).toMatch(
      /merchant m-nobody has no profile: deployment default terms used/,
    );
    expect((await wiring.payments.get(TEST_ACQUIRER, "p-3"))?.merchantRegistered).toBe(false);
    expect(wiring.metrics.get("UnregisteredMerchantConfirmations")).toBe(1);
  });

  it("decides each item of a batch on its own: a bad item is rejected, the others are stored", async () => {
    const { results, batch } = await send({
      confirmations: [
        confirmation({ paymentId: "b-1" }),
        confirmation({ paymentId: "b-2", amountMinor: 1.5 }),
        confirmation({ paymentId: "b-3", currency: "XXQ" }),
        confirmation({ paymentId: "b-4" }),
      ],
    });
    expect(batch).toBe(true);
    expect(results.map((r) => r.status)).toEqual(["accepted", "rejected", "rejected", "accepted"]);
    expect(results[1]).toMatchObject({ errors: [expect.objectContaining({ field: "amountMinor" })] });
    expect(results[2]).toMatchObject({ errors: [expect.objectContaining({ field: "currency" })] });
    expect(await wiring.payments.get(TEST_ACQUIRER, "b-2")).toBeUndefined();
    expect(await wiring.payments.get(TEST_ACQUIRER, "b-3")).toBeUndefined();
    expect(await wiring.payments.get(TEST_ACQUIRER, "b-4")).toBeDefined();
    expect(wiring.metrics.get("ConfirmationsRejected")).toBe(2);
  });

  it("accepts the rotated secret and refuses a wrong one before reading any item", async () => {
    expect(
      (await send(confirmation({ paymentId: "p-rot" }), { secret: ROTATED_SECRET })).results[0],
    ).toMatchObject({
      status: "accepted",
    });
    await expect(send(confirmation({ paymentId: "p-bad" }), { secret: "whsec_wrong" })).rejects.toThrow(
      UnauthorizedError,
    );
    expect(await wiring.payments.get(TEST_ACQUIRER, "p-bad")).toBeUndefined();
    expect(wiring.metrics.get("RequestsRejected")).toBe(1);
  });

  it("refuses a request that names two acquirers, storing nothing", async () => {
    const body = {
      confirmations: [confirmation({ paymentId: "x-1" }), confirmation({ acquirer: "other-pay" })],
    };
    await expect(send(body)).rejects.toThrow(InvalidRequestError);
    expect(await wiring.payments.get(TEST_ACQUIRER, "x-1")).toBeUndefined();
  });

  const reversal = (paymentId: string, originalPaymentId: string, overrides: Record<string, unknown> = {}) =>
    confirmation({ paymentId, kind: "reversal", originalPaymentId, orderId: undefined, ...overrides });

  it("a reversal closes its original; the same reversal again is a replay that changes nothing", async () => {
    await send(confirmation({ paymentId: "p-rev" }));
    const voided = await send(reversal("v-1", "p-rev"));
    expect(voided.results[0]).toMatchObject({
      status: "accepted",
      reversals: [
        { reversalId: "v-1", originalPaymentId: "p-rev", outcome: "applied", reasonCode: "reversed" },
      ],
    });
    const reversed = await wiring.payments.get(TEST_ACQUIRER, "p-rev");
    expect(reversed).toMatchObject({ status: "REVERSED", reversalIds: ["v-1"] });
    const replay = await send(reversal("v-1", "p-rev"));
    expect(replay.results[0]).toMatchObject({ status: "duplicate", reversals: [{ reasonCode: "replay" }] });
    expect(await wiring.payments.get(TEST_ACQUIRER, "p-rev")).toEqual(reversed);
  });

  it("a reversal that comes before its original waits, and closes the original when it arrives", async () => {
    const early = await send(reversal("v-2", "p-late"));
    expect(early.results[0]).toMatchObject({
      status: "accepted",
      reversals: [{ reversalId: "v-2", outcome: "waiting", reasonCode: "awaiting-original" }],
    });
    expect(await wiring.payments.get(TEST_ACQUIRER, "p-late")).toBeUndefined();
    const original = await send(confirmation({ paymentId: "p-late" }));
    expect(original.results[0]).toMatchObject({
      status: "accepted",
      paymentStatus: "REVERSED",
      reversals: [{ reversalId: "v-2", outcome: "applied", reasonCode: "reversed" }],
    });
    expect(await wiring.payments.get(TEST_ACQUIRER, "p-late")).toMatchObject({
      status: "REVERSED",
      reversalIds: ["v-2"],
    });
  });

  it("a partial reversal lowers the amount still expected; more than is left is refused", async () => {
    await send(confirmation({ paymentId: "p-part", amountMinor: 12850 }));
    const partial = await send(reversal("v-3", "p-part", { amountMinor: 2850 }));
    expect(partial.results[0]).toMatchObject({
      reversals: [{ outcome: "applied", reasonCode: "reversed-partial" }],
    });
    expect(await wiring.payments.get(TEST_ACQUIRER, "p-part")).toMatchObject({
      status: "PENDING",
      amountMinor: 10000,
      reversedMinor: 2850,
    });
    const tooMuch = await send(reversal("v-4", "p-part", { amountMinor: 10001 }));
    expect(tooMuch.results[0]).toMatchObject({ reversals: [{ outcome: "refused", reasonCode: "amount" }] });
    expect((await wiring.payments.get(TEST_ACQUIRER, "p-part"))?.amountMinor).toBe(10000);
  });
});
