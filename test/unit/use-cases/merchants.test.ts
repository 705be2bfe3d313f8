import { beforeEach, describe, expect, it } from "vitest";
import { OverridableCalendarProvider } from "../../../functions/adapters/calendars/calendar-provider.js";
import { ValidationError } from "../../../functions/use-cases/errors.js";
import { getMerchant, type MerchantDeps, registerMerchant } from "../../../functions/use-cases/merchants.js";
import { SHANGHAI_MERCHANT } from "../../support/confirmations.js";
import { InMemoryMerchantRepository } from "../../support/fakes/fake-deps.js";

// Registration decided on in-memory ports; through HTTP on DynamoDB Local: test/e2e/local-monitor.test.ts.
describe("register a merchant (in-memory ports)", () => {
  let deps: MerchantDeps & { merchants: InMemoryMerchantRepository };
  let subscribed: Array<[string, string]>;
  const id = SHANGHAI_MERCHANT.merchantId;

  beforeEach(() => {
    subscribed = [];
    deps = {
      merchants: new InMemoryMerchantRepository(),
      calendars: new OverridableCalendarProvider(async () => undefined),
      emailSubscriptions: {
        ensureSubscribed: async (merchantId, email) => {
          subscribed.push([merchantId, email]);
        },
      },
    };
  });

  it("creates, then replaces, the profile named by the path", async () => {
    expect((await registerMerchant(id, SHANGHAI_MERCHANT, deps)).created).toBe(true);
    const moved = { ...SHANGHAI_MERCHANT, timeZone: "Asia/Hong_Kong", calendar: "HK" };
    expect((await registerMerchant(id, moved, deps)).created).toBe(false);
    expect(await getMerchant(id, deps)).toMatchObject({ timeZone: "Asia/Hong_Kong", calendar: "HK" });
  });

  it("refuses a body naming another merchant, a calendar it has no data for, and a bad field; stores nothing", async () => {
    const refusal = async (body: unknown) => {
      const error = await registerMerchant(id, body, deps).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).errors.map((e) => e.field);
    };
    expect(await refusal({ ...SHANGHAI_MERCHANT, merchantId: "m-other" })).toEqual(["merchantId"]);
    expect(await refusal({ ...SHANGHAI_MERCHANT, calendar: "ZZ" })).toEqual(["calendar"]);
    expect(await refusal({ ...SHANGHAI_MERCHANT, timeZone: "Mars/Olympus" })).toEqual(["timeZone"]);
    expect(await deps.merchants.get(id)).toBeUndefined();
    await expect(getMerchant(id, deps)).rejects.toThrow(`merchant ${id} is not registered`);
  });

  it("subscribes an email address even on an SMS-only profile: it is where a failed text falls back", async () => {
    const contact = { email: "owner@example.com", language: "en", channels: ["sms", "email"] };
    await registerMerchant(
      id,
      { ...SHANGHAI_MERCHANT, contact: { ...contact, phone: "+8613800138000" } },
      deps,
    );
    await registerMerchant(
      "m-sms-only",
      {
        ...SHANGHAI_MERCHANT,
        merchantId: "m-sms-only",
        contact: { ...contact, phone: "+8613800138000", channels: ["sms"] },
      },
      deps,
    );
    expect(subscribed).toEqual([
      [id, "owner@example.com"],
      ["m-sms-only", "owner@example.com"],
    ]);
  });

  it("subscribes nothing for a profile without an email address", async () => {
    await registerMerchant(
      "m-no-email",
      {
        ...SHANGHAI_MERCHANT,
        merchantId: "m-no-email",
        contact: { phone: "+8613800138000", language: "en", channels: ["sms"] },
      },
      deps,
    );
    expect(subscribed).toEqual([]);
  });
});
