import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { MerchantProfile } from "../../domain/merchant/merchant-profile.js";
import type { MerchantRepository } from "../../use-cases/ports.js";
import { keys } from "./table-keys.js";

/** Merchant profiles in the single table: one item per merchant, the profile kept as one map. */
export class DynamoDbMerchantRepository implements MerchantRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
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
          updatedAt: new Date().toISOString(),
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
    return { created: Attributes === undefined };
  }
}
