import { describe, expect, it } from "vitest";
import { parseSettlementObjectKey } from "../../functions/adapters/s3/s3-settlement-files.js";

describe("settlement file S3 keys", () => {
  it("reads the acquirer, the optional day and the file name", () => {
    expect(parseSettlementObjectKey("incoming/wechatpay/2026-10-08/All+bill.csv.gz")).toEqual({
      acquirer: "wechatpay",
      fileDay: "2026-10-08",
      fileName: "All bill.csv.gz",
    });
    expect(parseSettlementObjectKey("incoming/acme-pay/%E5%AF%B9%E8%B4%A6.csv")).toEqual({
      acquirer: "acme-pay",
      fileDay: undefined,
      fileName: "对账.csv",
    });
  });

  it.each([
    "elsewhere/wechatpay/a.csv",
    "incoming/WeChat/a.csv",
    "incoming/wechatpay/",
    "incoming/wechatpay/8-10-2026/a.csv",
    "incoming/a/b/c/d.csv",
  ])("refuses %s with the expected layout in the message", (key) => {
    expect(() => parseSettlementObjectKey(key)).toThrow(/incoming\/<acquirer>|YYYY-MM-DD/);
  });
});
