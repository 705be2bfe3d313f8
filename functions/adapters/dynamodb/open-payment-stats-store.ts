import {
  type AttributeValue,
  QueryCommand as RawQueryCommand,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import {
  byAcquirerStateCurrency,
  OPEN_STATES,
  type OpenPaymentTotal,
  type OpenState,
  sumTotals,
} from "../../domain/stats/open-payment-stats.js";
import { TIME_TO_LIVE_ATTRIBUTE } from "../../shared/table-schema.js";
import type { OpenPaymentStatsStore } from "../../use-cases/open-payment-stats.js";
import { keys, OPEN_PAYMENT_COUNTERS_PARTITION } from "./table-keys.js";

/** Counter shards per total: concurrent stream batches pick one at random and rarely collide. */
export const OPEN_PAYMENT_COUNTER_SHARDS = 8;
/** Markers outlive the stream's 24-hour retention, the longest a record can be re-delivered. */
const MARKER_LIFETIME_SECONDS = 2 * 24 * 3600;
/** Attempts when another transaction holds the same counter item (TransactionConflict). */
const CONFLICT_ATTEMPTS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open-payment counters on the single table: `STATS#OPEN` / `<acquirer>#<state>#<currency>#<shard>`
 * items (ADD count, amountMinor), and one `COUNTED#<changeId>` marker per counted change, written
 * in the same transaction with a does-not-exist condition: a change is counted once or not at all.
 */
export class DynamoDbOpenPaymentStatsStore implements OpenPaymentStatsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
    private readonly pickShard: () => number = () => Math.floor(Math.random() * OPEN_PAYMENT_COUNTER_SHARDS),
  ) {}

  async count(group: {
    changeIds: string[];
    deltas: OpenPaymentTotal[];
  }): Promise<{ alreadyCounted: string[] }> {
    if (group.changeIds.length === 0) return { alreadyCounted: [] };
    const nowIso = this.now().toISOString();
    const expiresAt = Math.floor(this.now().getTime() / 1000) + MARKER_LIFETIME_SECONDS;
    const shard = this.pickShard();
    const markers = group.changeIds.map((changeId) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.countedChange(changeId),
          entity: "counted-change",
          countedAt: nowIso,
          [TIME_TO_LIVE_ATTRIBUTE]: expiresAt,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    }));
    const counters = group.deltas.map((delta) => ({
      Update: {
        TableName: this.tableName,
        Key: keys.openPaymentCounter(delta.acquirer, delta.state, delta.currency, shard),
        UpdateExpression:
          "ADD #count :count, amountMinor :amount SET entity = :entity, acquirer = :acquirer, #state = :state, currency = :currency, updatedAt = :now",
        ExpressionAttributeNames: { "#count": "count", "#state": "state" },
        ExpressionAttributeValues: {
          ":count": delta.count,
          // A bigint is written as its exact decimal text (DynamoDB numbers keep 38 digits).
          ":amount": delta.amountMinor,
          ":entity": "open-payment-counter",
          ":acquirer": delta.acquirer,
          ":state": delta.state,
          ":currency": delta.currency,
          ":now": nowIso,
        },
      },
    }));
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: [...markers, ...counters] }));
        return { alreadyCounted: [] };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const alreadyCounted = group.changeIds.filter(
          (_, index) => reasons[index]?.Code === "ConditionalCheckFailed",
        );
        if (alreadyCounted.length > 0) return { alreadyCounted };
        const conflict = reasons.some((reason) => reason.Code === "TransactionConflict");
        if (!conflict || attempt >= CONFLICT_ATTEMPTS) throw error;
        await sleep(20 * 2 ** attempt * Math.random());
      }
    }
  }

  async totals(): Promise<OpenPaymentTotal[]> {
    const shards: OpenPaymentTotal[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      // The low-level Query: its numbers arrive as decimal text, read exactly (the document
      // client would refuse, or round, a sum beyond 2^53).
      const page = await this.db.send(
        new RawQueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: OPEN_PAYMENT_COUNTERS_PARTITION } },
          ...(cursor ? { ExclusiveStartKey: cursor as Record<string, AttributeValue> } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const state = item.state?.S;
        if (!state || !(OPEN_STATES as readonly string[]).includes(state)) continue;
        shards.push({
          acquirer: item.acquirer?.S ?? "",
          state: state as OpenState,
          currency: item.currency?.S ?? "",
          count: Number(item.count?.N ?? 0),
          amountMinor: BigInt(item.amountMinor?.N ?? 0),
        });
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return sumTotals(shards, { keepZero: true }).sort(byAcquirerStateCurrency);
  }
}
