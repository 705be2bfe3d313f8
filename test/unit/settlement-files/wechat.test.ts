import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fixture, readAll } from "./support.js";

describe("WeChat Pay trade bill", () => {
  it("reads an ALL bill (BOM, CRLF, commas inside 商品名称) with its summary as control", async () => {
    const { lines, rejected, summary } = await readAll(fixture("wechat/trade-ALL_2025-03-01.csv"));
    expect(rejected).toEqual([]);
    expect(lines[0]).toEqual({
      type: "line",
      source: 2,
      reference: "4200002501202503011234567890",
      merchantReference: "S20250301091500001",
      batchReference: null,
      merchantId: "1900000109",
      direction: "credit",
      currency: "CNY",
      netMinor: 9940,
      grossMinor: 10000,
      feeMinor: 60,
      valueDate: "2025-03-01",
      kind: "payment",
    });
    // 0.07500 fee rounds half-up to 0.08; a non-recharge coupon is not settled (应结 45.00 of 50.00)
    expect(lines.map((l) => [l.source, l.grossMinor, l.feeMinor, l.netMinor, l.direction, l.kind])).toEqual([
      [2, 10000, 60, 9940, "credit", "payment"],
      [3, 1250, 8, 1242, "credit", "payment"],
      [4, 4500, 27, 4473, "credit", "payment"],
      [5, 3000, -18, 2982, "debit", "refund"],
    ]);
    // the refund row names the original payment
    expect(lines[3]).toMatchObject({
      reference: "4200002501202503011234567890",
      merchantReference: "S20250301091500001",
    });
    expect(summary).toEqual({
      type: "summary",
      format: "wechat-trade",
      variant: "ALL",
      lines: 4,
      rejected: 0,
      totals: { CNY: { creditMinor: 9940 + 1242 + 4473, debitMinor: 2982 } },
      control: "ok",
      controlDetail: expect.stringContaining("手续费总金额 0.76500") as unknown as string,
    });
  });

  it("reads a SUCCESS bill with a literal '?' for the BOM, a sub-merchant, and the 7-column summary", async () => {
    const { lines, summary } = await readAll(fixture("wechat/trade-SUCCESS_2025-03-02.csv"));
    expect(summary).toMatchObject({ variant: "SUCCESS", lines: 2, rejected: 0, control: "ok" });
    expect(lines.map((l) => [l.merchantId, l.grossMinor, l.feeMinor, l.netMinor])).toEqual([
      ["1900000555", 880, 5, 875],
      ["1900000555", 128800, 773, 128027],
    ]);
  });

  it("reads a REFUND bill: refunds are debits, a returned fee is a negative fee", async () => {
    const { lines, summary } = await readAll(fixture("wechat/trade-REFUND_2025-03-03.csv"));
    expect(summary).toMatchObject({
      variant: "REFUND",
      control: "ok",
      totals: { CNY: { creditMinor: 0, debitMinor: 2486 } },
    });
    expect(lines.map((l) => [l.kind, l.direction, l.grossMinor, l.feeMinor, l.netMinor])).toEqual([
      ["refund", "debit", 2000, -12, 1988],
      ["refund", "debit", 501, -3, 498],
    ]);
  });

  it("reads the legacy 24-column layout with full-width colons in times and no final newline", async () => {
    const { lines, summary } = await readAll(fixture("wechat/trade-legacy_2016-05-10.csv"));
    expect(summary).toMatchObject({ variant: "legacy", lines: 3, rejected: 0, control: "ok" });
    expect(lines.map((l) => [l.valueDate, l.kind, l.grossMinor, l.feeMinor, l.netMinor])).toEqual([
      ["2016-05-10", "payment", 1000, 6, 994],
      ["2016-05-10", "payment", 1, 0, 1],
      ["2016-05-10", "refund", 400, -2, 398],
    ]);
  });

  it("rejects bad rows with a reason naming the field and keeps going; the summary then disagrees", async () => {
    const { lines, rejected, summary } = await readAll(fixture("wechat/trade-broken-rows.csv"));
    expect(lines.map((l) => l.source)).toEqual([2]);
    expect(rejected).toEqual([
      { type: "rejected", source: 3, reason: '应结订单金额: not a decimal amount: "12.3.4"' },
      {
        type: "rejected",
        source: 4,
        reason: "wrong column count: expected 27 fields as in the header, found 20",
      },
      { type: "rejected", source: 5, reason: "微信订单号: missing" },
      {
        type: "rejected",
        source: 6,
        reason: '交易状态: unknown value "NOTPAY" (expected SUCCESS, REFUND or REVOKED)',
      },
    ]);
    expect(summary.control).toBe("mismatch");
    expect(summary.controlDetail).toContain("应结订单总金额: file says 170.00, detail adds up to 100.00");
    expect(summary.controlDetail).not.toContain("总交易单数"); // 5 records = 1 line + 4 rejected: agrees
  });

  it("flags a summary that disagrees with fine detail", async () => {
    const { summary } = await readAll(fixture("wechat/trade-summary-mismatch.csv"));
    expect(summary).toMatchObject({ control: "mismatch", lines: 4, rejected: 0 });
    expect(summary.controlDetail).toContain("申请退款总金额: file says 31.00, detail adds up to 30.00");
  });

  it("flags a truncated download (cut row, no summary)", async () => {
    const { lines, rejected, summary } = await readAll(fixture("wechat/trade-truncated.csv"));
    expect([lines.length, rejected.length]).toEqual([2, 1]);
    expect(summary.control).toBe("mismatch");
    expect(summary.controlDetail).toMatch(/ends without its summary rows/);
  });

  it("is not fooled by a bill-like header, and explains a forced format", async () => {
    await expect(readAll(fixture("broken/wechat-wrong-header.csv"))).rejects.toThrow(
      /not a recognised settlement file/,
    );
    await expect(
      readAll(fixture("broken/wechat-wrong-header.csv"), { format: "wechat-trade" }),
    ).rejects.toThrow(/^line 1: not a WeChat Pay trade bill/);
  });

  it("turns the XML error body of a failed download into an unreadable-file error", async () => {
    await expect(readAll(fixture("broken/wechat-error-response.xml"))).rejects.toThrow(
      "line 1: WeChat Pay returned an error instead of a bill: FAIL No Bill Exist (error_code 20002)",
    );
  });

  it("does not take the consumer export (微信支付账单明细) for a merchant bill", async () => {
    await expect(readAll(fixture("broken/consumer-wechat-export.csv"))).rejects.toThrow(/not a recognised/);
  });
});

describe("WeChat Pay fund-flow bill", () => {
  it("signs amounts by 收支类型, dates by 记账时间, kinds by 业务类型, and checks the summary", async () => {
    const { lines, summary } = await readAll(fixture("wechat/fundflow-BASIC_2025-03-01.csv"));
    expect(
      lines.map((l) => [l.kind, l.direction, l.netMinor, l.valueDate, l.grossMinor, l.feeMinor]),
    ).toEqual([
      ["payment", "credit", 10000, "2025-03-01", null, null],
      ["fee", "debit", 60, "2025-03-01", null, null],
      ["refund", "debit", 3000, "2025-03-01", null, null],
      ["fee", "credit", 18, "2025-03-01", null, null],
      ["payout", "debit", 6958, "2025-03-02", null, null],
    ]);
    expect(lines[2]).toMatchObject({
      reference: "50300702562025030112345678901",
      merchantReference: "R20250301001",
    });
    expect(summary).toMatchObject({
      format: "wechat-fundflow",
      control: "ok",
      totals: { CNY: { creditMinor: 10018, debitMinor: 10018 } },
    });
  });

  it("matches the full-width （元） header of older copies, gzipped", async () => {
    const text = fixture("wechat/fundflow-BASIC_2025-03-01.csv")
      .toString("utf8")
      .replace("收支金额(元)", "收支金额（元）")
      .replace("账户结余(元)", "账户结余（元）");
    const { summary } = await readAll(gzipSync(Buffer.from(text)));
    expect(summary).toMatchObject({ format: "wechat-fundflow", lines: 5, control: "ok" });
  });

  it("rejects a row with an unknown 收支类型", async () => {
    const text = fixture("wechat/fundflow-BASIC_2025-03-01.csv")
      .toString("utf8")
      .replace("`收入,`100.00", "`转入,`100.00");
    const { rejected, summary } = await readAll(text);
    expect(rejected).toEqual([
      { type: "rejected", source: 2, reason: '收支类型: expected 收入 or 支出, found "转入"' },
    ]);
    expect(summary.control).toBe("mismatch");
  });
});
