import { createHash } from "node:crypto";
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  QueryCommand as RawQueryCommand,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  byAcquirerStateCurrency,
  OPEN_STATES,
  type OpenPaymentTotal,
  type OpenState,
  sumTotals,
} from "../../domain/stats/open-payment-stats.js";
import { TIME_TO_LIVE_ATTRIBUTE } from "../../shared/table-schema.js";
import type { LaneGroup, OpenPaymentStatsStore } from "../../use-cases/open-payment-stats.js";
import { systemClock } from "../clock/system-clock.js";
import { keys, OPEN_PAYMENT_COUNTERS_PARTITION } from "./table-keys.js";

/** Counter shards per total: concurrent stream batches pick one at random and rarely collide. */
export const OPEN_PAYMENT_COUNTER_SHARDS = 8;
/** Markers outlive the stream's 24-hour retention, the longest a record can be re-delivered. */
const MARKER_LIFETIME_SECONDS = 2 * 24 * 3600;
/** A lane's watermark is dropped once unused this long: the stream keeps records 24 hours. */
const LANE_LIFETIME_SECONDS = 2 * 24 * 3600;
/** Sequence numbers are 21 to 40 digits: padded to 40, their text sorts as their value. */
const SEQUENCE_DIGITS = 40;
const TALLY_ENTITY = "open-payment-tally";
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
    private readonly now: () => Date = systemClock.now,
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

  async countInLane(group: LaneGroup): Promise<{ watermark?: string }> {
    const now = this.now();
    const shard = laneShard(group.lane);
    const update = tallyUpdate(group, Math.floor(now.getTime() / 1000));
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.openPaymentTally(group.acquirer, shard),
          ...update,
          ConditionExpression: "attribute_not_exists(#w) OR #w < :first",
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      await this.forgetIdleLanes(group.acquirer, shard, Attributes ?? {}, now);
      return {};
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const watermark = error.Item?.[`w:${group.lane}`]?.S;
      if (!watermark) throw error;
      return { watermark: String(BigInt(watermark)) };
    }
  }

  /** Drops the watermarks of lanes (closed stream shards) not written for two days: the item stays small. */
  private async forgetIdleLanes(
    acquirer: string,
    shard: number,
    item: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    const oldest = Math.floor(now.getTime() / 1000) - LANE_LIFETIME_SECONDS;
    const idle = Object.entries(item).filter(
      ([name, value]) => name.startsWith("wt:") && typeof value === "number" && value < oldest,
    );
    if (idle.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const removed: string[] = [];
    const conditions: string[] = [];
    idle.forEach(([name, value], index) => {
      names[`#t${index}`] = name;
      names[`#w${index}`] = `w:${name.slice(3)}`;
      values[`:t${index}`] = value;
      removed.push(`#t${index}`, `#w${index}`);
      conditions.push(`#t${index} = :t${index}`);
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.openPaymentTally(acquirer, shard),
          UpdateExpression: `REMOVE ${removed.join(", ")}`,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // A lane written again meanwhile keeps its watermark; the next write tries again.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
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
        if (item.entity?.S === TALLY_ENTITY) {
          shards.push(...tallyTotals(item));
          continue;
        }
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

/** The counter shard of a lane: stable, so a lane's watermark always lives in the same item. */
function laneShard(lane: string): number {
  return createHash("sha256").update(lane).digest().readUInt32BE(0) % OPEN_PAYMENT_COUNTER_SHARDS;
}

const padSequence = (sequence: string) => {
  if (!/^\d{1,40}$/.test(sequence)) throw new Error(`not a stream sequence number: ${sequence}`);
  return sequence.padStart(SEQUENCE_DIGITS, "0");
};

/**
 * The tally write: ADD each counter's count (`c:<state>:<currency>`) and amount (`m:…`, exact
 * decimal text for a bigint), SET the lane's watermark (`w:<lane>`) and when it moved (`wt:<lane>`).
 */
function tallyUpdate(group: LaneGroup, nowSeconds: number) {
  const names: Record<string, string> = { "#w": `w:${group.lane}`, "#wt": `wt:${group.lane}` };
  const values: Record<string, unknown> = {
    ":first": padSequence(group.firstSequence),
    ":last": padSequence(group.lastSequence),
    ":now": nowSeconds,
    ":entity": TALLY_ENTITY,
    ":acquirer": group.acquirer,
  };
  const adds: string[] = [];
  group.deltas.forEach((delta, index) => {
    names[`#c${index}`] = `c:${delta.state}:${delta.currency}`;
    names[`#m${index}`] = `m:${delta.state}:${delta.currency}`;
    values[`:c${index}`] = delta.count;
    values[`:m${index}`] = delta.amountMinor;
    adds.push(`#c${index} :c${index}`, `#m${index} :m${index}`);
  });
  const set = "SET #w = :last, #wt = :now, entity = :entity, acquirer = :acquirer";
  return {
    UpdateExpression: adds.length > 0 ? `${set} ADD ${adds.join(", ")}` : set,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The counters of one tally item (raw DynamoDB JSON: amounts read exactly). */
function tallyTotals(item: Record<string, AttributeValue>): OpenPaymentTotal[] {
  const acquirer = item.acquirer?.S ?? "";
  const totals: OpenPaymentTotal[] = [];
  for (const [name, value] of Object.entries(item)) {
    const [kind, state, currency] = name.split(":");
    if (kind !== "c" || !state || !currency || !(OPEN_STATES as readonly string[]).includes(state)) continue;
    totals.push({
      acquirer,
      state: state as OpenState,
      currency,
      count: Number(value.N ?? 0),
      amountMinor: BigInt(item[`m:${state}:${currency}`]?.N ?? 0),
    });
  }
  return totals;
}
