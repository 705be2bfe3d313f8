import { describe, expect, it } from "vitest";
import { fixtureText, gbk, readAll } from "./support.js";

const TRADE = "alipay/20880211096256330156_20250301_业务明细.csv";
const ACCOUNT = "alipay/20880211096256330156_20250301_账务明细.csv";

describe("Alipay 业务明细 (trade bill)", () => {
  it("reads the GBK bill: TAB-padded ids, PID from #账号, refunds as debits, footer totals as control", async () => {
    const { lines, rejected, summary } = await readAll(gbk(fixtureText(TRADE)), {}, 50);
    expect(rejected).toEqual([]);
    expect(lines[0]).toEqual({
      type: "line",
      source: 6,
      reference: "2025030122001412345678901234",
      merchantReference: "S20250301100001",
      batchReference: null,
      merchantId: "2088021109625633",
      direction: "credit",
      currency: "CNY",
      netMinor: 9940,
      grossMinor: 10000,
      feeMinor: 60,
      valueDate: "2025-03-01",
      kind: "payment",
    });
    // 商家实收 45.00 (50.00 minus a 5.00 merchant discount); the refund returns its 0.18 fee
    expect(
      lines.slice(1).map((l) => [l.kind, l.direction, l.grossMinor, l.feeMinor, l.netMinor, l.valueDate]),
    ).toEqual([
      ["payment", "credit", 4500, 27, 4473, "2025-03-01"],
      ["refund", "debit", 3000, -18, 2982, "2025-03-01"],
    ]);
    expect(summary).toMatchObject({ format: "alipay-detail", control: "ok", lines: 3 });
  });

  it("reads the same bill as UTF-8 (re-saved exports) and flags a footer that disagrees", async () => {
    const text = fixtureText(TRADE).replace("商家实收共145.00元", "商家实收共146.00元");
    const { summary } = await readAll(text);
    expect(summary.control).toBe("mismatch");
    expect(summary.controlDetail).toContain("交易合计 商家实收: file says 146.00, detail adds up to 145.00");
  });

  it("flags a bill whose footer is missing (truncated)", async () => {
    const text = fixtureText(TRADE).split("\r\n").slice(0, 8).join("\r\n");
    const { summary, lines } = await readAll(gbk(text));
    expect(lines).toHaveLength(3);
    expect(summary.control).toBe("mismatch");
    expect(summary.controlDetail).toMatch(/without its #交易合计/);
  });

  it("accepts a stripped CSV (no # lines) with control absent", async () => {
    const text = fixtureText(TRADE)
      .split("\r\n")
      .filter((l) => !l.startsWith("#"))
      .join("\n");
    const { summary } = await readAll(text);
    expect(summary).toMatchObject({ format: "alipay-detail", lines: 3, control: "absent" });
  });
});

describe("Alipay 账务明细 (account bill)", () => {
  it("merges income/expense columns into signed lines and checks #收入合计/#支出合计", async () => {
    const { lines, summary } = await readAll(gbk(fixtureText(ACCOUNT)));
    expect(lines.map((l) => [l.kind, l.direction, l.netMinor, l.reference, l.valueDate])).toEqual([
      ["payment", "credit", 10000, "2025030122001412345678901234", "2025-03-01"],
      ["fee", "debit", 60, "2025030122001412345678901234", "2025-03-01"],
      ["refund", "debit", 3000, "2025030122001412345678901234", "2025-03-01"],
      ["payout", "debit", 6940, "20250302200040011100000012345", "2025-03-02"],
    ]);
    expect(lines.every((l) => l.merchantId === "2088021109625633" && l.grossMinor === null)).toBe(true);
    expect(summary).toMatchObject({
      format: "alipay-account",
      control: "ok",
      totals: { CNY: { creditMinor: 10000, debitMinor: 10000 } },
    });
  });

  it("reads the newer 13-column layout after an Excel round trip (trailing commas, blank lines, ASCII (元))", async () => {
    const { lines, rejected, summary } = await readAll(
      gbk(fixtureText("alipay/account-newer-layout-excel.csv")),
    );
    expect(lines.map((l) => [l.source, l.kind, l.direction, l.netMinor, l.merchantReference])).toEqual([
      [6, "payment", "credit", 1800, "S20250305000001"],
      [7, "fee", "debit", 11, "S20250305000001"],
    ]);
    expect(rejected).toEqual([
      { type: "rejected", source: 8, reason: '收入金额(+元): not a decimal amount: "abc"' },
    ]);
    expect(summary.control).toBe("mismatch");
  });
});
