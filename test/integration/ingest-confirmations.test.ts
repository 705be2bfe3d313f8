import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { AMOUNT_INDEX, DUE_INDEX } from "../../functions/shared/table-schema.js";
import {
  InvalidJsonError,
  InvalidRequestError,
  PayloadTooLargeError,
  UnauthorizedError,
} from "../../functions/use-cases/errors.js";
import { ingestConfirmations, MAX_BODY_BYTES } from "../../functions/use-cases/ingest-confirmations.js";
import { confirmation, ROTATED_SECRET, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { dueMarkerKey, tableKeys } from "../support/table-items.js";

const now = new Date("2026-09-30T08:00:00Z");
const M = "m-shanghai-001";

describe("ingest confirmations on DynamoDB Local", () => {
  let table: TestTable;
  let wiring: ReturnType<typeof ingestDeps>;

  const send = (payload: unknown, options: { secret?: string; at?: Date; raw?: string } = {}) => {
    const rawBody = options.raw ?? JSON.stringify(payload);
    return ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, options.at ?? now, options.secret) },
      wiring.deps,
    );
  };
  const itemCount = async () =>
    (await wiring.db.send(new ScanCommand({ TableName: table.tableName, Select: "COUNT" }))).Count ?? 0;

  beforeAll(async () => {
    table = await createTestTable();
    wiring = ingestDeps(table, now);
    await wiring.deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
  });

  it("accepts a payment, stores it PENDING with its expected arrival and files it on the due list by its day's due marker", async () => {
    const { results, batch } = await send(confirmation({ paymentId: "p-accept" }));
    expect(batch).toBe(false);
    const [result] = results;
    expect(result).toMatchObject({ status: "accepted", paymentStatus: "PENDING", merchantRegistered: true });
    if (result?.status !== "accepted") throw new Error("unreachable");
    // 30 Sep 2026 15:00 Shanghai, before the 23:00 cutoff; T+1 skips the National Day holiday.
    expect(result.expectedBy).toMatch(/^2026-10-\d\dT10:00:00\.000Z$/);
    expect((result.expectedBy ?? "") > "2026-10-07").toBe(true);
    expect(Date.parse(result.overdueAt ?? "") - Date.parse(result.expectedBy ?? "")).toBe(60 * 60_000);
    expect(result.explanation).toMatch(/T\+1/);

    const { Item } = await wiring.db.send(
      new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, "p-accept") }),
    );
    expect(Item).toMatchObject({ status: "PENDING", amountMinor: 12850, expectedBy: result.expectedBy });
    // No due entry of its own (issue 14): its merchant day's marker stands for it on the due list.
    expect(Item?.[DUE_INDEX.partitionKey]).toBeUndefined();
    expect(Item?.[AMOUNT_INDEX.partitionKey]).toBe(tableKeys.amountLookup(M, "2026-09-30"));
    const markerKey = dueMarkerKey("2026-09-30", M, String(result.overdueAt));
    const marker = (await wiring.db.send(new GetCommand({ TableName: table.tableName, Key: markerKey })))
      .Item;
    expect(marker).toMatchObject({ entity: "due-marker", merchantId: M, overdueAt: result.overdueAt });
    // In its due shard's marker partition, sorted at its instant, on no index (one write unit).
    expect(markerKey.sk.startsWith(`${result.overdueAt}#`)).toBe(true);
    expect(Object.keys(marker ?? {}).filter((name) => name.startsWith("gsi"))).toEqual([]);
  });

  it("answers duplicate for the same content (even with another offset) and changes nothing", async () => {
    await send(confirmation({ paymentId: "p-dup" }));
    const before = await wiring.deps.payments.get(TEST_ACQUIRER, "p-dup");
    const { results } = await send(confirmation({ paymentId: "p-dup", confirmedAt: "2026-09-30T07:00:00Z" }));
    expect(results[0]).toMatchObject({ status: "duplicate", expectedBy: before?.arrival?.expectedBy });
    expect(await wiring.deps.payments.get(TEST_ACQUIRER, "p-dup")).toEqual(before);
    expect(wiring.metrics.get("ConfirmationsDuplicate")).toBe(1);
  });

  it("answers conflict for different content under the same paymentId and keeps the stored one", async () => {
    await send(confirmation({ paymentId: "p-conflict" }));
    const before = await wiring.deps.payments.get(TEST_ACQUIRER, "p-conflict");
    const { results } = await send(confirmation({ paymentId: "p-conflict", amountMinor: 99999 }));
    expect(results[0]).toMatchObject({ status: "conflict", paymentId: "p-conflict" });
    expect(await wiring.deps.payments.get(TEST_ACQUIRER, "p-conflict")).toEqual(before);
    expect(before?.amountMinor).toBe(12850);
  });

  it("accepts the good items of a batch and reports each bad one by index and field", async () => {
    const { batch, results } = await send({
      confirmations: [
        confirmation({ paymentId: "b-1" }),
        confirmation({ paymentId: "b-2", amountMinor: -1 }),
        confirmation({ paymentId: "b-3", currency: "ZZZ" }),
        confirmation({ paymentId: "b-4", amountMinor: 1.5 }),
        confirmation({ paymentId: "b-5" }),
      ],
    });
    expect(batch).toBe(true);
    expect(results.map((result) => [result.index, result.status])).toEqual([
      [0, "accepted"],
      [1, "rejected"],
      [2, "rejected"],
      [3, "rejected"],
      [4, "accepted"],
    ]);
    expect(results[1]).toMatchObject({ paymentId: "b-2", errors: [{ field: "amountMinor" }] });
    expect(results[2]).toMatchObject({ errors: [{ field: "currency" }] });
    expect(await wiring.deps.payments.get(TEST_ACQUIRER, "b-2")).toBeUndefined();
    expect(await wiring.deps.payments.get(TEST_ACQUIRER, "b-5")).toBeDefined();
  });

  it("keeps a confirmation for an unregistered merchant with the default terms, flagged", async () => {
    const { results } = await send(confirmation({ paymentId: "p-unknown-merchant", merchantId: "m-nobody" }));
    expect(results[0]).toMatchObject({ status: "accepted", merchantRegistered: false });
    if (results[0]?.status !== "accepted") throw new Error("unreachable");
    expect(results[0].explanation).toContain("m-nobody has no profile");
    expect(wiring.metrics.get("UnregisteredMerchantConfirmations")).toBeGreaterThanOrEqual(1);
  });

  it("records refunds and reversals without an expected arrival and outside the due index", async () => {
    const { results } = await send(
      confirmation({ paymentId: "r-1", kind: "refund", originalPaymentId: "p-accept" }),
    );
    expect(results[0]).toMatchObject({ status: "accepted", paymentStatus: "RECORDED", expectedBy: null });
    const { Item } = await wiring.db.send(
      new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, "r-1") }),
    );
    expect(Item?.[DUE_INDEX.partitionKey]).toBeUndefined();
  });

  it("accepts a signature made with the previous secret during a rotation", async () => {
    const { results } = await send(confirmation({ paymentId: "p-rotated" }), { secret: ROTATED_SECRET });
    expect(results[0]?.status).toBe("accepted");
  });

  it("refuses bad requests as a whole and writes nothing", async () => {
    const before = await itemCount();
    const attempts: Array<[Promise<unknown>, new (...args: never[]) => Error]> = [
      [send(undefined, { raw: "{not json" }), InvalidJsonError],
      [
        send(confirmation({ paymentId: "p-bad-sig" }), { secret: "whsec_wrong_secret_0000000" }),
        UnauthorizedError,
      ],
      [
        send(confirmation({ paymentId: "p-stale" }), { at: new Date(now.getTime() - 301_000) }),
        UnauthorizedError,
      ],
      [send(confirmation({ acquirer: "other-acq" })), UnauthorizedError],
      [send([confirmation()]), InvalidRequestError],
      [send({ confirmations: [] }), InvalidRequestError],
      [
        send({ confirmations: Array.from({ length: 501 }, (_, i) => confirmation({ paymentId: `x${i}` })) }),
        InvalidRequestError,
      ],
      [
        send({ confirmations: [confirmation(), confirmation({ acquirer: "other-acq" })] }),
        InvalidRequestError,
      ],
      [
        send(undefined, { raw: JSON.stringify(confirmation({ orderId: "x".repeat(MAX_BODY_BYTES) })) }),
        PayloadTooLargeError,
      ],
    ];
    for (const [attempt, type] of attempts) await expect(attempt).rejects.toBeInstanceOf(type);
    const unsigned = ingestConfirmations(
      { rawBody: JSON.stringify(confirmation()), signatureHeader: undefined },
      wiring.deps,
    );
    await expect(unsigned).rejects.toThrow("missing Settlewatch-Signature header");
    expect(await itemCount()).toBe(before);
  });

  it("handles a full batch of 500 in one request", async () => {
    const confirmations = Array.from({ length: 500 }, (_, i) => confirmation({ paymentId: `full-${i}` }));
    const { results } = await send({ confirmations });
    expect(results.filter((result) => result.status === "accepted")).toHaveLength(500);
  });
});
