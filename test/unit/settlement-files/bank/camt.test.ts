import { describe, expect, it } from "vitest";
import {
  camt053Parser,
  camt054Parser,
  readCamt,
} from "../../../../functions/domain/settlement-files/bank/index.js";
import { UnreadableFileError } from "../../../../functions/domain/settlement-files/settlement-record.js";
import { chunked, fixture, lineOf, parseText } from "./bank-test-support.js";

describe("camt.053.001.02 (acquirer payouts fixture)", () => {
  const text = fixture("camt053-v02-acquirer-payouts.xml");

  it("turns one payout entry into one line with gross, fee and references", async () => {
    const { lines } = await parseText(camt053Parser, text);
    expect(lines[0]).toEqual({
      type: "line",
      source: lineOf(text, "<Ntry>", "E1:"),
      reference: "BANKREF-0001",
      merchantReference: "PAYOUT-PO-1001",
      batchReference: "ACQ SETTLEMENT PO-1001",
      merchantId: "DE89370400440532013000",
      direction: "credit",
      currency: "EUR",
      netMinor: 118750,
      grossMinor: 120000,
      feeMinor: 1250,
      valueDate: "2024-03-05",
      kind: "payout",
    });
  });

  it("splits a batch that adds up into one line per TxDtls, batch id from Btch/PmtInfId", async () => {
    const { lines } = await parseText(camt053Parser, text);
    const batch = lines.filter((l) => l.batchReference === "BATCH-77");
    expect(batch.map((l) => [l.source, l.reference, l.merchantReference, l.netMinor])).toEqual([
      [lineOf(text, "<TxDtls>", "E2:"), "BANKREF-0002-1", "ORDER-1", 10000],
      [lineOf(text, "<TxDtls>", "BANKREF-0002-1"), "BANKREF-0002-2", "ORDER-2", 20000],
    ]);
  });

  it("adds a fee line when a batch is booked net of entry-level charges", async () => {
    const { lines } = await parseText(camt053Parser, text);
    const batch = lines.filter((l) => l.batchReference === "MSG-88");
    expect(batch.map((l) => [l.direction, l.kind, l.netMinor, l.merchantReference])).toEqual([
      ["credit", "payout", 10000, "ORDER-3"],
      ["credit", "payout", 20000, "ORDER-4"],
      ["debit", "fee", 500, null],
    ]);
    const net = batch.reduce((sum, l) => sum + (l.direction === "credit" ? l.netMinor : -l.netMinor), 0);
    expect(net).toBe(29500); // the booked Ntry/Amt
  });

  it("reports a batch whose TxDtls do not add up as one line for the booked amount", async () => {
    const { lines, control } = await parseText(camt053Parser, text);
    const odd = lines.filter((l) => l.batchReference === "BATCH-ODD");
    expect(odd).toHaveLength(1);
    expect(odd[0]).toMatchObject({ netMinor: 5000, reference: "BANKREF-0008", merchantReference: null });
    expect(control.controlDetail).toContain("1 batch entries reported as one line");
  });

  it("maps charges, reversals, DtTm booking dates and structured creditor references", async () => {
    const { lines } = await parseText(camt053Parser, text);
    expect(lines.find((l) => l.reference === "BANKREF-0004")).toMatchObject({
      direction: "debit",
      kind: "fee",
    });
    expect(lines.find((l) => l.reference === "BANKREF-0005")).toMatchObject({
      direction: "debit",
      kind: "other",
    });
    expect(lines.find((l) => l.reference === "NREF-7")).toMatchObject({
      valueDate: "2024-03-05",
      merchantReference: "RF18539007547034", // EndToEndId NOTPROVIDED is not a reference
    });
  });

  it("rejects a pending entry instead of reporting unsettled money", async () => {
    const { rejected } = await parseText(camt053Parser, text);
    expect(rejected).toEqual([
      {
        type: "rejected",
        source: lineOf(text, "<Ntry>", "E6:"),
        reason: expect.stringContaining("status PDNG"),
      },
    ]);
  });

  it("agrees with OPBD + booked entries = CLBD and with every TxsSummry figure", async () => {
    const { control, lines } = await parseText(camt053Parser, text);
    expect(control.control).toBe("ok");
    expect(control.controlDetail).toContain(
      "OPBD 1000.00 EUR + booked entries 1800.00 EUR = CLBD 2800.00 EUR",
    );
    const net = lines.reduce((sum, l) => sum + (l.direction === "credit" ? l.netMinor : -l.netMinor), 0);
    expect(net).toBe(180000);
  });

  it("reports a CLBD that disagrees as a mismatch with the difference", async () => {
    const broken = text.replace('<Amt Ccy="EUR">2800.00</Amt>', '<Amt Ccy="EUR">2790.00</Amt>');
    const { control } = await parseText(camt053Parser, broken);
    expect(control.control).toBe("mismatch");
    expect(control.controlDetail).toContain("but CLBD is 2790.00 EUR (difference -10.00 EUR)");
  });

  it("rejects an unreadable amount naming the field, and keeps going", async () => {
    const broken = text.replace('<Amt Ccy="EUR">2.50</Amt>', '<Amt Ccy="EUR">2,50</Amt>');
    const { rejected, lines } = await parseText(camt053Parser, broken);
    expect(rejected.map((r) => r.reason)).toContainEqual(
      expect.stringMatching(/^Ntry at line \d+: Amt: "2,50"/),
    );
    expect(lines).toHaveLength(9);
  });

  it("throws UnreadableFileError with the line when the XML is truncated, after the complete entries", async () => {
    const cut = text.slice(0, text.indexOf("<!-- E4"));
    const records: unknown[] = [];
    const error = await (async () => {
      try {
        for await (const record of camt053Parser.parse(chunked(cut, 100), {})) records.push(record);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(UnreadableFileError);
    expect((error as UnreadableFileError).source).toBe(cut.split("\n").length);
    expect(records).toHaveLength(6); // E1, E2 (2), E3 (3) were complete
  });

  it("throws on broken XML naming the line", async () => {
    const broken = text.replace("<Sts>BOOK</Sts>", "<Sts>BOOK</Stst>");
    await expect(parseText(camt053Parser, broken)).rejects.toThrow(/not well-formed XML/);
    await expect(parseText(camt053Parser, broken)).rejects.toMatchObject({
      name: "UnreadableFileError",
      source: lineOf(broken, "</Stst>"),
    });
  });

  it("refuses a camt.054 given to the camt.053 parser, and a non-camt XML", async () => {
    await expect(parseText(camt053Parser, fixture("camt054-v04-card-batch.xml"))).rejects.toThrow(
      /camt\.054\.001\.04 message .* not camt\.053/,
    );
    await expect(parseText(camt053Parser, "<?xml version='1.0'?><html><body/></html>")).rejects.toThrow(
      /not a camt\.053 file: <html> holds no <BkToCstmrStmt>/,
    );
  });
});

describe("camt.053.001.04 with two statements", () => {
  const text = fixture("camt053-v04-multi-statement.xml");

  it("reads TxDtls/Amt with its own CdtDbtInd (a refund netted inside a card batch)", async () => {
    const { lines } = await parseText(camt053Parser, text);
    expect(lines.slice(0, 3).map((l) => [l.merchantReference, l.direction, l.netMinor, l.kind])).toEqual([
      ["SALE-1", "credit", 45000, "payout"],
      ["SALE-2", "credit", 6000, "payout"],
      ["REFUND-1", "debit", 1000, "other"],
    ]);
  });

  it("reads v4 charges and takes the account per statement (IBAN, then Othr/Id)", async () => {
    const { lines } = await parseText(camt053Parser, text);
    expect(lines[3]).toMatchObject({ kind: "fee", feeMinor: 2000, merchantId: "NL91ABNA0417164300" });
    expect(lines[4]).toMatchObject({
      currency: "USD",
      merchantId: "0987654321",
      merchantReference: "PO-USD-9",
    });
  });

  it("checks each statement, PRCD standing in for OPBD", async () => {
    const { control } = await parseText(camt053Parser, text);
    expect(control.control).toBe("ok");
    expect(control.controlDetail).toContain("PRCD 100.00 USD + booked entries 25.00 USD = CLBD 125.00 USD");
  });
});

describe("camt.053.001.08 with five-decimal amounts", () => {
  const text = fixture("camt053-v08-five-decimals.xml");

  it("accepts extra decimals that are zeros, rejects non-zero ones naming Amt", async () => {
    const { lines, rejected } = await parseText(camt053Parser, text);
    expect(lines[0]).toMatchObject({
      netMinor: 1234,
      valueDate: "2024-09-02",
      merchantReference: "E2E-V8-1",
    });
    expect(rejected).toEqual([
      {
        type: "rejected",
        source: lineOf(text, "<Ntry>", "0.12345 EUR"),
        reason: expect.stringContaining('Amt: "0.12345" has 5 decimals, the currency has 2'),
      },
    ]);
  });

  it("uses the UETR as reference when nothing else identifies the transfer", async () => {
    const { lines } = await parseText(camt053Parser, text);
    expect(lines[1]?.reference).toBe("8e2c1d4a-3b5f-4a6e-9d7c-1a2b3c4d5e6f");
  });

  it("reports the balance gap left by the rejected entry as a mismatch", async () => {
    const { control } = await parseText(camt053Parser, text);
    expect(control.control).toBe("mismatch");
    expect(control.controlDetail).toContain("(difference 0.12 EUR)");
    expect(control.controlDetail).toContain("1 unreadable entries are not in the sums");
  });
});

describe("camt.054", () => {
  it("splits a JPY card batch (no minor units) and rejects the INFO entry", async () => {
    const text = fixture("camt054-v04-card-batch.xml");
    const { lines, rejected, control } = await parseText(camt054Parser, text);
    expect(lines.map((l) => [l.merchantReference, l.netMinor, l.currency, l.batchReference])).toEqual([
      ["ORD-A", 1500, "JPY", "CARD-PAYOUT-0331"],
      ["ORD-B", 2500, "JPY", "CARD-PAYOUT-0331"],
      ["ORD-C", 0, "JPY", "CARD-PAYOUT-0331"],
    ]);
    expect(rejected[0]?.reason).toContain("status INFO");
    expect(control.control).toBe("absent");
  });

  it("falls back to the notification's creation date when an entry has no ValDt/BookgDt", async () => {
    const { lines } = await parseText(camt054Parser, fixture("camt054-v08-no-dates.xml"));
    expect(lines).toEqual([
      expect.objectContaining({ valueDate: "2024-10-07", merchantReference: "TWINT-SETTLE-1007" }),
    ]);
  });

  it("refuses a camt.053 given to the camt.054 parser", async () => {
    await expect(parseText(camt054Parser, fixture("camt053-v04-multi-statement.xml"))).rejects.toThrow(
      UnreadableFileError,
    );
  });
});

/** A minimal statement in any version's namespace (the parts every version shares). */
function minimalStatement(version: string, entryStatus: string): string {
  return `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}"><BkToCstmrStmt>
<GrpHdr><MsgId>M</MsgId><CreDtTm>2024-01-02T00:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S</Id><Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">9.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-02</Dt></Dt></Bal>
<Ntry><Amt Ccy="GBP">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>${entryStatus}<ValDt><Dt>2024-01-02</Dt></ValDt></Ntry>
</Stmt></BkToCstmrStmt></Document>`;
}

describe("camt.053 namespaces 001.02 to 001.08", () => {
  it.each(["02", "03", "04", "05", "06", "07", "08"])("reads version 001.%s", async (version) => {
    const status = Number(version) >= 5 ? "<Sts><Cd>BOOK</Cd></Sts>" : "<Sts>BOOK</Sts>";
    const text = minimalStatement(version, status);
    expect(camt053Parser.sniff(text, {})).toBeGreaterThanOrEqual(0.9);
    const { lines, control } = await parseText(camt053Parser, text, 5);
    expect(lines).toEqual([
      expect.objectContaining({ netMinor: 1000, currency: "GBP", valueDate: "2024-01-02" }),
    ]);
    expect(control).toMatchObject({ control: "ok" }); // a debit opening balance: -1.00 + 10.00 = 9.00
  });

  it("reads a camt.052 intraday report through readCamt (not registered: SettlementFormat has no camt052)", async () => {
    const text = minimalStatement("02", "<Sts>BOOK</Sts>")
      .replaceAll("camt.053", "camt.052")
      .replaceAll("BkToCstmrStmt", "BkToCstmrAcctRpt")
      .replaceAll("Stmt>", "Rpt>");
    const records = [];
    for await (const record of readCamt(chunked(text, 9), "camt.052")) records.push(record);
    expect(records).toEqual([expect.objectContaining({ type: "line", netMinor: 1000 })]);
  });

  it("accepts a Business Application Header wrapper and a document without namespace", async () => {
    const inner = minimalStatement("07", "<Sts>BOOK</Sts>").replace(
      /^<Document[^>]*>/,
      "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.07'>",
    );
    const wrapped = `<message><AppHdr xmlns='urn:iso:std:iso:20022:tech:xsd:head.001.001.01'><MsgDefIdr>camt.053.001.07</MsgDefIdr></AppHdr>${inner}</message>`;
    expect((await parseText(camt053Parser, wrapped)).lines).toHaveLength(1);
    const bare = minimalStatement("02", "<Sts>BOOK</Sts>").replace(/ xmlns="[^"]*"/, "");
    expect((await parseText(camt053Parser, bare)).lines).toHaveLength(1);
  });
});
