import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { outboxShardOf } from "../../domain/notification/notice-id.js";
import { DUE_INDEX } from "../../shared/table-schema.js";
import type { NoticeDeferrals } from "../../use-cases/ports.js";
import { sendIfCondition } from "./conditional-write.js";
import { keys } from "./table-keys.js";

/**
 * The outbox partition of a notice: the same shard the check files it under (outboxShardOf), so the
 * check's outbox scan finds a deferred notice where it looks.
 */
export function outboxPartitionOf(noticeId: string, shards: number): string {
  return keys.outboxShard(outboxShardOf(noticeId, shards));
}

/** Puts a queued notice back in the outbox (the due index) until `sendAfter`, as quiet hours do. */
export class DynamoDbNoticeDeferrals implements NoticeDeferrals {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly dueShards: number,
  ) {}

  async defer(noticeId: string, channel: string, sendAfter: string): Promise<boolean> {
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.notice(noticeId, channel),
        UpdateExpression: "SET #status = :scheduled, sendAfter = :at, #gpk = :partition, #gsk = :sort",
        ConditionExpression: "#status IN (:scheduled, :queued)",
        ExpressionAttributeNames: {
          "#status": "status",
          "#gpk": DUE_INDEX.partitionKey,
          "#gsk": DUE_INDEX.sortKey,
        },
        ExpressionAttributeValues: {
          ":scheduled": "SCHEDULED",
          ":queued": "QUEUED",
          ":at": sendAfter,
          ":partition": outboxPartitionOf(noticeId, this.dueShards),
          ":sort": `${sendAfter}#${noticeId}#${channel}`,
        },
      }),
    );
  }
}
