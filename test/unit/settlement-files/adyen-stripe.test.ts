import { describe, expect, it } from "vitest";
import { fixture, readAll } from "./support.js";

describe("Adyen settlement details report", () => {
  it("reads a batch: fees summed from Interchange++ columns, quoted payout reference, batch number", async () => {
    const { lines, summary } = await readAll(fixture("adyen/settlement_detail_report_batch_7.csv"), {
      fileName: "settlement_detail_report_batch_7.csv",
    });
    expect(
      lines.map((l) => [l.kind, l.direction, l.grossMinor, l.feeMinor, l.netMinor, l.reference]),
    ).toEqual([
      ["payment", "credit", 10000, 150, 9850, "8815000000000001"],
      ["refund", "debit", 3000, 12, 3012, "8815000000000001"],
      ["payment", "credit", null, 55, 4950, "8815000000000002"], // gross in USD, net in EUR: no gross
      ["fee", "debit", null, null, 500, null],
      ["payout", "debit", null, null, 11288, null],
    ]);
    expect(lines[0]).toMatchObject({
      merchantReference: "ORDER-1001",
      merchantId: "TestMerchantEUR",
      batchReference: "7",
      currency: "EUR",
      valueDate: "2025-03-01",
    });
    // the batch nets to zero: what came in went out with the payout
    expect(summary).toMatchObject({
      variant: "batch 7",
      control: "absent",
      totals: { EUR: { creditMinor: 14800, debitMinor: 14800 } },
    });
  });

  it("maps the newer column order by name, prefers Booking Date, rejects bad rows", async () => {
    const { lines, rejected, summary } = await readAll(
      fixture("adyen/settlement_detail_report_batch_8.csv"),
      {
        fileName: "settlement_detail_report_batch_8.csv",
      },
    );
    expect(
      lines.map((l) => [
        l.kind,
        l.direction,
        l.netMinor,
        l.grossMinor,
        l.feeMinor,
        l.valueDate,
        l.batchReference,
      ]),
    ).toEqual([
      ["other", "credit", 0, null, null, "2025-03-04", "8"],
      ["payment", "credit", 1970, 1999, 29, "2025-03-05", "8"],
      ["refund", "debit", 1200, 1000, 200, "2025-03-05", "8"],
    ]);
    expect(rejected.map((r) => [r.source, r.reason])).toEqual([
      [5, 'Gross Credit (GC): not a decimal amount: "abc"'],
      [6, "wrong column count: expected 25 fields as in the header, found 18"],
    ]);
    expect(summary.lines + summary.rejected).toBe(5);
  });
});

describe("Stripe payout reconciliation", () => {
  it("reads the itemized report: signed net, payout id as batch, charge id as reference, zero-decimal JPY", async () => {
    const { lines, summary } = await readAll(fixture("stripe/payout_reconciliation_itemized_5.csv"));
    expect(
      lines.map((l) => [
        l.kind,
        l.direction,
        l.currency,
        l.grossMinor,
        l.feeMinor,
        l.netMinor,
        l.reference,
        l.batchReference,
        l.valueDate,
      ]),
    ).toEqual([
      ["payment", "credit", "USD", 10000, 320, 9680, "ch_001", "po_1Qabc", "2025-03-05"],
      ["refund", "debit", "USD", 3000, 0, 3000, "ch_001", "po_1Qabc", "2025-03-05"],
      ["refund", "debit", "USD", 5000, 1500, 6500, "ch_002", "po_1Qabc", "2025-03-05"],
      ["fee", "debit", "USD", 200, 0, 200, "fee_001", "po_1Qabc", "2025-03-05"],
      ["payment", "credit", "JPY", 1000, 36, 964, "ch_003", "po_1Qjpy", "2025-03-06"],
      ["payment", "credit", "USD", 1000, 59, 941, "ch_004", null, "2025-03-06"], // no automatic payout: available_on
    ]);
    expect(lines[0]?.merchantReference).toBe("ORDER-1001");
    expect(lines[4]?.merchantId).toBe("acct_1ABC");
    expect(summary).toMatchObject({ format: "stripe-payout", variant: "itemized", control: "absent" });
  });

  it("reads the legacy balance history export", async () => {
    const { lines, summary } = await readAll(fixture("stripe/balance_history.csv"));
    expect(
      lines.map((l) => [l.kind, l.direction, l.netMinor, l.reference, l.batchReference, l.valueDate]),
    ).toEqual([
      ["payment", "credit", 2397, "ch_1A", "po_1A", "2024-01-08"],
      ["fee", "debit", 50, "txn_1B", "po_1A", "2024-01-08"],
      ["payout", "debit", 2347, "po_1A", null, "2024-01-08"],
    ]);
    expect(summary.variant).toBe("balance_history");
  });

  it("accepts decimal commas (the decimal_separator report option)", async () => {
    const text =
      '"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category","source_id"\n' +
      '"txn_9","2025-03-01 00:00:00","eur","12,50","0,55","11,95","charge","ch_9"\n';
    const { lines } = await readAll(text);
    expect(lines[0]).toMatchObject({ grossMinor: 1250, feeMinor: 55, netMinor: 1195, currency: "EUR" });
  });

  it("rejects an unknown currency naming the column", async () => {
    const text =
      '"balance_transaction_id","created_utc","currency","gross","fee","net","reporting_category","source_id"\n' +
      '"txn_9","2025-03-01 00:00:00","xxx","1.00","0.00","1.00","charge","ch_9"\n';
    const { rejected } = await readAll(text);
    expect(rejected).toEqual([
      { type: "rejected", source: 2, reason: 'currency: not a settlement currency: "XXX"' },
    ]);
  });
});
