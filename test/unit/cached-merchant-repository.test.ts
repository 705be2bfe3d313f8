import { describe, expect, it } from "vitest";
import { CachedMerchantRepository } from "../../functions/adapters/cache/cached-merchant-repository.js";
import {
  type MerchantProfile,
  merchantProfileSchema,
} from "../../functions/domain/merchant/merchant-profile.js";
import type { MerchantRepository } from "../../functions/use-cases/ports.js";

/** A counting stand-in for the repository port (not DynamoDB): the cache's own behaviour is under test. */
class CountingRepository implements MerchantRepository {
  reads = 0;
  readonly profiles = new Map<string, MerchantProfile>();
  async get(merchantId: string) {
    this.reads += 1;
    return this.profiles.get(merchantId);
  }
  async put(profile: MerchantProfile) {
    const created = !this.profiles.has(profile.merchantId);
    this.profiles.set(profile.merchantId, profile);
    return { created };
  }
}

const profile = (cutoff: string) =>
  merchantProfileSchema.parse({
    merchantId: "m1",
    name: "M",
    timeZone: "Asia/Shanghai",
    calendar: "CN",
    settlement: { cycle: "T+1", cutoff },
  });

describe("cached merchant repository", () => {
  it("reads a found profile once per TTL, sees its own writes at once, and never caches 'unknown'", async () => {
    let now = 0;
    const inner = new CountingRepository();
    const cached = new CachedMerchantRepository(inner, 1000, () => now);
    expect(await cached.get("m1")).toBeUndefined();
    await inner.put(profile("23:00"));
    expect((await cached.get("m1"))?.settlement.cutoff).toBe("23:00"); // registered meanwhile: found
    await cached.get("m1");
    expect(inner.reads).toBe(2);
    await cached.put(profile("22:00"));
    expect((await cached.get("m1"))?.settlement.cutoff).toBe("22:00");
    await inner.put(profile("21:00")); // changed elsewhere: seen after the TTL
    expect((await cached.get("m1"))?.settlement.cutoff).toBe("22:00");
    now = 1001;
    expect((await cached.get("m1"))?.settlement.cutoff).toBe("21:00");
  });
});
