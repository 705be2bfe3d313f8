import type { MerchantProfile } from "../../domain/merchant/merchant-profile.js";
import type { MerchantRepository } from "../../use-cases/ports.js";
import { systemClock } from "../clock/system-clock.js";

/**
 * Keeps found merchant profiles for a short while, so a busy webhook does not read the same profile
 * for every batch. A profile changed through this repository is seen at once; one changed elsewhere
 * (another Lambda) within `ttlMs`. Unknown merchants are not cached: a merchant registered a moment
 * ago is found on the next confirmation.
 */
export class CachedMerchantRepository implements MerchantRepository {
  private readonly entries = new Map<string, { profile: MerchantProfile; until: number }>();

  constructor(
    private readonly inner: MerchantRepository,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = () => systemClock.now().getTime(),
    private readonly maxEntries = 10_000,
  ) {}

  async get(merchantId: string): Promise<MerchantProfile | undefined> {
    const cached = this.entries.get(merchantId);
    if (cached && cached.until > this.now()) return cached.profile;
    const profile = await this.inner.get(merchantId);
    if (profile) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(merchantId, { profile, until: this.now() + this.ttlMs });
    } else {
      this.entries.delete(merchantId);
    }
    return profile;
  }

  async put(profile: MerchantProfile): Promise<{ created: boolean }> {
    this.entries.delete(profile.merchantId);
    return await this.inner.put(profile);
  }
}
