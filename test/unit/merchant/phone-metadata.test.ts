import fc from "fast-check";
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import phoneMetadata from "../../../functions/domain/merchant/data/phone-metadata.json" with { type: "json" };
import {
  isTextableNumber,
  merchantProfileSchema,
} from "../../../functions/domain/merchant/merchant-profile.js";
import { phoneMetadataFromLibrary } from "../../../scripts/phone-metadata-source.js";
import { SHANGHAI_MERCHANT } from "../../support/ingest-deps.js";

/** The rule as stated, on libphonenumber-js's own full metadata. */
const byMaxMetadata = (phone: string) => {
  const parsed = parsePhoneNumberFromString(phone);
  return !!parsed?.isValid() && ["MOBILE", "FIXED_LINE_OR_MOBILE"].includes(parsed.getType() ?? "");
};

describe("merchant phone numbers", () => {
  it("the bundled metadata is libphonenumber-js's max metadata minus formats (run `npm run phone-metadata:build` if not)", () => {
    expect(phoneMetadata).toEqual(JSON.parse(JSON.stringify(phoneMetadataFromLibrary())));
  });

  it("gives the same verdict as libphonenumber-js/max on random numbers of every country", () => {
    const callingCodes = [...new Set(getCountries().map((country) => getCountryCallingCode(country)))];
    fc.assert(
      fc.property(fc.constantFrom(...callingCodes), fc.stringMatching(/^[0-9]{4,12}$/), (code, rest) => {
        const phone = `+${code}${rest}`;
        expect(isTextableNumber(phone), phone).toBe(byMaxMetadata(phone));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ["+8613800138000", true, "China Mobile range"],
    ["+8619999999999", true, "China Telecom 199 range"],
    ["+12125550123", true, "US: FIXED_LINE_OR_MOBILE"],
    ["+447911123456", true, "UK mobile"],
    ["+85291234567", true, "Hong Kong mobile"],
    ["+8610000000000", false, "13 digits after +86 that no carrier issues"],
    ["+8612345678901", false, "no Chinese range starts 12"],
    ["+861012345678", false, "a Beijing landline cannot take an SMS"],
    ["+85221234567", false, "a Hong Kong landline"],
    ["+4930123456", false, "a Berlin landline"],
  ])("%s → %s (%s)", (phone, accepted) => {
    expect(isTextableNumber(phone)).toBe(accepted);
    const parsed = merchantProfileSchema.safeParse({
      ...SHANGHAI_MERCHANT,
      contact: { phone, channels: ["sms"] },
    });
    expect(parsed.success).toBe(accepted);
    if (!parsed.success)
      expect(parsed.error.issues.map((issue) => issue.path.join("."))).toEqual(["contact.phone"]);
  });
});
