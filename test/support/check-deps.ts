import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../../functions/adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../../functions/adapters/dynamodb/notice-store.js";
import { DynamoDbOverdueStore } from "../../functions/adapters/dynamodb/overdue-store.js";
import { InProcessNoticeQueue } from "../../functions/adapters/local/in-process-notice-queue.js";
import { OutboxNoticeSender } from "../../functions/adapters/local/outbox-notice-sender.js";
import { type DeliverNoticeDeps, deliverNotice } from "../../functions/use-cases/deliver-notice.js";
import type { NoticeSender } from "../../functions/use-cases/ports.js";
import type { OverdueCheckConfig, OverdueCheckDeps } from "../../functions/use-cases/run-overdue-check.js";
import type { TestTable } from "./dynamodb.js";
import { RecordingMetrics } from "./recording-metrics.js";
import { TEST_DUE_SHARDS, tableKeys } from "./table-items.js";
import type { TestClock } from "./test-clock.js";

export { TestClock } from "./test-clock.js";

/** The overdue check and the notifier wired to DynamoDB Local, with an in-process queue. */
export function checkDeps(
  table: TestTable,
  clock: TestClock,
  config: Partial<OverdueCheckConfig> = {},
  sender?: NoticeSender,
) {
  const db = documentClient(table.client);
  const queue = new InProcessNoticeQueue();
  const metrics = new RecordingMetrics();
  const outbox = new OutboxNoticeSender(
    undefined,
    () => undefined,
    () => clock.now(),
  );
  const check: OverdueCheckDeps = {
    overdue: new DynamoDbOverdueStore(db, table.tableName),
    notices: new DynamoDbNoticeStore(db, table.tableName),
    merchants: new DynamoDbMerchantRepository(db, table.tableName),
    fileDays: new DynamoDbFileDayLedger(db, table.tableName),
    queue,
    clock,
    metrics,
    config: { dueShards: TEST_DUE_SHARDS, ...config },
  };
  const deliver: DeliverNoticeDeps = {
    notices: check.notices,
    merchants: check.merchants,
    sender: sender ?? outbox,
    clock,
    metrics,
  };
  /** What a notifier Lambda does with the queue: deliver every waiting message. */
  const drain = async () => {
    const outcomes = [];
    for (const message of queue.drain()) outcomes.push(await deliverNotice(message, deliver));
    return outcomes;
  };
  return { check, deliver, queue, outbox, metrics, drain, db };
}

/**
 * Starts the overdue check's reading of the due list afresh: deletes every due shard's watermark.
 * For test files whose scenarios share one table but each start their clock over (in the product
 * time only moves forward, so a watermark never has to go back).
 */
export async function forgetDueWatermarks(table: TestTable, dueShards = TEST_DUE_SHARDS): Promise<void> {
  const db = documentClient(table.client);
  for (let shard = 0; shard < dueShards; shard += 1) {
    await db.send(new DeleteCommand({ TableName: table.tableName, Key: tableKeys.dueWatermark(shard) }));
  }
}
