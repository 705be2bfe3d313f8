/**
 * No missed, early or late alert, whatever the order of confirmations and checks (issue 14's "must
 * not regress"): fast-check draws when each payment is confirmed (long before its overdue time, or
 * within the lag margin of it, or after it), whether its confirmation reaches a container that has
 * already written its day's due marker, and when the overdue checks run. Through the webhook route
 * and the overdue check on DynamoDB Local, a fresh table per case, table state asserted: each payment
 * is marked OVERDUE by a check, never before its overdue time, at the latest by the first check at
 * or after its entry on the due list comes due (its day's marker, or its own entry a margin after a
 * late arrival), and notified at most once.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { postConfirmations } from "../../functions/http/routes.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, SHANGHAI_MERCHANT, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps } from "../support/ingest-deps.js";
import { tableKeys } from "../support/table-items.js";

const MINUTE = 60_000;
/** The due list's lag margin (DUE_INDEX_LAG_MARGIN_MS): a late confirmation is due this long after it arrives. */
const MARGIN = 15 * MINUTE;
/** Two merchants, both trading on 30 Sep (T+1 → 8 Oct 18:00 Shanghai): overdue 11:00Z and 13:00Z. */
const MERCHANTS = [
  { profile: SHANGHAI_MERCHANT, overdueAt: Date.parse("2026-10-08T11:00:00Z") },
  {
    profile: {
      ...SHANGHAI_MERCHANT,
      merchantId: "m-shanghai-002",
      settlement: { ...SHANGHAI_MERCHANT.settlement, graceMinutes: 180 },
    },
    overdueAt: Date.parse("2026-10-08T13:00:00Z"),
  },
];
const LONG_BEFORE = Date.parse("2026-09-30T08:00:00Z");
const WINDOW_START = Date.parse("2026-10-08T10:00:00Z");
/** After every possible due instant (the last confirmation at 14:00Z is due at 14:15Z). */
const FINAL_CHECK = Date.parse("2026-10-08T16:00:00Z");

const paymentArb = fc.record({
  merchant: fc.integer({ min: 0, max: MERCHANTS.length - 1 }),
  // Received long before (the common case) or at a minute between 10:00Z and 14:00Z on 8 Oct.
  receivedAt: fc.oneof(
    fc.constant(LONG_BEFORE),
    fc.integer({ min: 0, max: 240 }).map((m) => WINDOW_START + m * MINUTE),
  ),
  // A container that has not written this day's marker yet (a cold start), or the warm one.
  coldContainer: fc.boolean(),
});
/** Cases per run; raise it for a deeper search (SETTLEWATCH_PROPERTY_RUNS=200 npx vitest run <this file>). */
const RUNS = Number(process.env.SETTLEWATCH_PROPERTY_RUNS ?? 8);
const checksArb = fc.uniqueArray(fc.integer({ min: 30, max: 300 }), { maxLength: 5 });

describe("the due list on DynamoDB Local, any interleaving of confirmations and checks", () => {
  it(
    "marks each payment OVERDUE at the first check at or after it is due, never before, and notifies it at most once",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(paymentArb, { minLength: 1, maxLength: 6 }),
          checksArb,
          async (payments, minutes) => {
            const table = await createTestTable();
            const checks = [...minutes.map((m) => WINDOW_START + m * MINUTE), FINAL_CHECK].sort(
              (a, b) => a - b,
            );
            await run(table, payments, checks);
            for (const [index, p] of payments.entries()) {
              const { Item } = await table.client.send(
                new GetCommand({
                  TableName: table.tableName,
                  Key: tableKeys.payment(TEST_ACQUIRER, `p-${index}`),
                }),
              );
              const overdueAt = MERCHANTS[p.merchant]?.overdueAt ?? Number.NaN;
              // Never before it is overdue (nor before it exists); at the latest when its entry on the
              // due list comes due: its day's marker, or its own entry a margin after a late arrival.
              const earliest = checks.find((at) => at >= Math.max(overdueAt, p.receivedAt)) ?? Number.NaN;
              const latest =
                checks.find((at) => at >= Math.max(overdueAt, p.receivedAt + MARGIN)) ?? Number.NaN;
              const markedAt = Date.parse(String(Item?.overdueMarkedAt));
              expect(Item?.status, `p-${index}`).toBe("OVERDUE");
              expect(checks, `p-${index} marked by a check`).toContain(markedAt);
              expect(
                markedAt,
                `p-${index} not before ${new Date(earliest).toISOString()}`,
              ).toBeGreaterThanOrEqual(earliest);
              expect(markedAt, `p-${index} not after ${new Date(latest).toISOString()}`).toBeLessThanOrEqual(
                latest,
              );
              expect((Item?.noticeHistory ?? []).length).toBeLessThanOrEqual(1);
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    Math.max(120_000, RUNS * 5_000),
  );
});

/** Confirms and checks in time order (a confirmation before a check at the same minute). */
async function run(
  table: TestTable,
  payments: Array<{ merchant: number; receivedAt: number; coldContainer: boolean }>,
  checks: number[],
): Promise<void> {
  const setup = ingestDeps(table, new Date(LONG_BEFORE)).deps;
  for (const { profile } of MERCHANTS) await setup.merchants.put(merchantProfileSchema.parse(profile));
  let now = LONG_BEFORE;
  const warm = { ...setup, clock: { now: () => new Date(now) } };
  const clock = new TestClock(new Date(LONG_BEFORE));
  const wiring = checkDeps(table, clock);
  const events = [
    ...payments.map((p, index) => ({ at: p.receivedAt, order: 0, act: () => confirm(index, p) })),
    ...checks.map((at) => ({ at, order: 1, act: () => check(at) })),
  ].sort((a, b) => a.at - b.at || a.order - b.order);

  async function confirm(index: number, p: (typeof payments)[number]) {
    now = p.receivedAt;
    const deps = p.coldContainer ? ingestDeps(table, new Date(now)).deps : warm;
    const merchantId = MERCHANTS[p.merchant]?.profile.merchantId;
    const body = JSON.stringify({
      confirmations: [confirmation({ paymentId: `p-${index}`, merchantId, amountMinor: 1000 + index })],
    });
    const headers = { "settlewatch-signature": signed(body, new Date(now)) };
    const response = await postConfirmations(
      { method: "POST", path: "/v1/confirmations", headers, body },
      deps,
    );
    expect(response.statusCode).toBeLessThan(300);
  }
  async function check(at: number) {
    clock.set(new Date(at).toISOString());
    await runOverdueCheck(wiring.check);
    await wiring.drain();
  }
  for (const event of events) await event.act();
}
