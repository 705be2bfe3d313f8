import { gzipSync } from "node:zlib";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { chooseZipEntry } from "../../../functions/domain/settlement-files/decoding/containers.js";
import { readSettlementFile } from "../../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import {
  AdaptiveTextDecoder,
  decodeText,
} from "../../../functions/domain/settlement-files/decoding/text-decoding.js";
import { UnreadableFileError } from "../../../functions/domain/settlement-files/settlement-record.js";
import { chunksOf, fixture, gbk, makeZip, readAll } from "./support.js";

async function decodeAll(bytes: Uint8Array, chunk: number, encoding?: string) {
  let detected = "";
  let text = "";
  for await (const t of decodeText(chunksOf(bytes, chunk), {
    ...(encoding ? { encoding } : {}),
    onEncoding: (e) => {
      detected = e;
    },
  })) {
    text += t;
  }
  return { text, detected };
}

describe("text decoding", () => {
  const chinese = "交易时间,商户号\n`2025-03-01 09:15:02,`咖啡,大杯\n";

  it("strips a UTF-8 BOM and decodes UTF-8, whatever the chunking", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(chinese)]);
    for (const size of [1, 2, 3, 5, 4096]) {
      expect(await decodeAll(bytes, size)).toEqual({ text: chinese, detected: "utf-8" });
    }
  });

  it("detects GBK from the first non-ASCII bytes, even after a long ASCII stretch", async () => {
    const ascii = `${"S22 0000 ascii only\n".repeat(10_000)}`;
    const bytes = Buffer.concat([Buffer.from(ascii), gbk("账户充值 商户自定义域\n")]);
    for (const size of [1, 7, 64 * 1024]) {
      const { text, detected } = await decodeAll(bytes, size);
      expect(detected).toBe("gb18030");
      expect(text.endsWith("账户充值 商户自定义域\n")).toBe(true);
      expect(text.length).toBe(ascii.length + 12);
    }
  });

  it("falls back to Windows-1252 for non-CJK legacy text", async () => {
    const bytes = iconv.encode(":86:Überweisung Müller Straße, Zürich\n", "windows-1252");
    expect(await decodeAll(bytes, 3)).toEqual({
      text: ":86:Überweisung Müller Straße, Zürich\n",
      detected: "windows-1252",
    });
  });

  it("detects Central European text: ISO-8859-2, or Windows-1250 when it uses 80-9F", async () => {
    const polish = ":86:OPŁATA ZA PRZEKAZ; DLA: ŚWINOUJŚCIE, URZĄD; WEWNĘTRZNY\n";
    expect(await decodeAll(iconv.encode(polish, "iso-8859-2"), 5)).toEqual({
      text: polish,
      detected: "iso-8859-2",
    });
    const w1250 = ":86:ZAKŁAD ŚRODOWISKA, źródło\n";
    expect(await decodeAll(iconv.encode(w1250, "windows-1250"), 5)).toEqual({
      text: w1250,
      detected: "windows-1250",
    });
    // A pound sign beside digits is Western text, not a Polish letter.
    const pounds = iconv.encode(":86:FEE £12,50 Müller\n", "windows-1252");
    expect((await decodeAll(pounds, 5)).detected).toBe("windows-1252");
  });

  it("rejects the one line of a UTF-8 bill holding an invalid byte, naming it, whatever the chunking", async () => {
    const bill = fixture("wechat/trade-ALL_2025-03-01.csv"); // CRLF, Chinese header
    const whole = await readAll(bill);
    // A stray 0xFF inside line 3 (the second order).
    const at = bill.indexOf(Buffer.from("POS-01"));
    const broken = Buffer.concat([bill.subarray(0, at), Buffer.from([0xff]), bill.subarray(at)]);
    for (const size of [1, 7, 4096]) {
      const read = await readAll(broken, {}, size);
      expect(read.rejected).toEqual([
        {
          type: "rejected",
          source: 3,
          reason: "the line holds a byte that is not valid UTF-8 (read as U+FFFD)",
        },
      ]);
      expect(read.lines.map((l) => l.source)).toEqual(
        whole.lines.map((l) => l.source).filter((n) => n !== 3),
      );
      expect(read.lines).toEqual(whole.lines.filter((l) => l.source !== 3));
    }
  });

  it("rejects an MT940 line whose :86: continuation holds the invalid byte", async () => {
    const text = Buffer.from(
      ":20:S1\n:25:DE00123\n:28C:1\n:60F:C261007EUR0,00\n:61:261007C10,00NTRFR-1\n:86:Zahlung Müller\n" +
        ":61:261007C5,00NTRFR-2\n:86:Zahlung Jürgen ?\n:62F:C261007EUR15,00\n-\n",
    );
    const bad = Buffer.from(text.toString("latin1").replace("?", "\xff"), "latin1");
    const read = await readAll(bad);
    expect(read.lines.map((l) => l.merchantReference)).toEqual(["R-1"]);
    expect(read.rejected).toEqual([
      {
        type: "rejected",
        source: 7,
        reason: expect.stringContaining("not valid UTF-8 (read as U+FFFD) (line 8)"),
      },
    ]);
  });

  it("decodes UTF-16LE with BOM and honours a forced encoding", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("id,金额\n", "utf16le")]);
    expect(await decodeAll(utf16, 1)).toEqual({ text: "id,金额\n", detected: "utf-16le" });
    const w1250 = iconv.encode("Łódź\n", "windows-1250");
    expect((await decodeAll(w1250, 2, "windows-1250")).text).toBe("Łódź\n");
  });

  it("reports pure ASCII as utf-8 and handles tiny inputs", async () => {
    expect(await decodeAll(Buffer.from("a"), 1)).toEqual({ text: "a", detected: "utf-8" });
    const d = new AdaptiveTextDecoder();
    expect(d.write(new Uint8Array([0xef]))).toBe("");
    expect(d.end()).toBe("\ufffd"); // a lone lead byte of UTF-8, cut off
  });
});

describe("containers", () => {
  const bill = fixture("wechat/trade-ALL_2025-03-01.csv");

  it("reads a gzipped bill like the plain one", async () => {
    const plain = await readAll(bill);
    const gz = await readAll(gzipSync(bill), {}, 100);
    expect(gz.records).toEqual(plain.records);
  });

  it("refuses a truncated gzip", async () => {
    const gz = gzipSync(bill);
    await expect(readAll(gz.subarray(0, gz.length - 30))).rejects.toThrow(
      /gzip data is corrupt or truncated/,
    );
  });

  it("reads the detail entry of an Alipay zip: GBK names without the UTF-8 flag, 汇总 entry first", async () => {
    const detail = gbk(fixture("alipay/20880211096256330156_20250301_业务明细.csv").toString("utf8"));
    const summary = gbk(fixture("alipay/20880211096256330156_20250301_业务明细(汇总).csv").toString("utf8"));
    const zip = makeZip([
      { name: "20880211096256330156_20250301_业务明细(汇总).csv", data: summary, gbkName: true },
      {
        name: "20880211096256330156_20250301_业务明细.csv",
        data: detail,
        gbkName: true,
        dataDescriptor: true,
      },
    ]);
    const seen: string[] = [];
    const result = await readAll(zip, { onDecoded: (i) => seen.push(`${i.container}:${i.entry}`) }, 333);
    expect(seen).toEqual(["zip:20880211096256330156_20250301_业务明细.csv"]);
    expect(result.summary).toMatchObject({ format: "alipay-detail", lines: 3, rejected: 0, control: "ok" });
  });

  it("picks an entry by name when asked, and refuses ambiguous or empty zips", async () => {
    const a = Buffer.from(fixture("wechat/trade-ALL_2025-03-01.csv"));
    const b = Buffer.from(fixture("wechat/trade-SUCCESS_2025-03-02.csv"));
    const zip = makeZip([
      { name: "a.csv", data: a, stored: true },
      { name: "b.csv", data: b },
    ]);
    await expect(readAll(zip)).rejects.toThrow(/several candidate entries/);
    expect((await readAll(zip, { zipEntry: "b.csv" })).summary.variant).toBe("SUCCESS");
    await expect(readAll(makeZip([]))).rejects.toThrow(/no detail entry/);
    await expect(readAll(Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(40)]))).rejects.toThrow(
      UnreadableFileError,
    );
  });

  it("chooses UnionPay's ZM entry over ZME and the summary", () => {
    expect(chooseZipEntry(["INN25030188ZM_898", "INN25030188ZME_898", "x_汇总.csv"])).toBe(
      "INN25030188ZM_898",
    );
    expect(chooseZipEntry(["dir/", "only.csv"])).toBe("only.csv");
  });

  it("refuses an empty file", async () => {
    await expect(readAll(Buffer.alloc(0))).rejects.toThrow(/empty file/);
    await expect(readAll("\n\n  \n")).rejects.toThrow(/no text/);
  });
});

describe("early stop", () => {
  it("closes the byte source when the consumer stops reading", async () => {
    const [header, row] = fixture("wechat/trade-ALL_2025-03-01.csv").toString("utf8").split("\r\n");
    const big = Buffer.from(`${header}\n${`${row}\n`.repeat(5000)}`);
    let closed = false;
    let read = 0;
    async function* source() {
      try {
        for (let i = 0; i < big.length; i += 1024) {
          read++;
          yield big.subarray(i, i + 1024);
        }
      } finally {
        closed = true;
      }
    }
    for await (const record of readSettlementFile(source())) {
      expect(record.type).toBe("line");
      break;
    }
    expect(closed).toBe(true);
    expect(read).toBeLessThan(big.length / 1024 / 10); // stopped near the head, not at the end
  });
});
