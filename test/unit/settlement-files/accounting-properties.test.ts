/**
 * Property-based tests (fast-check) of the reader's line accounting, for the text formats:
 *
 * - a file of N data records, any of them garbled (junk fields, a byte that is not UTF-8), ends as
 *   exactly N records - `line` or `rejected` - one per data line, in file order, whatever the
 *   chunking (each record's text holds a few non-ASCII characters, as real files do: the reader
 *   keeps a damaged file UTF-8 when well-formed characters outnumber damaged spots two to one);
 * - ANY bytes read as a format either throw the documented UnreadableFileError or yield records
 *   whose summary adds up (lines + rejected = records handed out, totals = the lines' sums), each
 *   source at most once and within the file.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ReadSettlementFileOptions } from "../../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import {
  type CurrencyTotals,
  type SettlementFormat,
  UnreadableFileError,
} from "../../../functions/domain/settlement-files/settlement-record.js";
import { TEST_CSV_MAPPING } from "../../support/settlement.js";
import { fixture, readAll } from "./support.js";

const RUNS = { numRuns: 60 };

/** Junk that stays on its line and inside its record: no line breaks, quotes, backquotes or slashes. */
const junk = fc
  .string({ minLength: 1, maxLength: 40, unit: "binary" })
  .map((s) => s.replace(/[\r\n"`/\u2028\u2029]/g, "x"))
  .filter((s) => s.trim() !== "");

/** One data record: its valid text, or garbled (junk appended / replaced, or a byte that is not UTF-8). */
type Row = { kind: "valid" } | { kind: "junk"; text: string } | { kind: "bad-byte"; at: number };
const row: fc.Arbitrary<Row> = fc.oneof(
  { arbitrary: fc.constant({ kind: "valid" } as const), weight: 3 },
  junk.map((text) => ({ kind: "junk", text }) as const),
  fc.nat(30).map((at) => ({ kind: "bad-byte", at }) as const),
);

interface Layout {
  name: string;
  format: SettlementFormat;
  options?: ReadSettlementFileOptions;
  /** The file's bytes for these rows, and the 1-based line of each row. */
  build: (rows: readonly Row[]) => { bytes: Buffer; lines: number[] };
}

const BAD = Buffer.from([0xff]);

/** A data line's bytes: valid, junk in place of the values after `keep` characters, or a stray 0xFF. */
function dataLine(valid: string, r: Row, keep: number): Buffer {
  if (r.kind === "valid") return Buffer.from(valid);
  if (r.kind === "junk") return Buffer.from(valid.slice(0, keep) + r.text);
  const bytes = Buffer.from(valid);
  const at = keep + (r.at % Math.max(1, bytes.length - keep));
  return Buffer.concat([bytes.subarray(0, at), BAD, bytes.subarray(at)]);
}

function assemble(parts: Array<Buffer | string>, eol: string): Buffer {
  return Buffer.concat(parts.flatMap((p) => [typeof p === "string" ? Buffer.from(p) : p, Buffer.from(eol)]));
}

const layouts: Layout[] = [
  {
    name: "acquirer CSV",
    format: "acquirer-csv",
    options: { acquirerCsv: TEST_CSV_MAPPING },
    build: (rows) => {
      const header = "txn_id,order_no,merchant,gross,fee,net,currency,settle_date,type";
      const data = rows.map((r, i) =>
        dataLine(`p${i},订单号码-${i},m-1,100.00,0.60,99.40,CNY,2026-10-08,PAY`, r, 3),
      );
      return { bytes: assemble([header, ...data], "\n"), lines: rows.map((_, i) => i + 2) };
    },
  },
  {
    name: "WeChat trade bill",
    format: "wechat-trade",
    build: (rows) => {
      const [header, template] = fixture("wechat/trade-ALL_2025-03-01.csv").toString("utf8").split("\r\n");
      const data = rows.map((r) => dataLine(template ?? "", r, 1));
      const summary = [
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
        "`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00",
      ];
      return {
        bytes: assemble([header ?? "", ...data, ...summary], "\r\n"),
        lines: rows.map((_, i) => i + 2),
      };
    },
  },
  {
    name: "MT940",
    format: "mt940",
    build: (rows) => {
      const head = [":20:STMT-P", ":25:DE00123456780000", ":28C:1/1", ":60F:C261007EUR1000,00"];
      const data = rows.flatMap((r, i) => [
        dataLine(`:61:2610071007CR${i + 1},00NTRFREF-${i}//B${i}`, r, 4),
        Buffer.from(`:86:Zahlung für Müller, Straße ${i}`),
      ]);
      const tail = [":62F:C261007EUR1000,00", "-"];
      return {
        bytes: assemble([...head, ...data, ...tail], "\r\n"),
        lines: rows.map((_, i) => head.length + 1 + 2 * i),
      };
    },
  },
  {
    name: "BAI2",
    format: "bai2",
    build: (rows) => {
      const head = ["01,BANK,ME,261008,0600,F1,,,2/", "02,ME,BANK,1,261007,2400,USD,2/", "03,123,,010,0,,/"];
      const data = rows.map((r, i) =>
        dataLine(`16,165,${(i + 1) * 100},0,BR${i},PO-${i},PAYOUT ÄÖÜ ÉÈ/`, r, 3),
      );
      const tail = ["49,0,0/", "98,0,1,0/", "99,0,1,0/"];
      // BAI2 sources are record numbers: here one record per physical line.
      return {
        bytes: assemble([...head, ...data, ...tail], "\n"),
        lines: rows.map((_, i) => head.length + 1 + i),
      };
    },
  },
];

function sums(
  lines: ReadonlyArray<{ currency: string; direction: string; netMinor: number }>,
): CurrencyTotals {
  const totals: CurrencyTotals = {};
  for (const line of lines) {
    const total = totals[line.currency] ?? { creditMinor: 0, debitMinor: 0 };
    totals[line.currency] = total;
    if (line.direction === "credit") total.creditMinor += line.netMinor;
    else total.debitMinor += line.netMinor;
  }
  return totals;
}

describe("line accounting, for any garbling of the data records", () => {
  it.each(layouts)("$name: N data records → N records, one per data line, in order", async (layout) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 97 }),
        async (rows, chunk) => {
          const { bytes, lines } = layout.build(rows);
          const read = await readAll(bytes, { format: layout.format, ...layout.options }, chunk);
          const records = read.records.filter((r) => r.type !== "summary");
          expect(records.map((r) => r.source)).toEqual(lines);
          expect(read.summary.lines + read.summary.rejected).toBe(rows.length);
          expect(read.summary.lines).toBe(read.lines.length);
          expect(read.summary.totals).toEqual(sums(read.lines));
          // Valid rows are read; a row with a byte that is not UTF-8 never is.
          rows.forEach((r, i) => {
            const record = records[i];
            if (r.kind === "valid") expect(record?.type).toBe("line");
            if (r.kind === "bad-byte") expect(record?.type).toBe("rejected");
          });
        },
      ),
      RUNS,
    );
  });
});

describe("any bytes, read as each text format", () => {
  const anyText = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    fc
      .tuple(fc.array(fc.string({ maxLength: 30 }), { maxLength: 15 }), fc.constantFrom("\n", "\r\n", "\r"))
      .map(([lines, eol]) => Buffer.from(lines.join(eol))),
    // A real head with random lines after it: gets past format checks into the records.
    fc
      .tuple(fc.constantFrom(...layouts), fc.array(fc.string({ maxLength: 40 }), { maxLength: 10 }))
      .map(([layout, lines]) =>
        Buffer.concat([layout.build([{ kind: "valid" }]).bytes, Buffer.from(lines.join("\n"))]),
      ),
  );

  it.each(layouts)("$name: UnreadableFileError, or records whose summary adds up", async (layout) => {
    await fc.assert(
      fc.asyncProperty(anyText, async (bytes) => {
        let read: Awaited<ReturnType<typeof readAll>>;
        try {
          read = await readAll(bytes, { format: layout.format, ...layout.options }, 13);
        } catch (error) {
          expect(error).toBeInstanceOf(UnreadableFileError);
          return;
        }
        const records = read.records.filter((r) => r.type !== "summary");
        expect(read.summary.lines + read.summary.rejected).toBe(records.length);
        expect(read.summary.totals).toEqual(sums(read.lines));
        const sources = records.map((r) => r.source);
        expect(new Set(sources).size).toBe(sources.length);
        const physicalLines = bytes.toString("latin1").split(/\r\n|\r|\n/).length;
        for (const source of sources) expect(source >= 1 && source <= physicalLines).toBe(true);
        for (const line of read.lines)
          expect(Number.isSafeInteger(line.netMinor) && line.netMinor >= 0).toBe(true);
      }),
      RUNS,
    );
  });
});
