import { createHash } from "node:crypto";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { QuotaWindow } from "../../domain/notification/sms-pacing.js";
import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import { TIME_TO_LIVE_ATTRIBUTE } from "../../shared/table-schema.js";
import type { SmsSendQuota } from "../../use-cases/ports.js";
import { keys } from "./table-keys.js";

/** A counter outlives its window by a day (then DynamoDB's TTL deletes it). */
const KEEP_AFTER_WINDOW_S = 24 * 60 * 60;
/** Tries when concurrent notifiers touch the same counters (TransactionConflict). */
const CONFLICT_TRIES = 4;

/** The number as stored: a SHA-256 prefix, so the table never holds it in clear. */
export function numberHash(phone: string): string {
  return createHash("sha256").update(phone, "utf8").digest("hex").slice(0, 32);
}

/**
 * Per-number SMS counters on the table, one item per number, provider and window. A text is counted
 * in all its windows in one transaction of conditional increments (`count < limit`), so notifier
 * instances in any number of Lambda containers never both take the last slot.
 */
export class DynamoDbSmsSendQuota implements SmsSendQuota {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async take(
    provider: SmsProviderId,
    phone: string,
    windows: readonly QuotaWindow[],
  ): Promise<QuotaWindow[]> {
    const hash = numberHash(phone);
    const command = new TransactWriteCommand({
      TransactItems: windows.map((window) => ({
        Update: {
          TableName: this.tableName,
          Key: keys.smsQuota(provider, hash, window.window, window.start),
          UpdateExpression: "ADD #count :one SET #ttl = :ttl, entity = :entity",
          ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
          ExpressionAttributeNames: { "#count": "count", "#ttl": TIME_TO_LIVE_ATTRIBUTE },
          ExpressionAttributeValues: {
            ":one": 1,
            ":limit": window.limit,
            ":ttl": Math.floor(Date.parse(window.endsAt) / 1000) + KEEP_AFTER_WINDOW_S,
            ":entity": "smsQuota",
          },
        },
      })),
    });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.db.send(command);
        return [];
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const full = windows.filter((_, index) => reasons[index]?.Code === "ConditionalCheckFailed");
        if (full.length > 0) return full;
        if (attempt >= CONFLICT_TRIES) throw error;
        await this.pause(20 * attempt);
      }
    }
  }

  async giveBack(provider: SmsProviderId, phone: string, windows: readonly QuotaWindow[]): Promise<void> {
    const hash = numberHash(phone);
    for (const window of windows) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.smsQuota(provider, hash, window.window, window.start),
            UpdateExpression: "ADD #count :minusOne",
            ConditionExpression: "#count > :zero",
            ExpressionAttributeNames: { "#count": "count" },
            ExpressionAttributeValues: { ":minusOne": -1, ":zero": 0 },
          }),
        );
      } catch (error) {
        // Already at zero (or expired): nothing to give back.
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      }
    }
  }
}
