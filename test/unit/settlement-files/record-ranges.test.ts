import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { parseAcquirerCsvMappings } from "../../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import {
  type ReadSettlementFileOptions,
  readSettlementFile,
} from "../../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import { RecordBoundaryTracker } from "../../../functions/domain/settlement-files/decoding/record-boundaries.js";
import {
  isRecordRange,
  isSplittable,
  planRecordRanges,
  type RecordRange,
  type RecordRangePlan,
  readRecordRange,
} from "../../../functions/domain/settlement-files/decoding/record-ranges.js";
import type { ParserOutput } from "../../../functions/domain/settlement-files/format-parser.js";
import { chunksOf } from "./support.js";

/** An acquirer layout with footer lines the reader skips (`# ...`) and a control line. */
const acquirerCsv = parseAcquirerCsvMappings({
  acquirer: "quotes-test",
  columns: {
    reference: "txn_id",
    merchantReference: "order_no",
    merchantId: "merchant",
    net: "net",
    currency: "currency",
    valueDate: "settle_date",
  },
  ignoreLines: ["^# "],
  controlLine: "^TOTAL,(?<count>\\d+)",
  maxPreambleLines: 3,
});
const HEADER = "txn_id,order_no,merchant,net,currency,settle_date";
const row = (id: string, order: string) => `${id},${order},m-1,9.94,CNY,2026-10-08`;
const skipping: ReadSettlementFileOptions = { acquirerCsv, fileName: "quotes.csv" };
/** The same layout without lines to skip. */
const plain: ReadSettlementFileOptions = {
  acquirerCsv: acquirerCsv.map(({ ignoreLines: _i, controlLine: _c, ...mapping }) => ({
    ...mapping,
    ignoreLines: [],
  })),
  fileName: "quotes.csv",
};
let options = skipping;

/** What the single-Lambda reader gives: every record with its line. */
async function wholeRecords(bytes: Uint8Array, piece: number): Promise<ParserOutput[]> {
  const out: ParserOutput[] = [];
  for await (const record of readSettlementFile(chunksOf(bytes, piece), options))
    if (record.type !== "summary") out.push(record);
  return out;
}

function plan(bytes: Uint8Array, chunkBytes: number, piece: number): Promise<RecordRangePlan> {
  return planRecordRanges(chunksOf(bytes, piece), { ...options, size: bytes.length, chunkBytes });
}

/** What the chunk workers give: each range read alone (prefix + its bytes), lines shifted back. */
async function chunkRecords(
  bytes: Uint8Array,
  planned: RecordRangePlan,
  range: RecordRange,
  piece: number,
): Promise<ParserOutput[]> {
  const out: ParserOutput[] = [];
  const read = readRecordRange((start, end) => chunksOf(bytes.subarray(start, end), piece), range);
  for await (const record of readSettlementFile(read, {
    ...options,
    ...(planned.format ? { format: planned.format } : {}),
    ...(planned.encoding ? { encoding: planned.encoding } : {}),
  })) {
    if (record.type !== "summary") out.push({ ...record, source: record.source + range.lineOffset });
  }
  return out;
}

/**
 * Plans the file at every range size from 1 byte to the whole file, streamed in pieces of 64 bytes
 * (and of 1 and 5 bytes at every 7th size), and checks that the chunks give exactly the single
 * read's records, line numbers included; returns how many ranges the smallest size made.
 */
async function expectEverySplitReadsAsWhole(
  text: string | Uint8Array,
  layout: ReadSettlementFileOptions = skipping,
): Promise<number> {
  options = layout;
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const whole = await wholeRecords(bytes, 64);
  expect(whole.length).toBeGreaterThan(0);
  let most = 0;
  for (const piece of [64, 1, 5]) {
    expect(await wholeRecords(bytes, piece)).toEqual(whole);
    const byRange = new Map<string, ParserOutput[]>();
    for (let chunkBytes = 1; chunkBytes <= bytes.length; chunkBytes += piece === 64 ? 1 : 7) {
      const planned = await plan(bytes, chunkBytes, piece);
      expect(planned.splittable).toBe(true);
      const ranges = planned.ranges;
      most = Math.max(most, ranges.length);
      // The ranges tile the file after its prefix.
      expect(ranges[0]?.start).toBe(ranges[0]?.headerBytes);
      expect(ranges.at(-1)?.end).toBe(bytes.length);
      expect(ranges.slice(1).map((range) => range.start)).toEqual(
        ranges.slice(0, -1).map((range) => range.end),
      );
      const chunked: ParserOutput[] = [];
      for (const range of ranges) {
        const key = `${range.start}-${range.end}`;
        let records = byRange.get(key);
        if (!records) {
          records = await chunkRecords(bytes, planned, range, piece);
          byRange.set(key, records);
        }
        chunked.push(...records);
      }
      expect([piece, chunkBytes, chunked]).toEqual([piece, chunkBytes, whole]);
    }
  }
  return most;
}

describe("record ranges: a plan read once, chunks that read like the whole file", () => {
  it("plain lines: LF, blank lines, a skipped footer, no final line break", async () => {
    const text = ["# export of 2026-10-08", HEADER, row("a", "O-1"), "", row("b", "O-2"), "# page 2"];
    text.push(row("c", "O-3"), ",,,,,", row("d", "O-4"), "TOTAL,4");
    // Any line start between records may start a range (a footer, a line of commas), but for a
    // blank line that begins with its LF: 7 at 1-byte ranges.
    expect(await expectEverySplitReadsAsWhole(text.join("\n"))).toBe(7);
  });

  it("quoted fields across lines (CRLF inside quotes, blank lines, lines that look like records, escaped quotes)", async () => {
    const text = [
      HEADER,
      row("a", '"O-1 ""quoted"", with a comma"'),
      row("b", '"O-2 first line\r\nsecond line'),
      "",
      `${row("fake", "O-x")}`,
      'third, last line"',
      row("c", '"O-3\n"'),
      row("d", '"O-4"'),
      '"e","O-5","m-1","9.94","CNY","2026-10-08"',
      row("f", "O-6"),
    ].join("\r\n");
    // Records a to f start a range each at 1-byte ranges; b's field spans five lines, c's two.
    expect(await expectEverySplitReadsAsWhole(`${text}\r\n`, plain)).toBe(6);
    // Where the layout skips lines, c's second line ('",m-1,…') might be a skipped line, or one that
    // opens a quote, which d's quote closes: no range starts on d.
    expect(await expectEverySplitReadsAsWhole(`${text}\r\n`, skipping)).toBe(5);
  });

  it("lone CR line breaks, and a quoted field ending on one", async () => {
    const text = [HEADER, row("a", '"O-1\rcontinued"'), row("b", "O-2"), "", row("c", "O-3")].join("\r");
    // a, b, the blank line (it begins with its CR) and c.
    expect(await expectEverySplitReadsAsWhole(`${text}\r`)).toBe(4);
    // Mixed: the prefix ends with a lone CR, a blank LF line follows a record.
    const mixed = `${HEADER}\r${row("a", "O-1")}\n\n${row("b", "O-2")}\r\n${row("c", "O-3")}`;
    await expectEverySplitReadsAsWhole(mixed);
  });

  it("quotes that open nothing: in the middle of a field, after a closing quote, on skipped footer lines", async () => {
    const text = [
      HEADER,
      row("a", 'O"1'), // a quote inside an unquoted field is a character
      row("b", '"O-2"x"y'), // junk after the closing quote, a quote in it
      '# note,"unbalanced', // skipped by the reader, so it opens nothing (read, it would)
      row("c", "O-3"),
      row("d", '"O-4'), // opens a field that the next line closes
      'end"',
      row("e", "O-5"),
    ].join("\n");
    await expectEverySplitReadsAsWhole(`${text}\n`);
  });

  it("an unterminated quote near the end: one rejected record naming its line, the lines after it read again", async () => {
    const text = [HEADER, row("a", "O-1"), row("b", '"O-2 never closed'), row("c", "O-3"), row("d", "O-4")];
    const bytes = Buffer.from(`${text.join("\n")}\n`);
    const whole = await wholeRecords(bytes, 64);
    expect(whole.map((r) => [r.type, r.source])).toEqual([
      ["line", 2],
      ["rejected", 3],
      ["line", 4],
      ["line", 5],
    ]);
    // No range starts after the open quote: a and b each start one at 1-byte ranges, c and d stay with b.
    expect(await expectEverySplitReadsAsWhole(bytes)).toBe(2);
  });

  it("an unterminated quote far from the end: the reader gives up after 20 lines, and so does the plan", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(`r${i}`, `O-${i}`));
    rows[3] = row("r3", '"O-3 never closed');
    const text = `${[HEADER, ...rows].join("\n")}\n`;
    const whole = await wholeRecords(Buffer.from(text), 64);
    expect(whole.filter((r) => r.type === "rejected").map((r) => r.source)).toEqual([5]);
    // r0..r3 start a range each, then none while the quote is open (20 lines), then one per record again.
    expect(await expectEverySplitReadsAsWhole(text)).toBe(4 + 30 - 23);
  });

  it("a quote before the header that the reader rejects as a record: not split", async () => {
    const text = [
      `title`,
      '"unterminated',
      HEADER,
      ...Array.from({ length: 25 }, (_, i) => row(`r${i}`, "O")),
    ];
    const bytes = Buffer.from(`${text.join("\n")}\n`);
    const planned = await plan(bytes, 10, 64);
    expect(planned).toMatchObject({
      splittable: false,
      reason: expect.stringMatching(/before the first record/),
    });
  });

  it("pins the encoding the whole file reads as: a chunk alone may judge its own bytes otherwise", async () => {
    // Windows-1252 (ü = FC is not UTF-8); a later record holds C3 A9, which alone reads as UTF-8 "é".
    const rows = [HEADER, row("a", "Müller"), ...Array.from({ length: 5 }, (_, i) => row(`r${i}`, "x"))];
    rows.push(row("z", "CafÃ©"));
    const bytes = iconv.encode(`${rows.join("\n")}\n`, "windows-1252");
    const planned = await plan(bytes, 1, 64);
    expect(planned.encoding).toBe("windows-1252");
    const last = planned.ranges.at(-1) as RecordRange;
    const pinned = await chunkRecords(bytes, planned, last, 64);
    const guessed = await chunkRecords(bytes, { ...planned, encoding: undefined }, last, 64);
    const order = (records: ParserOutput[]) =>
      records.map((r) => (r.type === "line" ? r.merchantReference : r));
    expect(order(pinned).at(-1)).toBe("CafÃ©");
    expect(order(guessed).at(-1)).toBe("Café"); // what the pin prevents
    expect(await expectEverySplitReadsAsWhole(bytes)).toBeGreaterThan(1);

    expect((await plan(Buffer.from(`${rows.join("\n")}\n`), 200, 64)).encoding).toBe("utf-8");
    expect((await plan(Buffer.from(`${HEADER}\n${row("a", "O")}\n`), 5, 64)).encoding).toBeUndefined();
    const gb = iconv.encode(`${HEADER}\n${row("a", "订单一")}\n${row("b", "订单二")}\n`, "gb18030");
    expect((await plan(gb, 5, 64)).encoding).toBe("gb18030");
  });

  it("a delimiter that can be half of a GB18030 character is not followed in GB18030 bytes", async () => {
    const pipes = parseAcquirerCsvMappings({
      acquirer: "pipes",
      delimiter: "|",
      columns: { reference: "txn_id", net: "net", valueDate: "settle_date" },
      defaultCurrency: "CNY",
    });
    const text = `txn_id|order|net|settle_date\na|订单|9.94|2026-10-08\nb|x|9.94|2026-10-08\n`;
    const planFor = (bytes: Uint8Array) =>
      planRecordRanges(chunksOf(bytes, 64), { acquirerCsv: pipes, size: bytes.length, chunkBytes: 1 });
    expect(await planFor(iconv.encode(text, "gb18030"))).toMatchObject({ splittable: false });
    expect(await planFor(Buffer.from(text))).toMatchObject({ splittable: true, encoding: "utf-8" });
  });

  it("reads the stream once, and only as far as the last range start", async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => row(`r${i}`, `O-${i}`));
    const bytes = Buffer.from(`${[HEADER, ...rows].join("\n")}\n`);
    let opened = 0;
    let pulled = 0;
    const counted = (size: number) => {
      opened += 1;
      return (async function* () {
        for await (const chunk of chunksOf(bytes, size)) {
          pulled += chunk.length;
          yield chunk;
        }
      })();
    };
    const four = await planRecordRanges(counted(64 * 1024), {
      ...options,
      size: bytes.length,
      chunkBytes: Math.ceil(bytes.length / 4),
    });
    expect(four.ranges).toHaveLength(4);
    expect([opened, pulled <= bytes.length, pulled > (bytes.length * 3) / 4]).toEqual([1, true, true]);
    opened = 0;
    pulled = 0;
    // One range (the ingest handler's "can it be split?"): only the head is read.
    const one = await planRecordRanges(counted(16 * 1024), {
      ...options,
      size: bytes.length,
      chunkBytes: bytes.length,
    });
    expect(one.ranges).toEqual([
      {
        index: 0,
        start: HEADER.length + 1,
        end: bytes.length,
        lineOffset: 0,
        headerBytes: HEADER.length + 1,
      },
    ]);
    expect([opened, pulled < 100 * 1024]).toEqual([1, true]);
    // A stream longer or shorter than the object's size is refused (when read to its end).
    for (const size of [bytes.length + 1, bytes.length - 10]) {
      await expect(planRecordRanges(chunksOf(bytes), { ...options, size, chunkBytes: 1 })).rejects.toThrow(
        /disagree with its size/,
      );
    }
  });

  it("a chunk reads the prefix and its range: two ranged reads, one for the range after the prefix", async () => {
    const calls: string[] = [];
    const openRange = async function* (start: number, end: number) {
      calls.push(`${start}-${end}`);
      yield new Uint8Array(end - start);
    };
    const read = async (range: Pick<RecordRange, "start" | "end" | "headerBytes">) => {
      calls.length = 0;
      let bytes = 0;
      for await (const chunk of readRecordRange(openRange, range)) bytes += chunk.length;
      return [calls.join(" "), bytes];
    };
    expect(await read({ headerBytes: 40, start: 40, end: 900 })).toEqual(["0-900", 900]);
    expect(await read({ headerBytes: 40, start: 900, end: 1500 })).toEqual(["0-40 900-1500", 640]);
  });

  it("knows its own items, and refuses containers and unsplittable formats", () => {
    expect(isRecordRange({ index: 1, start: 50, end: 90, lineOffset: 3, headerBytes: 20 })).toBe(true);
    expect(isRecordRange({ index: 1, start: 50, end: 90, headerLines: 1 })).toBe(false); // an older plan's
    expect(isRecordRange({ index: 1, start: 50, end: 50, lineOffset: 3, headerBytes: 20 })).toBe(false);
    expect(isRecordRange({ index: 1, start: 10, end: 90, lineOffset: 3, headerBytes: 20 })).toBe(false);
    const csv = Buffer.from("a,b\n");
    expect(isSplittable(csv, "acquirer-csv")).toBe(true);
    expect(isSplittable(Buffer.from([0x1f, 0x8b, 8, 0]), "acquirer-csv")).toBe(false);
    expect(isSplittable(Buffer.from([0x50, 0x4b, 3, 4]), "acquirer-csv")).toBe(false);
    expect(isSplittable(csv, "mt940")).toBe(false);
  });
});

describe("record boundary tracker", () => {
  it("follows an open quoted field, and gives up on it after 20 lines as the reader does", () => {
    const tracker = new RecordBoundaryTracker({ delimiter: ",", skipsLines: false });
    tracker.line('a,"open', 1);
    expect(tracker.betweenRecords).toBe(false);
    tracker.line('closed",b', 2);
    expect(tracker.betweenRecords).toBe(true);
    // Opened at line 3, still open 19 lines later; the reader gives up on line 3 at its 20th line.
    tracker.line('a,"open', 3);
    for (let line = 4; line <= 21; line += 1) {
      tracker.line("x,y", line);
      expect(tracker.betweenRecords).toBe(false);
    }
    tracker.line("x,y", 22);
    expect(tracker.betweenRecords).toBe(true);
    expect(tracker.needsLine(false)).toBe(false);
    expect(tracker.needsLine(true)).toBe(true);
  });

  it("where lines may be skipped, is between records only when every way of reading is", () => {
    for (const skipsLines of [false, true]) {
      const tracker = new RecordBoundaryTracker({ delimiter: ",", skipsLines });
      tracker.line('"note', 1); // skipped (between records), or a quoted field opened
      tracker.line('x",y', 2);
      tracker.line('"open', 3); // read: opened; skipped: between records
      expect(tracker.betweenRecords).toBe(false);
      tracker.line('b",c', 4); // closes line 3's field; had line 3 been skipped, it reads as a record
      expect([skipsLines, tracker.betweenRecords]).toEqual([skipsLines, true]);
      tracker.line('",z', 5); // between records, read: opens a field
      expect([skipsLines, tracker.betweenRecords]).toEqual([skipsLines, false]);
    }
  });
});
