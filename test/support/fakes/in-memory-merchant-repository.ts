import type { MerchantProfile } from "../../../functions/domain/merchant/merchant-profile.js";
import type { MerchantRepository } from "../../../functions/use-cases/ports.js";
import { InMemoryPaymentTable } from "./in-memory-payment-table.js";

/** MerchantRepository in memory (held to the DynamoDB adapter by test/integration/port-contracts.test.ts). */
export class InMemoryMerchantRepository implements MerchantRepository {
  private readonly profiles = new Map<string, MerchantProfile>();

  /** `table` records the calendars in use, for the calendar-hold store fake sharing it. */
  constructor(private readonly table = new InMemoryPaymentTable()) {}

  async get(merchantId: string): Promise<MerchantProfile | undefined> {
    const profile = this.profiles.get(merchantId);
    return profile ? structuredClone(profile) : undefined;
  }

  async put(profile: MerchantProfile): Promise<{ created: boolean }> {
    const created = !this.profiles.has(profile.merchantId);
    this.profiles.set(profile.merchantId, structuredClone(profile));
    this.table.calendarsInUse.add(profile.calendar);
    return { created };
  }
}
