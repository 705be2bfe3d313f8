import { describe, expect, it } from "vitest";
import { logicalRecords } from "../../../../functions/domain/settlement-files/bank/bai2/bai2-records.js";
import { typeCodeMeaning } from "../../../../functions/domain/settlement-files/bank/bai2/bai2-type-codes.js";
import { bai2Parser } from "../../../../functions/domain/settlement-files/bank/index.js";
import { chunked, fixture, parseText } from "./bank-test-support.js";

describe("BAI2 type codes", () => {
  it.each([
    ["165", "credit", "payout"],
    ["354", "credit", "other"], // interest
    ["475", "debit", "other"],
    ["698", "debit", "fee"],
    ["930", "credit", "payout"],
    ["970", "debit", "other"],
  ])("%s is a %s (%s)", (code, direction, kind) => {
    expect(typeCodeMeaning(code)).toEqual({ direction, kind });
  });

  it.each(["890", "015", "760", "16"])("%s is not a money movement", (code) => {
    expect(typeCodeMeaning(code).direction).toBeNull();
  });
});

describe("BAI2 with / terminators, two groups, every funds type", () => {
  const text = fixture("bai2-slash-terminated.bai2");

  it("yields one record per 16, amounts in minor units implied by the currency", async () => {
    const { lines, rejected } = await parseText(bai2Parser, text, 11);
    expect(lines.map((l) => [l.source, l.currency, l.netMinor, l.direction, l.kind])).toEqual([
      [5, "USD", 250000, "credit", "payout"],
      [6, "USD", 10000, "credit", "payout"],
      [8, "USD", 10000, "debit", "fee"],
      [11, "CAD", 123456, "credit", "payout"],
      [12, "CAD", 123456, "debit", "other"],
      [18, "JPY", 1500, "credit", "payout"], // yen have no minor unit
    ]);
    expect(rejected).toEqual([
      { type: "rejected", source: 13, reason: expect.stringContaining("type code 890") },
    ]);
  });

  it("reads references and text across 88 continuations and skips funds-type fields (S, V, D)", async () => {
    const { lines } = await parseText(bai2Parser, text);
    expect(lines[0]).toEqual({
      type: "line",
      source: 5,
      reference: "BR0001",
      merchantReference: "PO-1001",
      batchReference: "STRIPE PAYOUT po_1001",
      merchantId: "111222333",
      direction: "credit",
      currency: "USD",
      netMinor: 250000,
      grossMinor: null,
      feeMinor: null,
      valueDate: "2024-03-03", // group as-of date
      kind: "payout",
    });
    expect(lines[1]).toMatchObject({ reference: "BR0002", batchReference: "ACH CREDIT SETTLEMENT BATCH 17" }); // S
    expect(lines[2]).toMatchObject({ reference: "BR0003", valueDate: "2024-03-02" }); // V: value date
    expect(lines[3]).toMatchObject({ reference: "BR0004", merchantReference: "WIRE-9" }); // D: 2 pairs
  });

  it("agrees with account, group and file control totals and record counts", async () => {
    const { control } = await parseText(bai2Parser, text);
    expect(control.control).toBe("ok");
    expect(control.controlDetail).toContain("account 111222333 (record 3): 49 control total 17900.00 USD");
  });
});

describe("BAI2 with YYYYMMDD dates and empty optional header fields", () => {
  const text = fixture("bai2-long-dates.bai2");

  it("is recognised as BAI2 and reads the 8-digit as-of date as the value date", async () => {
    expect(bai2Parser.sniff(text, {})).toBeGreaterThan(0.9);
    const { lines, rejected, control } = await parseText(bai2Parser, text, 7);
    expect(rejected).toEqual([]);
    expect(lines.map((l) => [l.source, l.reference, l.netMinor, l.direction, l.valueDate])).toEqual([
      [4, "BR1", 150000, "credit", "2026-10-07"],
      [5, "BR2", 2500, "debit", "2026-10-07"],
    ]);
    expect(control.control).toBe("ok");
    expect(control.controlDetail).not.toContain("version");
  });

  it("refuses an 8-digit date that is no calendar date, naming it", async () => {
    const bad = text.replace("02,SETTLEWATCH,,1,20261007", "02,SETTLEWATCH,,1,20261345");
    const { lines, rejected, control } = await parseText(bai2Parser, bad);
    expect(lines).toEqual([]);
    expect(rejected.map((r) => r.source)).toEqual([4, 5]);
    expect(control.controlDetail).toContain('as-of date "20261345" unreadable');
  });
});

describe("BAI2 layouts", () => {
  it("splits several records on one physical line (and no final newline)", async () => {
    const text = fixture("bai2-records-on-one-line.bai2");
    expect(text.split("\n")).toHaveLength(1);
    const { lines, control } = await parseText(bai2Parser, text, 3);
    expect(lines.map((l) => [l.reference, l.direction, l.netMinor, l.currency])).toEqual([
      ["REF1", "credit", 2500, "EUR"],
      ["REF2", "debit", 500, "EUR"],
    ]);
    expect(control.control).toBe("ok");
  });

  it("reads newline-delimited records with commas and slashes in text and a wrapped physical line", async () => {
    const { lines, control } = await parseText(bai2Parser, fixture("bai2-newline-delimited.bai2"), 5);
    expect(lines[0]).toMatchObject({
      merchantReference: "PO/2024/03/04-1",
      batchReference:
        "Incoming Wire,From: ACQUIRER INC, Ref: PO/2024/03/04-1 EREF: PO/2024/03/04-1 DBNM: ACQUIRER INC",
      currency: "USD",
    });
    expect(lines[1]?.batchReference).toBe("ACH Credit, SEC: CCD wrapped second physical line of the text");
    expect(control.control).toBe("ok");
  });

  it("groups a 03 continued by 88s, a summary split across the boundary", async () => {
    const records = [];
    for await (const record of logicalRecords(
      chunked("01,A/\n03,1,,010,5,,,190/\n88,7,,,110,3,,/\n49,15,3/\n", 4),
    )) {
      records.push(record);
    }
    expect(records[1]).toMatchObject({
      code: "03",
      parts: ["1,,010,5,,,190", "7,,,110,3,,"],
      continuations: 1,
    });
  });
});

describe("broken BAI2", () => {
  const text = fixture("bai2-trailer-mismatch.bai2");

  it("rejects a bad amount and an unknown record code, naming them", async () => {
    const { rejected, lines } = await parseText(bai2Parser, text);
    expect(rejected).toEqual([
      {
        type: "rejected",
        source: 4,
        reason: expect.stringContaining('amount "12X0" is not an unsigned whole number'),
      },
      { type: "rejected", source: 6, reason: expect.stringContaining('unknown record code "17"') },
    ]);
    expect(lines).toHaveLength(1);
  });

  it("reports trailer totals and counts that disagree, with the figures", async () => {
    const { control } = await parseText(bai2Parser, text);
    expect(control.control).toBe("mismatch");
    expect(control.controlDetail).toContain(
      "account ACC9 (record 3): 49 control total says 99.99 USD, records add up to 30.00 USD (difference -69.99 USD)",
    );
    expect(control.controlDetail).toContain("49 record count says 3, file has 5");
    expect(control.controlDetail).toContain("file: 99 record count says 8, file has 9");
  });

  it("treats a blank 49 total as absent, not as a mismatch", async () => {
    const blank = fixture("bai2-records-on-one-line.bai2").replace("49,4000,4/", "49,,4/");
    const { control } = await parseText(bai2Parser, blank);
    expect(control.control).toBe("ok");
    expect(control.controlDetail).toContain("49 control total blank");
  });

  it("reports a file cut before its trailers", async () => {
    const cut = fixture("bai2-slash-terminated.bai2").split("\n").slice(0, 8).join("\n");
    const { control, lines } = await parseText(bai2Parser, cut);
    expect(lines).toHaveLength(3);
    expect(control.control).toBe("mismatch");
    expect(control.controlDetail).toContain("no 99 file trailer");
  });

  it("throws UnreadableFileError for a file that does not start with 01", async () => {
    await expect(parseText(bai2Parser, "00,0004,1/2/345,06/0321,0829,001,80,1,2/\n")).rejects.toMatchObject({
      name: "UnreadableFileError",
      source: 1,
    });
    await expect(parseText(bai2Parser, "date,amount\n2024-01-01,5\n")).rejects.toThrow(/not BAI2/);
  });
});
