import { describe, expect, it } from "vitest";
import {
  expectedNetForGross,
  feeForGross,
  InvalidFeeRateError,
  parseFeeRate,
} from "../../../functions/domain/matching/fee-rate.js";

describe("parseFeeRate", () => {
  it("parses decimal strings exactly into numerator / power-of-ten denominator", () => {
    expect(parseFeeRate("0.006")).toEqual({ text: "0.006", numerator: 6n, denominator: 1000n });
    expect(parseFeeRate("0.0038")).toEqual({ text: "0.0038", numerator: 38n, denominator: 10000n });
    expect(parseFeeRate("0")).toEqual({ text: "0", numerator: 0n, denominator: 1n });
    expect(parseFeeRate("1")).toEqual({ text: "1", numerator: 1n, denominator: 1n });
    expect(parseFeeRate("1.000")).toEqual({ text: "1.000", numerator: 1000n, denominator: 1000n });
  });

  it.each(["", "0.6%", "-0.006", "1.01", "2", ".006", "0.", "6e-3", " 0.006", "0,006"])(
    "rejects %j",
    (text) => {
      expect(() => parseFeeRate(text)).toThrow(InvalidFeeRateError);
    },
  );
});

describe("feeForGross", () => {
  it("gross 10000 at 0.006 is a fee of exactly 60 (no float drift)", () => {
    expect(feeForGross(10000, "0.006")).toBe(60);
    expect(expectedNetForGross(10000, "0.006")).toBe(9940);
  });

  it("rounds half-up by default: ties go up, below-half goes down", () => {
    expect(feeForGross(250, "0.006")).toBe(2); // 1.5
    expect(feeForGross(75, "0.006")).toBe(0); // 0.45
    expect(feeForGross(9999, "0.006")).toBe(60); // 59.994
    expect(feeForGross(2632, "0.0038")).toBe(10); // 10.0016
  });

  it("supports half-even, down and up", () => {
    expect(feeForGross(250, "0.006", "half-even")).toBe(2); // 1.5 → 2 (even)
    expect(feeForGross(750, "0.006", "half-even")).toBe(4); // 4.5 → 4 (even)
    expect(feeForGross(750, "0.006", "half-up")).toBe(5);
    expect(feeForGross(9999, "0.006", "down")).toBe(59);
    expect(feeForGross(10001, "0.006", "up")).toBe(61); // 60.006
    expect(feeForGross(10000, "0.006", "up")).toBe(60); // exact: no rounding
  });

  it("stays exact at the top of the safe integer range", () => {
    // 9007199254740991 × 0.000001 = 9007199254.740991 → 9007199255
    expect(feeForGross(Number.MAX_SAFE_INTEGER, "0.000001")).toBe(9007199255);
  });

  it("refuses a negative or fractional gross", () => {
    expect(() => feeForGross(-1, "0.006")).toThrow(RangeError);
    expect(() => feeForGross(10.5, "0.006")).toThrow(RangeError);
  });
});
