import { describe, expect, it } from "vitest";
import {
  checkLineAgainstPayment,
  checkLineArithmetic,
  compareNetWithFeeRate,
  grossOfLine,
} from "../../../functions/domain/matching/fee-check.js";
import { line } from "./fixtures.js";

describe("compareNetWithFeeRate", () => {
  it("net 9940 for gross 10000 at 0.006 is exact", () => {
    expect(compareNetWithFeeRate({ grossMinor: 10000, netMinor: 9940, currency: "CNY" }, "0.006")).toEqual({
      expectedNetMinor: 9940,
      actualNetMinor: 9940,
      differenceMinor: 0,
      withinTolerance: true,
      detail:
        "net 99.40 CNY, expected 99.40 CNY = gross 100.00 CNY − fee 0.60 CNY (rate 0.006, half-up); difference 0.00 CNY, tolerance 0.01 CNY",
    });
  });

  it("net 9939 is within the default tolerance of 1 minor unit", () => {
    const result = compareNetWithFeeRate({ grossMinor: 10000, netMinor: 9939, currency: "CNY" }, "0.006");
    expect(result.differenceMinor).toBe(-1);
    expect(result.withinTolerance).toBe(true);
  });

  it("net 9900 is beyond tolerance, with both figures kept", () => {
    const result = compareNetWithFeeRate({ grossMinor: 10000, netMinor: 9900, currency: "CNY" }, "0.006");
    expect(result.expectedNetMinor).toBe(9940);
    expect(result.actualNetMinor).toBe(9900);
    expect(result.differenceMinor).toBe(-40);
    expect(result.withinTolerance).toBe(false);
    expect(result.detail).toBe(
      "net 99.00 CNY, expected 99.40 CNY = gross 100.00 CNY − fee 0.60 CNY (rate 0.006, half-up); difference -0.40 CNY, tolerance 0.01 CNY",
    );
  });

  it("the tolerance is configurable (0: exact)", () => {
    const exact = { toleranceMinor: 0 };
    expect(
      compareNetWithFeeRate({ grossMinor: 10000, netMinor: 9939, currency: "CNY" }, "0.006", exact)
        .withinTolerance,
    ).toBe(false);
    expect(
      compareNetWithFeeRate({ grossMinor: 10000, netMinor: 9900, currency: "CNY" }, "0.006", {
        toleranceMinor: 40,
      }).withinTolerance,
    ).toBe(true);
    expect(() =>
      compareNetWithFeeRate({ grossMinor: 1, netMinor: 1, currency: "CNY" }, "0", { toleranceMinor: -1 }),
    ).toThrow(RangeError);
  });
});

describe("checkLineArithmetic", () => {
  it("credit: net = gross − fee", () => {
    expect(checkLineArithmetic(line())?.withinTolerance).toBe(true);
    const wrong = checkLineArithmetic(line({ netMinor: 9900 }));
    expect(wrong).toMatchObject({ expectedNetMinor: 9940, actualNetMinor: 9900, differenceMinor: -40 });
    expect(wrong?.withinTolerance).toBe(false);
  });

  it("debit with a returned (negative) fee: net = gross + fee", () => {
    // WeChat refund row: refund 50.00, fee −0.30 returned → the merchant's debit is 49.70.
    const refund = line({
      kind: "refund",
      direction: "debit",
      grossMinor: 5000,
      feeMinor: -30,
      netMinor: 4970,
    });
    expect(checkLineArithmetic(refund)).toMatchObject({ expectedNetMinor: 4970, withinTolerance: true });
  });

  it("is null when the file gives no gross or no fee", () => {
    expect(checkLineArithmetic(line({ grossMinor: null }))).toBeNull();
    expect(checkLineArithmetic(line({ feeMinor: null }))).toBeNull();
  });
});

describe("grossOfLine", () => {
  it("gross, else net + fee (credit) / net − fee (debit), else null", () => {
    expect(grossOfLine(line())).toBe(10000);
    expect(grossOfLine(line({ grossMinor: null }))).toBe(10000);
    expect(grossOfLine(line({ direction: "debit", grossMinor: null, feeMinor: -30, netMinor: 4970 }))).toBe(
      5000,
    );
    expect(grossOfLine(line({ grossMinor: null, feeMinor: null }))).toBeNull();
  });
});

describe("checkLineAgainstPayment", () => {
  const payment = { amountMinor: 10000, currency: "CNY" };
  const terms = { feeRate: "0.006" };

  it("passes a line that agrees on every check", () => {
    const result = checkLineAgainstPayment(line(), payment, terms);
    expect(result.ok).toBe(true);
    expect(result.problem).toBeNull();
    expect(result.reason).toBe(
      "line arithmetic ok; gross agrees with the payment amount; net agrees with fee rate 0.006",
    );
    expect(result.figures).toEqual({
      lineCurrency: "CNY",
      paymentCurrency: "CNY",
      paymentAmountMinor: 10000,
      lineGrossMinor: 10000,
      lineFeeMinor: 60,
      lineNetMinor: 9940,
      expectedNetMinor: 9940,
      feeRate: "0.006",
    });
  });

  it("a different currency is a mismatch whatever the amounts", () => {
    const result = checkLineAgainstPayment(line({ currency: "HKD" }), payment, terms);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe("currency");
    expect(result.reason).toBe("currency differs: line 99.40 HKD net, payment 100.00 CNY");
  });

  it("gross differing from the payment amount is an amount mismatch", () => {
    const result = checkLineAgainstPayment(
      line({ grossMinor: 12000, feeMinor: 72, netMinor: 11928 }),
      payment,
      terms,
    );
    expect(result.problem).toBe("amount");
    expect(result.gross).toMatchObject({ expectedMinor: 10000, actualMinor: 12000, differenceMinor: 2000 });
  });

  it("a fee beyond the rate is a fee mismatch (line arithmetic itself fine)", () => {
    const result = checkLineAgainstPayment(line({ feeMinor: 100, netMinor: 9900 }), payment, terms);
    expect(result.problem).toBe("fee");
    expect(result.feeRate).toMatchObject({
      expectedNetMinor: 9940,
      actualNetMinor: 9900,
      differenceMinor: -40,
    });
    expect(result.figures.expectedNetMinor).toBe(9940);
    expect(result.figures.lineNetMinor).toBe(9900);
  });

  it("a line whose own gross − fee ≠ net fails on line arithmetic first", () => {
    expect(checkLineAgainstPayment(line({ netMinor: 9900 }), payment, terms).problem).toBe("line-arithmetic");
  });

  it("a net-only line is checked against the payment amount at the fee rate", () => {
    const netOnly = line({ grossMinor: null, feeMinor: null });
    expect(checkLineAgainstPayment(netOnly, payment, terms).ok).toBe(true);
    expect(checkLineAgainstPayment({ ...netOnly, netMinor: 9900 }, payment, terms).problem).toBe("fee");
  });

  it("without a fee rate the rate check is skipped and says so", () => {
    const result = checkLineAgainstPayment(line({ grossMinor: null, feeMinor: null }), payment, {
      feeRate: null,
    });
    expect(result.ok).toBe(true);
    expect(result.feeRate).toBeNull();
    expect(result.reason).toBe("no gross on the line; no fee rate configured: net not checked");
  });
});
