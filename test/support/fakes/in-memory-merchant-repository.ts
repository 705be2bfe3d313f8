import type { MerchantProfile } from "../../../functions/domain/merchant/merchant-profile.js";
import type { MerchantRepository } from "../../../functions/use-cases/ports.js";

/** MerchantRepository in memory (held to the DynamoDB adapter by test/integration/port-contracts.test.ts). */
export class InMemoryMerchantRepository implements MerchantRepository {
  private readonly profiles = new Map<string, MerchantProfile>();

  async get(merchantId: string): Promise<MerchantProfile | undefined> {
    const profile = this.profiles.get(merchantId);
    return profile ? structuredClone(profile) : undefined;
  }

  async put(profile: MerchantProfile): Promise<{ created: boolean }> {
    const created = !this.profiles.has(profile.merchantId);
    this.profiles.set(profile.merchantId, structuredClone(profile));
    return { created };
  }
}
