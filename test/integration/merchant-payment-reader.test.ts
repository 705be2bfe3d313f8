import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbMerchantPaymentReader } from "../../functions/adapters/dynamodb/merchant-payment-reader.js";
import { toItem } from "../../functions/adapters/dynamodb/payment-repository.js";
import { recentTradeDates, tradeDatesAround } from "../../functions/domain/merchant-page/lookup.js";
import type { Payment } from "../../functions/domain/payment/payment.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";

// The merchant page's reads are O(results): on DynamoDB Local, with a merchant's history of 5 days
// and 600 payments (and another merchant's), every index entry a read touches is one it returns.
// Payments stored OVERDUE carry the merchant-open keys (toItem), as markOverdue sets them.

const DAYS = ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"];

function payment(i: number, merchantId: string): Payment {
  const day = DAYS[i % DAYS.length] as string;
  const confirmedAtUtc = `${day}T${String(1 + (i % 20)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00.000Z`;
  return {
    acquirer: "acme-pay",
    paymentId: `${merchantId}-pay-${i}`,
    merchantId,
    kind: "payment",
    amountMinor: 1000 + (i % 7) * 100,
    currency: i % 11 === 0 ? "HKD" : "CNY",
    confirmedAt: confirmedAtUtc,
    confirmedAtUtc,
    status: i % 50 === 7 ? "OVERDUE" : i % 3 === 0 ? "SETTLED" : "PENDING",
    merchantRegistered: true,
    arrival: {
      tradeDate: day,
      dueDate: day,
      expectedBy: confirmedAtUtc,
      overdueAt: confirmedAtUtc,
      explanation: "test",
      calendarCoverage: "covered",
    },
    fingerprint: "test",
    receivedAt: confirmedAtUtc,
  };
}

describe("merchant page reads on the amount index (DynamoDB Local)", () => {
  let table: TestTable;
  let scanned = 0;
  let reader: DynamoDbMerchantPaymentReader;
  const all = [
    ...Array.from({ length: 600 }, (_, i) => payment(i, "m-1")),
    ...Array.from({ length: 200 }, (_, i) => payment(i, "m-2")),
  ];

  beforeAll(async () => {
    table = await createTestTable();
    const db = documentClient(table.client);
    for (let start = 0; start < all.length; start += 25) {
      const requests = all.slice(start, start + 25).map((p) => ({ PutRequest: { Item: toItem(p, 16) } }));
      await db.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }));
    }
    // Counts every index entry a Query reads (ScannedCount), before any filter.
    db.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { ScannedCount?: number } | undefined;
        scanned += output?.ScannedCount ?? 0;
        return result;
      },
      { step: "initialize", name: "countScanned" },
    );
    reader = new DynamoDbMerchantPaymentReader(db, table.tableName);
  });
  afterAll(() => table?.client.destroy());

  it("a lookup reads exactly the payments of that amount, currency and window", async () => {
    const from = "2026-12-01T00:00:00.000Z";
    const to = "2026-12-02T23:59:59.999Z";
    const expected = all.filter(
      (p) =>
        p.merchantId === "m-1" &&
        p.currency === "CNY" &&
        p.amountMinor === 1300 &&
        p.confirmedAtUtc >= from &&
        p.confirmedAtUtc <= to,
    );
    expect(expected.length).toBeGreaterThan(5);
    scanned = 0;
    const found = await reader.byAmount({
      merchantId: "m-1",
      tradeDates: tradeDatesAround(from, to),
      currency: "CNY",
      amountMinor: 1300,
      from,
      to,
      limit: 100,
    });
    expect(found.map((p) => p.paymentId).sort()).toEqual(expected.map((p) => p.paymentId).sort());
    expect(scanned).toBe(expected.length);
  });

  it("another merchant's amount and window give nothing, reading nothing", async () => {
    scanned = 0;
    const found = await reader.byAmount({
      merchantId: "m-2",
      tradeDates: DAYS,
      currency: "CNY",
      amountMinor: 99_999,
      from: "2026-11-29T00:00:00.000Z",
      to: "2026-12-03T23:59:59.999Z",
      limit: 100,
    });
    expect(found).toEqual([]);
    expect(scanned).toBe(0);
  });

  it("the outstanding read takes the merchant's recent days only, newest first, up to its limit", async () => {
    scanned = 0;
    const dates = recentTradeDates(new Date("2026-12-03T12:00:00.000Z"), 1);
    const found = await reader.recent({ merchantId: "m-1", tradeDates: dates, limit: 1000 });
    const expected = all.filter((p) => p.merchantId === "m-1" && dates.includes(p.arrival?.tradeDate ?? ""));
    expect(found.map((p) => p.paymentId).sort()).toEqual(expected.map((p) => p.paymentId).sort());
    expect(scanned).toBe(expected.length);
    const limited = await reader.recent({ merchantId: "m-1", tradeDates: dates, limit: 50 });
    expect(limited).toHaveLength(50);
    expect(limited.every((p) => p.arrival?.tradeDate === "2026-12-03")).toBe(true);
  });

  it("the overdue read takes the merchant's OVERDUE payments only, from the sparse merchant-open index", async () => {
    scanned = 0;
    const found = await reader.overdue({ merchantId: "m-1", limit: 1000 });
    const expected = all.filter((p) => p.merchantId === "m-1" && p.status === "OVERDUE");
    expect(expected.length).toBe(12);
    expect(found.map((p) => p.paymentId).sort()).toEqual(expected.map((p) => p.paymentId).sort());
    expect(scanned).toBe(expected.length);
    expect(await reader.overdue({ merchantId: "m-1", limit: 5 })).toHaveLength(5);
    scanned = 0;
    expect(await reader.overdue({ merchantId: "m-3", limit: 1000 })).toEqual([]);
    expect(scanned).toBe(0);
  });
});
