import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulateInProcess } from "../support/simulation.js";

// `settlewatch simulate` as a process is run by simulate.test.ts; this one runs the same function in
// this process on the suite's DynamoDB Local.
describe("settlewatch simulate: voids and reversals", () => {
  it("a voided payment is never alerted (void before or after it), a partial reversal lowers the amount", async () => {
    const dir = mkdtempSync(join(tmpdir(), "settlewatch-sim-rev-"));
    const merchants = join(dir, "merchants.json");
    const confirmations = join(dir, "confirmations.jsonl");
    writeFileSync(
      merchants,
      JSON.stringify([
        {
          merchantId: "m-001",
          name: "Dumplings",
          timeZone: "Asia/Shanghai",
          calendar: "CN",
          settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 },
          contact: { phone: "+8613800138000", language: "zh-CN", channels: ["sms"] },
        },
      ]),
    );
    const base = { acquirer: "wx", merchantId: "m-001", currency: "CNY" };
    writeFileSync(
      confirmations,
      [
        // The void of wx-1 comes before wx-1 itself.
        {
          ...base,
          paymentId: "void-1",
          kind: "reversal",
          originalPaymentId: "wx-1",
          amountMinor: 12850,
          confirmedAt: "2026-09-30T15:01:00+08:00",
        },
        { ...base, paymentId: "wx-1", amountMinor: 12850, confirmedAt: "2026-09-30T15:00:00+08:00" },
        { ...base, paymentId: "wx-2", amountMinor: 115600, confirmedAt: "2026-09-30T16:20:00+08:00" },
        {
          ...base,
          paymentId: "rev-2",
          kind: "reversal",
          originalPaymentId: "wx-2",
          amountMinor: 15600,
          confirmedAt: "2026-09-30T16:30:00+08:00",
        },
        { ...base, paymentId: "wx-3", amountMinor: 5000, confirmedAt: "2026-09-30T17:00:00+08:00" },
        {
          ...base,
          paymentId: "void-3",
          kind: "reversal",
          originalPaymentId: "wx-3",
          amountMinor: 5000,
          confirmedAt: "2026-09-30T17:01:00+08:00",
        },
      ]
        .map((line) => JSON.stringify(line))
        .join("\n"),
    );
    // Three weeks after the trade: far past any T+1 due time, whatever the holidays.
    const output = await simulateInProcess({
      merchantsFile: merchants,
      confirmationsFile: confirmations,
      asOf: ["2026-10-21T12:00:00Z"],
    });
    const status = Object.fromEntries(output.payments.map((p) => [p.paymentId, p.status]));
    expect(status).toEqual({
      "void-1": "RECORDED",
      "wx-1": "REVERSED",
      "wx-2": "OVERDUE",
      "rev-2": "RECORDED",
      "wx-3": "REVERSED",
      "void-3": "RECORDED",
    });
    expect(output.rejectedConfirmations).toEqual([]);
    // One digest, about wx-2 only, for the amount still expected (1,156.00 − 156.00).
    expect(output.notifications).toHaveLength(1);
    expect(output.notifications[0]?.paymentIds).toEqual(["wx-2"]);
    expect(output.notifications[0]?.text).toContain("¥1,000.00");
    expect(JSON.stringify(output)).not.toContain("¥128.50");
  });
});
