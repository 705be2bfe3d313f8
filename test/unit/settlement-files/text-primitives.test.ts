import { describe, expect, it } from "vitest";
import {
  decimalToMinor,
  FieldError,
  integerMinor,
  minorToDecimal,
  rescaleHalfUp,
} from "../../../functions/domain/settlement-files/text/amounts.js";
import { datePatternReader, datePrefix } from "../../../functions/domain/settlement-files/text/dates.js";
import {
  columnCountProblem,
  HeaderIndex,
  RecordAssembler,
  splitDelimited,
} from "../../../functions/domain/settlement-files/text/delimited.js";
import { LineSplitter } from "../../../functions/domain/settlement-files/text/line-splitter.js";

describe("decimalToMinor (string arithmetic, never floats)", () => {
  it.each([
    ["12.34", 2, 1234],
    ["0", 2, 0],
    ["0.0", 2, 0],
    ["-0.00", 2, 0],
    [".8", 2, 80],
    ["12.", 2, 1200],
    ["+3", 2, 300],
    ["-0.02000", 5, -2000],
    [" 7.1 ", 2, 710],
    ["1000", 0, 1000],
    ["1.234", 3, 1234],
    ["0.30000", 2, 30], // trailing zeros beyond the digits are fine
    ["90071992547.40", 2, 9007199254740],
  ])("%s at %i digits → %i", (raw, digits, expected) => {
    expect(decimalToMinor(raw, digits, "x")).toBe(expected);
  });

  it("never suffers binary rounding (0.1 + 0.2 style inputs)", () => {
    expect(decimalToMinor("1.15", 2, "x")).toBe(115);
    expect(decimalToMinor("4.35", 2, "x")).toBe(435);
    expect(decimalToMinor("1.005", 3, "x")).toBe(1005);
  });

  it("rejects non-numbers naming the field", () => {
    for (const raw of ["", "abc", "1.2.3", "1,5", "--1", "1e5", "¥30.00"]) {
      expect(() => decimalToMinor(raw, 2, "应结订单金额")).toThrow(/应结订单金额/);
    }
    expect(() => decimalToMinor("1", 2, "x")).not.toThrow();
  });

  it("rejects excess decimals unless half-up rounding is asked for", () => {
    expect(() => decimalToMinor("0.045", 2, "手续费")).toThrow(FieldError);
    expect(decimalToMinor("0.045", 2, "f", { excessDigits: "half-up" })).toBe(5);
    expect(decimalToMinor("0.04499", 2, "f", { excessDigits: "half-up" })).toBe(4);
    expect(decimalToMinor("-0.045", 2, "f", { excessDigits: "half-up" })).toBe(-5);
  });

  it("reads a decimal comma when told", () => {
    expect(decimalToMinor("12,5", 2, "x", { decimalSeparator: "," })).toBe(1250);
    expect(() => decimalToMinor("12.5", 2, "x", { decimalSeparator: "," })).toThrow(FieldError);
  });

  it("refuses amounts beyond the safe integer range", () => {
    expect(() => decimalToMinor("99999999999999999.00", 2, "x")).toThrow(/too large/);
  });
});

describe("rescaleHalfUp (WeChat 5-decimal fees to fen)", () => {
  it.each([
    [60000, 60],
    [7500, 8], // 0.07500 → 0.08: half rounds away from zero
    [7499, 7],
    [52800, 53],
    [-18000, -18],
    [-3006, -3],
    [-2500, -3],
    [-2400, -2],
    [0, 0],
  ])("%i (1e-5) → %i fen", (value, expected) => {
    expect(rescaleHalfUp(value, 5, 2)).toBe(expected);
  });
  it("scales up exactly", () => {
    expect(rescaleHalfUp(12, 0, 2)).toBe(1200);
  });
});

describe("integerMinor / minorToDecimal", () => {
  it("reads zero-padded fen", () => {
    expect(integerMinor("000002500000", "交易金额")).toBe(2500000);
    expect(() => integerMinor("12.5", "交易金额")).toThrow(/交易金额/);
  });
  it("renders", () => {
    expect(minorToDecimal(-2000, 5)).toBe("-0.02000");
    expect(minorToDecimal(15750, 2)).toBe("157.50");
    expect(minorToDecimal(964, 0)).toBe("964");
  });
});

describe("dates", () => {
  it("takes the written date of a timestamp, no zone conversion", () => {
    expect(datePrefix("2025-03-01 23:59:59", "t")).toBe("2025-03-01");
    expect(datePrefix("2014-11-10 16：33：45", "t")).toBe("2014-11-10");
    expect(datePrefix("2019/7/5", "t")).toBe("2019-07-05");
    expect(datePrefix("20170625", "t")).toBe("2017-06-25");
    expect(datePrefix("2019年09月16日 00:00:00", "t")).toBe("2019-09-16");
  });
  it("rejects impossible dates", () => {
    expect(() => datePrefix("2025-02-30 10:00:00", "交易时间")).toThrow(/交易时间/);
    expect(() => datePrefix("2025-13-01", "t")).toThrow(FieldError);
    expect(datePrefix("2024-02-29", "t")).toBe("2024-02-29");
    expect(() => datePrefix("2100-02-29", "t")).toThrow(FieldError);
    expect(() => datePrefix("", "t")).toThrow(FieldError);
  });
  it("reads configured patterns", () => {
    expect(datePatternReader("DD.MM.YYYY")("04.03.2025 10:00", "d")).toBe("2025-03-04");
    expect(datePatternReader("MM/DD/YYYY")("03/04/2025", "d")).toBe("2025-03-04");
    expect(datePatternReader("YYYYMMDD")("20250304", "d")).toBe("2025-03-04");
    expect(datePatternReader("D/M/YY")("4/3/25", "d")).toBe("2025-03-04");
    expect(() => datePatternReader("DD.MM.YYYY")("2025-03-04", "Value Date")).toThrow(/Value Date/);
    expect(() => datePatternReader("DD.MM")).toThrow(RangeError);
  });
});

describe("LineSplitter", () => {
  const split = (chunks: string[]) => {
    const s = new LineSplitter();
    const out: string[] = [];
    for (const c of chunks) out.push(...s.push(c));
    out.push(...s.end());
    return out;
  };

  it("handles LF, CRLF, lone CR and a missing final newline", () => {
    expect(split(["a\nb\r\nc\rd"])).toEqual(["a", "b", "c", "d"]);
    expect(split(["a\n\nb\n"])).toEqual(["a", "", "b"]);
  });

  it("gives the same lines whatever the chunk boundaries (CRLF split across chunks included)", () => {
    const text = "h1,h2\r\nv1,v2\r\n\r\nlast\r\n";
    const expected = ["h1,h2", "v1,v2", "", "last"];
    for (let size = 1; size <= text.length; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(split(chunks)).toEqual(expected);
    }
  });

  it("refuses an endless line", () => {
    const s = new LineSplitter(10);
    expect(() => s.push("x".repeat(11))).toThrow(/longer than 10/);
  });
});

describe("delimited fields", () => {
  it("splits RFC 4180 quoting", () => {
    expect(splitDelimited('a,"b,c","d""e",', ",")).toEqual(["a", "b,c", 'd"e', ""]);
    expect(splitDelimited('"x";y', ";")).toEqual(["x", "y"]);
    expect(splitDelimited("", ",")).toEqual([""]);
    expect(splitDelimited('"open', ",")).toBeNull();
    expect(splitDelimited('"蛋糕, 大"\t,1', ",")).toEqual(["蛋糕, 大\t", "1"]);
  });

  it("joins a quoted field across lines and recovers from a never-closed quote", () => {
    const a = new RecordAssembler(",", 3);
    expect(a.push('1,"two', 1)).toEqual([]);
    expect(a.push('lines",x', 2)).toEqual([{ fields: ["1", "two\nlines", "x"], line: 1 }]);
    expect(a.push('2,"oops', 3)).toEqual([]);
    expect(a.push("3,b", 4)).toEqual([]);
    // third pending line: give up on line 3, re-read lines 4 and 5 as records
    expect(a.push("4,c", 5)).toEqual([
      { unterminated: true, line: 3 },
      { fields: ["3", "b"], line: 4 },
      { fields: ["4", "c"], line: 5 },
    ]);
    expect(a.push('5,"x', 6)).toEqual([]);
    expect(a.end()).toEqual([{ unterminated: true, line: 6 }]);
  });

  it("finds columns by normalised name (full-width parentheses, case, spaces, BOM)", () => {
    const h = new HeaderIndex(["\uFEFF收支金额（元）", "Net Credit (NC)", "Psp Reference"]);
    expect(h.find("收支金额(元)")).toBe(0);
    expect(h.find("net credit (nc)")).toBe(1);
    expect(h.find("nope", "PSP reference")).toBe(2);
    expect(h.has("nope")).toBe(false);
  });

  it("tolerates trailing empty fields but not missing ones", () => {
    const h = new HeaderIndex(["a", "b", "c"]);
    expect(columnCountProblem(["1", "2", "3", "", " "], h)).toBeNull();
    expect(columnCountProblem(["1", "2"], h)).toMatch(/expected 3 fields.*found 2/);
    expect(columnCountProblem(["1", "2", "3", "4"], h)).toMatch(/found 4/);
  });
});
