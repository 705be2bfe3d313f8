import { describe, expect, it } from "vitest";
import callingCodesData from "../../../functions/domain/notification/data/calling-codes.json" with {
  type: "json",
};
import { callingCodesFromLibrary } from "../../../scripts/calling-codes-source.js";

describe("calling codes data", () => {
  it("matches libphonenumber-js (run `npm run calling-codes:build` and commit the result if not)", () => {
    expect(callingCodesData.codes).toEqual(callingCodesFromLibrary());
  });

  it("is prefix-free, so a number's country code is found without ambiguity", () => {
    const codes = callingCodesData.codes;
    for (const code of codes) {
      expect(codes.filter((other) => other !== code && other.startsWith(code))).toEqual([]);
    }
  });
});
