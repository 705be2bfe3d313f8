import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { MerchantProfile } from "../../domain/merchant/merchant-profile.js";
import { phoneHashOf } from "../../domain/merchant-page/sign-in-code.js";
import type { Clock, MerchantRepository } from "../../use-cases/ports.js";
import { systemClock } from "../clock/system-clock.js";
import { keys } from "./table-keys.js";

/** Merchant profiles in the single table: one item per merchant, the profile kept as one map. */
export class DynamoDbMerchantRepository implements MerchantRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(merchantId: string): Promise<MerchantProfile | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.merchant(merchantId), ConsistentRead: true }),
    );
    return Item ? (Item.profile as MerchantProfile) : undefined;
  }

  async put(profile: MerchantProfile): Promise<{ created: boolean }> {
    const { Attributes } = await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.merchant(profile.merchantId),
          entity: "merchant",
          profile,
          updatedAt: this.clock.now().toISOString(),
        },
        ReturnValues: "ALL_OLD",
      }),
    );
    // The calendar check watches every calendar a merchant was registered with (never removed:
    // watching one calendar too many costs one lookup). Written only when the calendar is new to
    // this profile.
    const previous = (Attributes?.profile as MerchantProfile | undefined)?.calendar;
    if (previous !== profile.calendar)
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.calendarUsage(profile.calendar),
            entity: "calendar-usage",
            region: profile.calendar,
          },
        }),
      );
    await this.linkPhone(profile, Attributes?.profile as MerchantProfile | undefined);
    return { created: Attributes === undefined };
  }

  /**
   * The merchant page signs in by the profile's mobile number: one link item per number (the last
   * profile put with a number owns it); a number taken off the profile no longer signs in.
   */
  private async linkPhone(profile: MerchantProfile, previous: MerchantProfile | undefined): Promise<void> {
    const phone = profile.contact.phone;
    const before = previous?.contact.phone;
    if (phone)
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.merchantPhone(phoneHashOf(phone)),
            entity: "merchant-phone",
            merchantId: profile.merchantId,
          },
        }),
      );
    if (before && before !== phone) {
      try {
        await this.db.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: keys.merchantPhone(phoneHashOf(before)),
            // Another merchant may have taken the number since: leave its link alone.
            ConditionExpression: "merchantId = :me",
            ExpressionAttributeValues: { ":me": profile.merchantId },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }
}
