import { describe, expect, it } from "vitest";
import {
  SettlementFileReport,
  UnbalancedReportError,
} from "../../../functions/domain/matching/file-report.js";
import { matchSettlementLine } from "../../../functions/domain/matching/match-ladder.js";
import type { ParserOutput } from "../../../functions/domain/settlement-files/format-parser.js";
import { ACQUIRER, InMemoryPayments, line, payment, TERMS } from "./fixtures.js";

describe("SettlementFileReport", () => {
  it("matched + mismatched + unmatched + rejected = lines read; settledLate is a subset of matched", async () => {
    const store = new InMemoryPayments([
      payment({ paymentId: "p-1" }),
      payment({ paymentId: "p-2", status: "OVERDUE" }),
      payment({ paymentId: "p-3" }),
    ]);
    const records: ParserOutput[] = [
      line({ source: 2, reference: "p-1", merchantReference: null }),
      line({ source: 3, reference: "p-2", merchantReference: null }),
      line({ source: 4, reference: "p-3", merchantReference: null, feeMinor: 100, netMinor: 9900 }),
      line({ source: 5, reference: "p-unknown", merchantReference: null, merchantId: null }),
      line({ source: 6, reference: "p-unknown-2", merchantReference: null, merchantId: null }),
      { type: "rejected", source: 7, reason: "手续费: not a number" },
      line({
        source: 8,
        kind: "fee",
        direction: "debit",
        netMinor: 60,
        reference: null,
        merchantReference: null,
      }),
      line({ source: 9, reference: "p-1", merchantReference: null, valueDate: "2026-10-05" }),
    ];
    const report = new SettlementFileReport();
    for (const record of records) {
      if (record.type === "rejected") {
        report.addRejected(record);
        continue;
      }
      report.addLine(record);
      const decision = await matchSettlementLine(record, ACQUIRER, store, { terms: TERMS });
      store.apply(decision.update);
      report.addDecision(decision);
    }
    report.assertBalanced();
    report.assertMatchesSummary({ lines: 7, rejected: 1 });
    const summary = report.summary(3);
    expect(summary).toMatchObject({
      read: 8,
      matched: 2,
      settledLate: 1,
      mismatched: 2,
      unmatched: 3,
      rejected: 1,
      undecided: 0,
      balanced: true,
    });
    expect(summary.matched + summary.mismatched + summary.unmatched + summary.rejected).toBe(summary.read);
    expect(summary.topReasons).toEqual([
      {
        outcome: "unmatched",
        reasonCode: "awaiting-confirmation",
        count: 2,
        example:
          "no payment found by reference p-unknown (no merchant for a window search): kept until its confirmation arrives",
      },
      expect.objectContaining({ outcome: "matched", reasonCode: "settled", count: 1 }),
      expect.objectContaining({ outcome: "matched", reasonCode: "settled-late", count: 1 }),
    ]);
    expect(report.topReasons(10).map((r) => r.reasonCode)).toEqual([
      "awaiting-confirmation",
      "settled",
      "settled-late",
      "fee",
      "settled-twice",
      "unreadable",
      "informational",
    ]);
  });

  it("a line read and never decided does not add up", () => {
    const report = new SettlementFileReport();
    report.addLine();
    report.addLine();
    report.addDecision({ outcome: "matched", reasonCode: "settled", reason: "ok" });
    expect(report.isBalanced()).toBe(false);
    expect(() => report.assertBalanced()).toThrow(UnbalancedReportError);
    expect(() => report.assertBalanced()).toThrow(
      "report does not add up: 2 read, but matched 1 + mismatched 0 + unmatched 0 + rejected 0 = 1 (1 line(s) never decided)",
    );
    report.rejectLine("merchant unknown to settlewatch", "unknown-merchant");
    expect(() => report.assertBalanced()).not.toThrow();
    expect(report.summary().rejected).toBe(1);
  });

  it("a decision for no line read is refused (a line is decided once)", () => {
    const report = new SettlementFileReport();
    expect(() => report.addDecision({ outcome: "unmatched", reasonCode: "x", reason: "x" })).toThrow(
      UnbalancedReportError,
    );
  });

  it("disagreeing with the reader's summary is reported", () => {
    const report = new SettlementFileReport();
    report.addLine();
    report.addDecision({ outcome: "matched", reasonCode: "settled", reason: "ok" });
    expect(() => report.assertMatchesSummary({ lines: 2, rejected: 0 })).toThrow(
      "report read 1 line(s) and 0 rejected record(s); the file summary says 2 and 0",
    );
  });
});
