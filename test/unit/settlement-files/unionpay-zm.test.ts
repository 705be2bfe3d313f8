import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { zmSettlementDate } from "../../../functions/domain/settlement-files/unionpay/unionpay-zm.js";
import { readAll } from "./support.js";

// Field byte lengths of the 42-field ZM record (UnionPay file interface §6.1).
const LENGTHS = [
  3, 11, 11, 6, 10, 19, 12, 4, 2, 21, 2, 32, 2, 6, 10, 13, 13, 4, 15, 2, 2, 6, 2, 4, 32, 1, 21, 15, 1, 15, 32,
  13, 13, 8, 32, 13, 13, 12, 2, 1, 32, 98,
];

/** One record as GBK bytes: each field left-aligned and space-padded to its byte length. */
function zmRecord(values: Record<number, string>): Buffer {
  const fields = LENGTHS.map((len, i) => {
    const bytes = iconv.encode(values[i] ?? "", "gbk");
    if (bytes.length > len) throw new Error(`field ${i} too long`);
    return Buffer.concat([bytes, Buffer.alloc(len - bytes.length, 0x20)]);
  });
  const parts: Buffer[] = [];
  fields.forEach((f, i) => {
    if (i > 0) parts.push(Buffer.from(" "));
    parts.push(f);
  });
  return Buffer.concat(parts);
}

const base = {
  1: "48022901",
  2: "00040000",
  3: "005607",
  4: "0301215916",
  5: "622280*********0000",
  7: "5812",
  8: "07",
  10: "05",
  12: "01",
  17: "0201",
  19: "01",
  21: "000201",
  27: "898310000000001",
  33: "01080209",
};

const file = Buffer.concat(
  [
    zmRecord({
      ...base,
      0: "S22",
      6: "000002500000",
      9: "202503012159160056078",
      11: "ORDER20250301215916",
      15: "D000000000024",
      16: "C000002499976",
      30: "示例二级商户",
      32: "C000002499976",
      34: "备注：堂食",
    }),
    zmRecord({
      ...base,
      0: "S30",
      6: "000000010000",
      9: "202503011000000000001",
      11: "REFUND20250301",
      15: "C000000000006",
      16: "D000000009994",
      32: "D000000009994",
    }),
    zmRecord({
      ...base,
      0: "S22",
      6: "0000000X0000",
      9: "202503011000000000002",
      15: "D000000000001",
      32: "C000000000001",
    }),
    zmRecord({ ...base, 0: "S22", 6: "000000000100", 9: "", 15: "D000000000001", 32: "C000000000099" }),
  ].flatMap((r) => [r, Buffer.from("\n")]),
);

describe("UnionPay ZM reconciliation file", () => {
  it("dates the file from its name", () => {
    expect(zmSettlementDate("INN25030188ZM_898310000000001")).toBe("2025-03-01");
    expect(zmSettlementDate("INN17071888ZM_898319849000018")).toBe("2017-07-18");
    expect(zmSettlementDate("INN25023088ZM_x")).toBeNull();
    expect(zmSettlementDate("report.txt")).toBeNull();
  });

  it("reads fixed-width GBK byte fields (Chinese text does not shift later fields), D/C signs, fen", async () => {
    const { lines, rejected, summary } = await readAll(
      file,
      { fileName: "INN25030188ZM_898310000000001" },
      100,
    );
    expect(lines).toEqual([
      {
        type: "line",
        source: 1,
        reference: "202503012159160056078",
        merchantReference: "ORDER20250301215916",
        batchReference: null,
        merchantId: "898310000000001",
        direction: "credit",
        currency: "CNY",
        netMinor: 2499976,
        grossMinor: 2500000,
        feeMinor: 24,
        valueDate: "2025-03-01",
        kind: "payment",
      },
      expect.objectContaining({
        source: 2,
        kind: "refund",
        direction: "debit",
        grossMinor: 10000,
        feeMinor: -6,
        netMinor: 9994,
      }),
    ]);
    expect(rejected).toEqual([
      { type: "rejected", source: 3, reason: '交易金额: not an integer amount: "0000000X0000"' },
      { type: "rejected", source: 4, reason: "查询流水号: missing" },
    ]);
    expect(summary).toMatchObject({ format: "unionpay-zm", control: "absent", lines: 2, rejected: 2 });
  });

  it("refuses a ZM file whose name does not carry the settlement date", async () => {
    await expect(readAll(file, { format: "unionpay-zm", fileName: "download.bin" })).rejects.toThrow(
      /settlement date only in the file name/,
    );
  });

  it("rejects a short record instead of reading past its end", async () => {
    const short = Buffer.concat([file.subarray(0, 300), Buffer.from("\n")]);
    const { rejected } = await readAll(short, { fileName: "INN25030188ZM_898310000000001" });
    expect(rejected[0]?.reason).toMatch(/shorter than the \d+ needed/);
  });
});
