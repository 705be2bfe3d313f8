import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LocalMonitor } from "../../local/monitor.js";
import { confirmation, TEST_ACQUIRER } from "../support/confirmations.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { monitorHttp, startTestMonitor } from "../support/monitor-http.js";

// Input that real clients send, through the local HTTP API on DynamoDB Local: each is refused with
// the field named, and the table holds exactly what the answer says was stored.

describe("hostile and impossible input (local monitor over HTTP)", () => {
  let monitor: LocalMonitor;

  const { http, postSigned } = monitorHttp(() => monitor.url);
  const stored = async (paymentId: string) =>
    (await http("GET", `/v1/payments/${TEST_ACQUIRER}/${encodeURIComponent(paymentId)}`)).status;

  beforeAll(async () => {
    monitor = await startTestMonitor({
      tablePrefix: "hostile",
      dynamoDbEndpoint: inject("dynamoDbEndpoint"),
    });
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
  it.each([
    ["30 February", "2026-02-30T10:00:00+08:00", /not a real/],
    ["31 April", "2026-04-31T10:00:00+08:00", /not a real/],
    ["24:00", "2026-04-30T24:00:00+08:00", /not a real/],
    ["year 0001 (unset clock)", "0001-01-01T00:00:00Z", /before 2000-01-01/],
    ["1970 (epoch zero)", "1970-01-01T00:00:00Z", /before 2000-01-01/],
    ["two days ahead", inTwoDays, /in the future/],
  ])(
    "a batch whose middle item has confirmedAt %s: the other two are stored, it is rejected naming confirmedAt",
    async (_, confirmedAt, message) => {
      const id = (n: number) => `hostile-${confirmedAt}-${n}`;
      const answer = await postSigned({
        confirmations: [
          confirmation({ paymentId: id(1) }),
          confirmation({ paymentId: id(2), confirmedAt }),
          confirmation({ paymentId: id(3) }),
        ],
      });
      expect(answer.status).toBe(200);
      expect(answer.body.counts).toEqual({ accepted: 2, duplicate: 0, conflict: 0, rejected: 1 });
      const rejected = (answer.body.results as Array<Record<string, unknown>>)[1];
      expect(rejected).toMatchObject({ status: "rejected", index: 1, paymentId: id(2) });
      expect(rejected?.errors).toEqual([{ field: "confirmedAt", message: expect.stringMatching(message) }]);
      expect([await stored(id(1)), await stored(id(2)), await stored(id(3))]).toEqual([200, 404, 200]);
      // Sent again (the acquirer retries): the stored two are duplicates, the bad one still refused.
      const again = await postSigned({
        confirmations: [
          confirmation({ paymentId: id(1) }),
          confirmation({ paymentId: id(2), confirmedAt }),
          confirmation({ paymentId: id(3) }),
        ],
      });
      expect(again.body.counts).toEqual({ accepted: 0, duplicate: 2, conflict: 0, rejected: 1 });
    },
  );

  it("refuses an amount beyond the currency's bound (422 naming amountMinor) and stores nothing", async () => {
    for (const [paymentId, amountMinor] of [
      ["hostile-max-safe", Number.MAX_SAFE_INTEGER],
      ["hostile-bound-plus-1", 1_000_000_000_001],
    ] as const) {
      const answer = await postSigned(confirmation({ paymentId, amountMinor }));
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toEqual([
        { field: "amountMinor", message: "is larger than the CNY limit of 1000000000000 minor units" },
      ]);
      expect(await stored(paymentId)).toBe(404);
    }
    expect((await postSigned(confirmation({ paymentId: "hostile-bound", amountMinor: 1e12 }))).status).toBe(
      201,
    );
  });

  it("refuses a phone number of the right length that no carrier issues (422 naming contact.phone)", async () => {
    for (const phone of ["+8610000000000", "+8612345678901", "+861012345678"]) {
      const body = JSON.stringify({
        ...SHANGHAI_MERCHANT,
        merchantId: "m-hostile",
        contact: { phone, channels: ["sms"] },
      });
      const answer = await http("PUT", "/v1/merchants/m-hostile", body);
      expect([phone, answer.status]).toEqual([phone, 422]);
      expect((answer.body.errors as Array<{ field: string }>).map((error) => error.field)).toEqual([
        "contact.phone",
      ]);
      expect((await http("GET", "/v1/merchants/m-hostile")).status).toBe(404);
    }
  });

  it("refuses an impossible or implausible file day and check instant (400 naming the field)", async () => {
    for (const fileDay of ["2026-13-45", "2026-02-30", "0001-01-01", "2099-01-01"]) {
      const response = await fetch(
        `${monitor.url}/v1/settlement-files?acquirer=${TEST_ACQUIRER}&fileDay=${fileDay}`,
        {
          method: "POST",
          body: "reference,gross\n",
        },
      );
      const answer = (await response.json()) as { error: string };
      expect([fileDay, response.status]).toEqual([fileDay, 400]);
      expect(answer.error).toMatch(/^fileDay: /);
    }
    for (const asOf of ["0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2099-01-01T00:00:00Z"]) {
      const answer = await http("POST", "/local/check", JSON.stringify({ asOf }));
      expect([asOf, answer.status]).toEqual([asOf, 400]);
      expect(answer.body.errors).toEqual([{ field: "asOf", message: expect.any(String) }]);
    }
  });
});
