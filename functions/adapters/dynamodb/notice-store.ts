import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import { DUE_INDEX, TIME_TO_LIVE_ATTRIBUTE } from "../../shared/table-schema.js";
import type {
  DeliveryRecord,
  NoticeRecord,
  NoticeStore,
  RecordDeliveryResult,
} from "../../use-cases/ports.js";
import { sendIfCondition } from "./conditional-write.js";
import { indexKeysUpTo } from "./index-pages.js";
import { keys } from "./table-keys.js";

const LOOKUP_TTL_SECONDS = 7 * 24 * 3600;

/** Notice records: the exactly-once ledger of what was (or will be) sent to whom. */
export class DynamoDbNoticeStore implements NoticeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(notice: NoticeRecord, outboxShard: number): Promise<boolean> {
    return await sendIfCondition(
      this.db,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.notice(notice.noticeId, notice.channel),
          entity: "notice",
          ...notice,
          [DUE_INDEX.partitionKey]: keys.outboxShard(outboxShard),
          [DUE_INDEX.sortKey]: `${notice.sendAfter}#${notice.noticeId}#${notice.channel}`,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  async *dueForSending(
    outboxShard: number,
    nowIso: string,
  ): AsyncIterable<Array<{ noticeId: string; channel: string }>> {
    for await (const page of indexKeysUpTo(this.db, this.tableName, keys.outboxShard(outboxShard), nowIso)) {
      yield page.map((item) => ({
        noticeId: String(item.pk).slice("NOTICE#".length),
        channel: String(item.sk).slice("CHANNEL#".length),
      }));
    }
  }

  async markQueued(noticeId: string, channel: string): Promise<boolean> {
    return await this.update({
      noticeId,
      channel,
      expression: "SET #status = :queued REMOVE #gpk, #gsk",
      condition: "#status = :scheduled",
      values: { ":queued": "QUEUED", ":scheduled": "SCHEDULED" },
    });
  }

  async claim(noticeId: string, channel: string, nowIso: string): Promise<NoticeRecord | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.notice(noticeId, channel),
          UpdateExpression:
            "SET #status = :sent, sentAt = :now, attempts = attempts + :one REMOVE #gpk, #gsk",
          ConditionExpression: "#status IN (:scheduled, :queued)",
          ExpressionAttributeNames: {
            "#status": "status",
            "#gpk": DUE_INDEX.partitionKey,
            "#gsk": DUE_INDEX.sortKey,
          },
          ExpressionAttributeValues: {
            ":sent": "SENT",
            ":now": nowIso,
            ":one": 1,
            ":scheduled": "SCHEDULED",
            ":queued": "QUEUED",
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async release(noticeId: string, channel: string, reason: string): Promise<void> {
    await this.update({
      noticeId,
      channel,
      expression: "SET #status = :queued, lastError = :reason REMOVE sentAt",
      condition: "#status = :sent",
      values: {
        ":queued": "QUEUED",
        ":sent": "SENT",
        ":reason": reason.slice(0, 500),
      },
    });
  }

  async get(noticeId: string, channel: string): Promise<NoticeRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.notice(noticeId, channel),
        ConsistentRead: true,
      }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async recordDelivery(record: DeliveryRecord): Promise<RecordDeliveryResult> {
    const fallback = record.fallback;
    const sets = ["deliveryStatus = :state", "deliveryReportedAt = :at"];
    const values: Record<string, unknown> = {
      ":state": record.state,
      ":at": record.reportedAt,
      ":sent": "SENT",
    };
    if (record.errorCode) {
      sets.push("deliveryErrorCode = :code");
      values[":code"] = record.errorCode;
    }
    if (fallback && "noticeId" in fallback) {
      sets.push("fallbackNoticeId = :fallback");
      values[":fallback"] = fallback.noticeId;
    } else if (fallback) {
      sets.push("fallbackNone = :none");
      values[":none"] = fallback.none;
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.notice(record.noticeId, "sms"),
          UpdateExpression: `SET ${sets.join(", ")}`,
          // Only a sent text, and only once: a final state is never overwritten.
          ConditionExpression: "#status = :sent AND attribute_not_exists(deliveryStatus)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return { outcome: "recorded", notice: toRecord(Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const stored = await this.get(record.noticeId, "sms");
    if (stored?.deliveryStatus) return { outcome: "already-final", notice: stored };
    return { outcome: "not-sent" };
  }

  async recordProviderMessage(input: {
    provider: SmsProviderId;
    providerMessageId: string;
    noticeId: string;
    at: string;
  }): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.notice(input.noticeId, "sms"),
        UpdateExpression: "SET providerMessageId = :id",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":id": input.providerMessageId },
      }),
    );
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.smsProviderMessage(input.provider, input.providerMessageId),
          entity: "sms-message",
          noticeId: input.noticeId,
          recordedAt: input.at,
          // Reports come within 72 hours (SNS's longest); the lookup is not kept beyond a week.
          [TIME_TO_LIVE_ATTRIBUTE]: Math.floor(Date.parse(input.at) / 1000) + LOOKUP_TTL_SECONDS,
        },
      }),
    );
  }

  async noticeOfProviderMessage(
    provider: SmsProviderId,
    providerMessageId: string,
  ): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.smsProviderMessage(provider, providerMessageId),
        ConsistentRead: true,
      }),
    );
    return typeof Item?.noticeId === "string" ? Item.noticeId : undefined;
  }

  /** One conditional update of a notice row; false when the condition failed. */
  private async update({
    noticeId,
    channel,
    expression,
    condition,
    values,
  }: {
    noticeId: string;
    channel: string;
    expression: string;
    condition: string;
    values: Record<string, unknown>;
  }): Promise<boolean> {
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.notice(noticeId, channel),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: {
          "#status": "status",
          ...(expression.includes("#gpk")
            ? { "#gpk": DUE_INDEX.partitionKey, "#gsk": DUE_INDEX.sortKey }
            : {}),
        },
        ExpressionAttributeValues: values,
      }),
    );
  }
}

function toRecord(item: Record<string, unknown>): NoticeRecord {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g1, gsi1sk: _g2, lastError: _e, ...record } = item;
  return record as unknown as NoticeRecord;
}
