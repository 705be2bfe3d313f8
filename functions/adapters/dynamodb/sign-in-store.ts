import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { StoredSignInCode } from "../../domain/merchant-page/sign-in-code.js";
import { TIME_TO_LIVE_ATTRIBUTE } from "../../shared/table-schema.js";
import type { MerchantSession, SignInStore } from "../../use-cases/merchant-page-ports.js";
import { sendIfCondition } from "./conditional-write.js";
import { keys } from "./table-keys.js";

/**
 * Sign-in codes, hourly quotas and sessions in the single table. Every item carries the TTL
 * attribute, so DynamoDB deletes it after it expired (reads check the expiry themselves: TTL
 * deletion can lag by days).
 */
export class DynamoDbSignInStore implements SignInStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async merchantForPhone(phoneHash: string): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.merchantPhone(phoneHash), ConsistentRead: true }),
    );
    return typeof Item?.merchantId === "string" ? Item.merchantId : undefined;
  }

  async takeCodeQuota(input: { phoneHash: string; hour: string; cap: number; expiresAt: number }) {
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.signInQuota(input.phoneHash, input.hour),
        UpdateExpression: "ADD codesSent :one SET #ttl = :ttl, entity = :entity",
        ConditionExpression: "attribute_not_exists(codesSent) OR codesSent < :cap",
        ExpressionAttributeNames: { "#ttl": TIME_TO_LIVE_ATTRIBUTE },
        ExpressionAttributeValues: {
          ":one": 1,
          ":cap": input.cap,
          ":ttl": input.expiresAt,
          ":entity": "sign-in-quota",
        },
      }),
    );
  }

  async putCode(phoneHash: string, code: StoredSignInCode): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.signInCode(phoneHash),
          entity: "sign-in-code",
          merchantId: code.merchantId,
          codeHash: code.codeHash,
          attempts: code.attempts,
          [TIME_TO_LIVE_ATTRIBUTE]: code.expiresAt,
        },
      }),
    );
  }

  async getCode(phoneHash: string): Promise<StoredSignInCode | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.signInCode(phoneHash), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      merchantId: String(Item.merchantId ?? ""),
      codeHash: String(Item.codeHash),
      expiresAt: Number(Item[TIME_TO_LIVE_ATTRIBUTE]),
      attempts: Number(Item.attempts ?? 0),
      ...(typeof Item.usedAt === "string" ? { usedAt: Item.usedAt } : {}),
    };
  }

  async countWrongTry(phoneHash: string, codeHash: string, maxAttempts: number): Promise<void> {
    await this.conditionalUpdate({
      Key: keys.signInCode(phoneHash),
      UpdateExpression: "ADD attempts :one",
      ConditionExpression: "codeHash = :hash AND attempts < :max AND attribute_not_exists(usedAt)",
      ExpressionAttributeValues: { ":one": 1, ":hash": codeHash, ":max": maxAttempts },
    });
  }

  async useCode(input: { phoneHash: string; codeHash: string; maxAttempts: number; usedAt: string }) {
    return await this.conditionalUpdate({
      Key: keys.signInCode(input.phoneHash),
      UpdateExpression: "SET usedAt = :at",
      ConditionExpression: "codeHash = :hash AND attempts < :max AND attribute_not_exists(usedAt)",
      ExpressionAttributeValues: { ":at": input.usedAt, ":hash": input.codeHash, ":max": input.maxAttempts },
    });
  }

  async putSession(sessionHash: string, session: MerchantSession): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.merchantSession(sessionHash),
          entity: "merchant-session",
          merchantId: session.merchantId,
          createdAt: session.createdAt,
          [TIME_TO_LIVE_ATTRIBUTE]: session.expiresAt,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  async getSession(sessionHash: string): Promise<MerchantSession | undefined> {
    const { Item } = await this.db.send(
      // Consistent: a session ended a moment ago must not still open the page.
      new GetCommand({
        TableName: this.tableName,
        Key: keys.merchantSession(sessionHash),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return {
      merchantId: String(Item.merchantId),
      createdAt: String(Item.createdAt),
      expiresAt: Number(Item[TIME_TO_LIVE_ATTRIBUTE]),
    };
  }

  async deleteSession(sessionHash: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: keys.merchantSession(sessionHash) }),
    );
  }

  /** True when written, false when its condition failed. */
  private async conditionalUpdate(input: {
    Key: Record<string, string>;
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<boolean> {
    return await sendIfCondition(this.db, new UpdateCommand({ TableName: this.tableName, ...input }));
  }
}
