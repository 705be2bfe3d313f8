import { describe, expect, it } from "vitest";
import { mt940Parser, mt942Parser } from "../../../../functions/domain/settlement-files/bank/index.js";
import { parseField61 } from "../../../../functions/domain/settlement-files/bank/swift/field-61.js";
import { readField86 } from "../../../../functions/domain/settlement-files/bank/swift/field-86.js";
import { UnreadableFileError } from "../../../../functions/domain/settlement-files/settlement-record.js";
import { fixture, lineOf, parseText } from "./bank-test-support.js";

describe("field 61", () => {
  it.each([
    [
      "2403040304CR1187,50NTRFPAYOUT-PO-1001//BANKREF0001",
      "C",
      "1187,50",
      "NTRF",
      "PAYOUT-PO-1001",
      "BANKREF0001",
    ],
    ["240304D2,50NCHGNONREF", "D", "2,50", "NCHG", null, null],
    ["2403040304D300,00NTRFPREF//B7", "D", "300,00", "NTRF", null, "B7"],
    // No transaction type: funds code N then the amount, then the bank reference or nothing.
    ["2011301130DN29486,67//REF", "D", "29486,67", "", null, "REF"],
    ["2011301130CR150,00", "C", "150,00", "", null, null],
    ["2403040305RC40,NTRFNONREF//B3", "RC", "40,", "NTRF", null, "B3"],
    ["0709040904RCR204,88NRTINONREF", "RC", "204,88", "NRTI", null, null],
    [
      "1407290729C500NTRF29-07-2014 10:05//B4G29PGDCK1QFV3E",
      "C",
      "500",
      "NTRF",
      "29-07-2014 10:05",
      "B4G29PGDCK1QFV3E",
    ],
    ["1710111011DF2402,00S   X", "D", "2402,00", "S   ", "X", null],
  ])("reads %s", (line, mark, amount, type, customer, bank) => {
    const parsed = parseField61([line]);
    expect(parsed).toMatchObject({
      ok: true,
      field: { mark, amount, transactionType: type, customerReference: customer, bankReference: bank },
    });
  });

  it("joins a first line wrapped inside the amount and keeps the supplementary details", () => {
    expect(parseField61(["1811261126CR", "30,00N062NONREF", "SUPPLEMENTARY"])).toMatchObject({
      ok: true,
      field: { valueDate: "181126", mark: "C", amount: "30,00", supplementary: "SUPPLEMENTARY" },
    });
  });
});

describe("field 86", () => {
  it("reads German ?-subfields: EREF+ and SVWZ+ across subfield boundaries", () => {
    const info = readField86(["166?00GUTSCHRIFT?20EREF+PO-1?21SVWZ+Payout 20", "24-03?22-04?30BIC"]);
    expect(info).toMatchObject({ endToEnd: "PO-1", remittance: "Payout 2024-03-04" });
  });

  it("reads ING's slash-terminated codes and a structured /REMI/STRD/CUR/ reference", () => {
    const info = readField86([
      "/EREF/E2E-PO-77//CNTP/NL00BANK0000000001/BANKNL2A/ACME PAY/AMSTE",
      "RDAM//REMI/STRD/CUR/PO77REF123/",
    ]);
    expect(info).toMatchObject({ endToEnd: "E2E-PO-77", remittance: "PO77REF123" });
  });

  it("reads Dutch /EREF/ /REMI/ codes and treats NOTPROVIDED as no reference", () => {
    expect(readField86(["/EREF/NOTPROVIDED/REMI/USTD//Payout 12/"])).toMatchObject({
      endToEnd: null,
      remittance: "Payout 12",
    });
  });
});

describe("MT940 :61: lines without a transaction type", () => {
  const text = fixture("mt940-no-type-code.sta");

  it("reads every line, funds code or not, and the balances agree", async () => {
    const { lines, rejected, control } = await parseText(mt940Parser, text, 9);
    expect(rejected).toEqual([]);
    expect(lines.map((l) => [l.source, l.direction, l.netMinor, l.reference, l.merchantReference])).toEqual([
      [lineOf(text, "DN294,67"), "debit", 29467, "BREF-1", "PO-77"],
      [lineOf(text, "CR1500,00"), "credit", 150000, "BREF-2", null],
      [lineOf(text, "C25,00NMSC"), "credit", 2500, null, null],
      [lineOf(text, "DR12,50"), "debit", 1250, null, null],
    ]);
    expect(control.control).toBe("ok");
  });

  it("still rejects a :61: whose amount has no decimal comma and no type, naming it", async () => {
    const { lines, rejected } = await parseText(mt940Parser, text.replace("DR12,50", "DR1250"));
    expect(lines).toHaveLength(3);
    expect(rejected).toEqual([
      {
        type: "rejected",
        source: lineOf(text, "DR12,50"),
        reason: expect.stringContaining(':61: "2610071007DR1250" does not read'),
      },
    ]);
  });
});

describe("MT940 with SWIFT envelope, CRLF, two messages", () => {
  const text = fixture("mt940-envelope-crlf.sta");

  it("yields one line per :61: with references from :61: and :86:", async () => {
    const { lines } = await parseText(mt940Parser, text, 13);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toEqual({
      type: "line",
      source: lineOf(text, ":61:2403040304CR1187,50"),
      reference: "BANKREF0001",
      merchantReference: "PAYOUT-PO-1001",
      batchReference: "ACQ SETTLEMENT PO-1001",
      merchantId: "DE89370400440532013000",
      direction: "credit",
      currency: "EUR",
      netMinor: 118750,
      grossMinor: null,
      feeMinor: null,
      valueDate: "2024-03-04",
      kind: "payout",
    });
  });

  it("maps charges (NCHG) to fee, a reversal of credit (RC) to a debit, and reads /OCMT/ /CHGS/", async () => {
    const { lines } = await parseText(mt940Parser, text);
    expect(lines[1]).toMatchObject({ direction: "debit", kind: "fee", netMinor: 250 });
    expect(lines[2]).toMatchObject({
      direction: "debit",
      kind: "other",
      netMinor: 4000,
      merchantReference: "ORDER-9",
    });
    expect(lines[3]).toMatchObject({ direction: "credit", netMinor: 0 }); // "0," is a valid amount
    expect(lines[4]).toMatchObject({
      netMinor: 1200,
      grossMinor: 1260,
      feeMinor: 60,
      batchReference: "Payout 12",
    });
  });

  it("checks opening + lines = closing for each message", async () => {
    const { control } = await parseText(mt940Parser, text);
    expect(control.control).toBe("ok");
    expect(control.controlDetail).toContain(":60F: 1000.00 EUR + 3 lines 1145.00 EUR = :62F: 2145.00 EUR");
    expect(control.controlDetail).toContain(":60F: 2145.00 EUR + 2 lines 12.00 EUR = :62F: 2157.00 EUR");
  });
});

describe("MT940 without envelope (LF, bank header lines, control characters, odd tags)", () => {
  const text = fixture("mt940-plain-lf.sta");

  it("reads :28:, :60M:/:62M:, a balance without currency, and a new :20: without a '-' separator", async () => {
    const { lines, control } = await parseText(mt940Parser, text, 1);
    expect(lines).toHaveLength(3);
    expect(control.control).toBe("ok");
    expect(control.controlDetail).toContain(":60M: 500.00 EUR + 2 lines 79.50 EUR = :62M: 579.50 EUR");
  });

  it("moves 30 February to the month's last day and says so", async () => {
    const { lines, control } = await parseText(mt940Parser, text);
    expect(lines[0]).toMatchObject({ valueDate: "2024-02-29", batchReference: "Settlement 2024-02-29" });
    expect(control.controlDetail).toContain("1 value dates past month end moved to the last day");
  });

  it("keeps a non-standard ':26:' line as :86: text and ignores :NS: fields", async () => {
    const { lines } = await parseText(mt940Parser, text);
    expect(lines[1]).toMatchObject({
      reference: "X1",
      merchantReference: "PO-77",
      batchReference: "Payout :26:77 fee",
      netMinor: 2050,
    });
    expect(lines[2]).toMatchObject({ kind: "other" }); // NINT: interest is not a payout
  });
});

describe("MT940 tags and fields spanning lines", () => {
  it("joins a tag split after its colon and a :61: wrapped inside the amount", async () => {
    const text = [
      ":20:WRAP",
      ":25:DE02120300000000202051",
      ":60F:C181125EUR0,00",
      ":61:1811261126CR",
      "30,00N062NONREF",
      ":",
      "86:166?00GUTSCHR. UEBERWEISUNG?20SVWZ+Payout 4711",
      ":62F:C181126EUR30,00",
      "-",
    ].join("\r\n");
    const { lines, control } = await parseText(mt940Parser, text, 4);
    expect(lines).toEqual([
      expect.objectContaining({
        source: 4,
        netMinor: 3000,
        valueDate: "2018-11-26",
        batchReference: "Payout 4711",
      }),
    ]);
    expect(control.control).toBe("ok");
  });
});

describe("broken MT940", () => {
  it("reports a statement without :62F: as a mismatch naming it", async () => {
    const { control, lines } = await parseText(mt940Parser, fixture("mt940-missing-62f.sta"));
    expect(lines).toHaveLength(2);
    expect(control.control).toBe("mismatch");
    expect(control.controlDetail).toContain(
      "statement 1 (:20:NOCLOSE) at line 1: no closing balance :62F:/:62M:",
    );
    expect(control.controlDetail).not.toContain("NEXT");
  });

  it("rejects bad :61: lines naming the field, one record per :61:", async () => {
    const text = fixture("mt940-bad-records.sta");
    const { rejected, lines } = await parseText(mt940Parser, text);
    expect(rejected.map((r) => [r.source, r.reason])).toEqual([
      [5, ':61: amount: "12,345" has 3 decimals, the currency has 2 and the extra digits are not zero'],
      [6, ':61: value date: "241301" is not a YYMMDD date'],
      [7, expect.stringContaining(':61: "this is not a statement line" does not read as')],
    ]);
    expect(lines).toHaveLength(1);
  });

  it("throws UnreadableFileError for a file that is not MT940", async () => {
    const csv = `${"date,amount,reference\n".repeat(60)}`;
    await expect(parseText(mt940Parser, csv)).rejects.toMatchObject({
      name: "UnreadableFileError",
      source: 51,
    });
    await expect(parseText(mt940Parser, "just one line")).rejects.toThrow(UnreadableFileError);
  });

  it("refuses an MT942 given to the MT940 parser", async () => {
    await expect(parseText(mt940Parser, fixture("mt942-interim.sta"))).rejects.toThrow(/MT942/);
  });
});

describe("MT942 interim report", () => {
  const text = fixture("mt942-interim.sta");

  it("takes the currency from :34F: and checks :90D:/:90C: counts and sums", async () => {
    const { lines, control } = await parseText(mt942Parser, text);
    expect(lines.map((l) => [l.direction, l.netMinor, l.currency, l.kind, l.reference])).toEqual([
      ["credit", 15000, "PLN", "payout", "MB240603000001"],
      ["debit", 150, "PLN", "fee", "MB240603000002"],
    ]);
    expect(control).toMatchObject({ control: "ok" });
    expect(control.controlDetail).toContain(":90C: 1 lines 150.00 PLN");
  });

  it("reports :90D: that disagrees with the lines", async () => {
    const { control } = await parseText(mt942Parser, text.replace(":90D:1PLN1,50", ":90D:2PLN3,00"));
    expect(control.control).toBe("mismatch");
    expect(control.controlDetail).toContain(":90D: says 2 lines 3.00 PLN, file has 1 lines 1.50 PLN");
  });
});
