import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { Payment, PaymentNoticeEntry } from "../../domain/payment/payment.js";
import { AMOUNT_INDEX, DUE_INDEX, MERCHANT_OPEN_INDEX } from "../../shared/table-schema.js";
import type { DueList, DuePage, NextEscalation, OverdueStore, PaymentRef } from "../../use-cases/ports.js";
import { sendIfCondition } from "./conditional-write.js";
import {
  entriesOf,
  indexKeysUpTo,
  mergeBySortKey,
  sortKeyRangePages,
  TABLE_KEYS,
  upToSortKey,
} from "./index-pages.js";
import { fromItem } from "./payment-repository.js";
import { dueInstant, dueMarkerDayOf, keys } from "./table-keys.js";

const BATCH_GET_LIMIT = 100;
/** Payments' own due entries per page handed to the check. */
const DUE_PAGE = 500;

/** One entry of a due shard, in sort-key order: a payment's own entry or a merchant day's marker. */
type DueEntry =
  | { sort: string; ref: PaymentRef }
  | { sort: string; day: { tradeDate: string; merchantId: string } };
/** Keys per page of a merchant day read for its due marker (keys only: a few hundred bytes each). */
const MARKER_DAY_PAGE = 1000;

/** Parses `PAY#<acquirer>#<paymentId>`; acquirer ids have no "#", payment ids may. */
function refOfPaymentKey(pk: string): PaymentRef {
  const rest = pk.slice("PAY#".length);
  const split = rest.indexOf("#");
  return { acquirer: rest.slice(0, split), paymentId: rest.slice(split + 1) };
}

/** The due-index partition of a work list's shard. */
export function dueListPartition(list: DueList): string {
  return list.kind === "due" ? keys.dueShard(list.shard) : keys.escalationShard(list.shard);
}

export class DynamoDbOverdueStore implements OverdueStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /**
     * `timeTravel`: a simulation whose checks run as of instants before its writes: no watermark
     * (each check reads the due list from the start) and entries filed at their overdue time.
     */
    private readonly options: { timeTravel?: boolean } = {},
  ) {}

  async *indexedUpTo(list: DueList, nowIso: string): AsyncIterable<PaymentRef[]> {
    yield* this.refsUpTo(dueListPartition(list), nowIso);
  }

  /**
   * A payment's own entry gives its ref; a due marker gives every payment of its merchant day (the
   * amount index's partition of that day), in pages whose position stays before the marker until
   * its last page: a run stopped by its deadline reads the marker's day again next time.
   */
  async *dueAfter(shard: number, after: string | undefined, nowIso: string): AsyncIterable<DuePage> {
    let position = after;
    let refs: PaymentRef[] = [];
    for await (const entry of this.dueEntries(shard, after, upToSortKey(nowIso))) {
      if ("ref" in entry) {
        refs.push(entry.ref);
        position = entry.sort;
        if (refs.length >= DUE_PAGE) {
          yield { refs, covered: [], through: position };
          refs = [];
        }
        continue;
      }
      if (refs.length > 0) yield { refs, covered: [], through: position };
      refs = [];
      let covered: PaymentRef[] | undefined;
      for await (const next of this.merchantDayRefs(entry.day)) {
        if (covered) yield { refs: [], covered, through: position };
        covered = next;
      }
      position = entry.sort;
      yield { refs: [], covered: covered ?? [], through: position };
    }
    if (refs.length > 0) yield { refs, covered: [], through: position };
  }

  /**
   * A due shard's entries in sort-key order: the due index's partition (payments' own entries, and
   * markers an older version filed there) merged with the shard's marker partition of the table.
   * Markers are read eventually consistent: one is written at least the lag margin before its
   * instant (dueMarkerOf), so it is readable long before a check reaches it.
   */
  private dueEntries(shard: number, after: string | undefined, upTo: string): AsyncIterable<DueEntry> {
    const indexed = entriesOf(
      sortKeyRangePages(this.db, this.tableName, { partition: keys.dueShard(shard), after, upTo }),
      (item) => {
        const sort = String(item[DUE_INDEX.sortKey]);
        const day = dueMarkerDayOf(String(item.pk));
        return day ? { sort, day } : { sort, ref: refOfPaymentKey(String(item.pk)) };
      },
    );
    const marked = entriesOf(
      sortKeyRangePages(this.db, this.tableName, {
        partition: keys.dueMarkerPartition(shard),
        after,
        upTo,
        source: TABLE_KEYS,
      }),
      (item) => ({
        sort: String(item.sk),
        day: { tradeDate: String(item.tradeDate), merchantId: String(item.merchantId) },
      }),
    );
    return mergeBySortKey(indexed, marked);
  }

  /** The payments of one merchant's trade date, a page of refs at a time (the amount index, keys only). */
  private async *merchantDayRefs(day: {
    merchantId: string;
    tradeDate: string;
  }): AsyncIterable<PaymentRef[]> {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: AMOUNT_INDEX.name,
          KeyConditionExpression: "#pk = :day",
          ExpressionAttributeNames: { "#pk": AMOUNT_INDEX.partitionKey },
          ExpressionAttributeValues: { ":day": keys.amountLookup(day.merchantId, day.tradeDate) },
          Limit: MARKER_DAY_PAGE,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      const refs = (page.Items ?? [])
        .map((item) => String(item.pk))
        .filter((pk) => pk.startsWith("PAY#"))
        .map(refOfPaymentKey);
      if (refs.length > 0) yield refs;
      cursor = page.LastEvaluatedKey;
    } while (cursor);
  }

  dueThrough(nowIso: string): string {
    return upToSortKey(nowIso);
  }

  async dueWatermark(shard: number): Promise<string | undefined> {
    if (this.options.timeTravel) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.dueWatermark(shard), ConsistentRead: true }),
    );
    return typeof Item?.through === "string" ? Item.through : undefined;
  }

  async saveDueWatermark(shard: number, through: string): Promise<void> {
    if (this.options.timeTravel) return;
    await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.dueWatermark(shard),
        UpdateExpression: "SET entity = :entity, through = :through",
        ConditionExpression: "attribute_not_exists(through) OR through < :through",
        ExpressionAttributeValues: { ":entity": "due-watermark", ":through": through },
      }),
    );
  }

  async deferDue(payment: Payment, shard: number, when: { at: string; nowIso: string }): Promise<boolean> {
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.payment(payment.acquirer, payment.paymentId),
        // A payment a due marker found has no entry of its own yet: it gets one here.
        UpdateExpression: "SET #gpk = :partition, #gsk = :sort",
        ConditionExpression: "#status = :pending AND (attribute_not_exists(#gpk) OR #gpk = :partition)",
        ExpressionAttributeNames: {
          "#status": "status",
          "#gpk": DUE_INDEX.partitionKey,
          "#gsk": DUE_INDEX.sortKey,
        },
        ExpressionAttributeValues: {
          ":pending": "PENDING",
          ":partition": keys.dueShard(shard),
          ":sort": keys.dueSort(
            dueInstant(when.at, when.nowIso, this.options.timeTravel ? null : undefined),
            payment.acquirer,
            payment.paymentId,
          ),
        },
      }),
    );
  }

  /**
   * Payments' own entries in one partition of the due index (a due, escalation or calendar-hold
   * partition); a due partition's markers are read by {@link dueAfter} only.
   */
  async *refsUpTo(partition: string, nowIso: string): AsyncIterable<PaymentRef[]> {
    for await (const page of indexKeysUpTo(this.db, this.tableName, partition, nowIso)) {
      const own = page.map((item) => String(item.pk)).filter((pk) => pk.startsWith("PAY#"));
      if (own.length > 0) yield own.map(refOfPaymentKey);
    }
  }

  async getPayments(refs: readonly PaymentRef[], options = { consistent: true }): Promise<Payment[]> {
    const payments: Payment[] = [];
    for (let start = 0; start < refs.length; start += BATCH_GET_LIMIT) {
      let pending: Array<Record<string, unknown>> | undefined = refs
        .slice(start, start + BATCH_GET_LIMIT)
        .map((ref) => keys.payment(ref.acquirer, ref.paymentId));
      for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const answer = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: options.consistent } },
          }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          if (item.entity === "payment") payments.push(fromItem(item));
        }
        pending = answer.UnprocessedKeys?.[this.tableName]?.Keys as
          | Array<Record<string, unknown>>
          | undefined;
      }
    }
    return payments;
  }

  async markOverdue(payment: Payment, nowIso: string, escalation: NextEscalation): Promise<boolean> {
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.payment(payment.acquirer, payment.paymentId),
        // The merchant-open keys are set in the same write: the merchant page lists exactly the OVERDUE.
        UpdateExpression:
          "SET #status = :overdue, overdueMarkedAt = :now, #gpk = :partition, #gsk = :sort, #opk = :open, #osk = :openSort",
        ConditionExpression: "#status = :pending AND overdueAt <= :now",
        ExpressionAttributeNames: {
          "#status": "status",
          "#gpk": DUE_INDEX.partitionKey,
          "#gsk": DUE_INDEX.sortKey,
          "#opk": MERCHANT_OPEN_INDEX.partitionKey,
          "#osk": MERCHANT_OPEN_INDEX.sortKey,
        },
        ExpressionAttributeValues: {
          ":overdue": "OVERDUE",
          ":pending": "PENDING",
          ":now": nowIso,
          ":partition": keys.escalationShard(escalation.shard),
          ":sort": keys.dueSort(escalation.at, payment.acquirer, payment.paymentId),
          ":open": keys.merchantOpen(payment.merchantId),
          ":openSort": keys.merchantOpenSort(
            payment.arrival?.overdueAt ?? nowIso,
            payment.acquirer,
            payment.paymentId,
          ),
        },
      }),
    );
  }

  async recordPaymentNotice(
    payment: Payment,
    entry: PaymentNoticeEntry,
    next: NextEscalation | null,
  ): Promise<boolean> {
    const known = payment.noticeHistory?.length ?? 0;
    const names: Record<string, string> = { "#gpk": DUE_INDEX.partitionKey, "#gsk": DUE_INDEX.sortKey };
    const values: Record<string, unknown> = { ":entry": [entry], ":empty": [], ":known": known };
    let update = "SET noticeHistory = list_append(if_not_exists(noticeHistory, :empty), :entry)";
    if (next) {
      update += ", #gpk = :partition, #gsk = :sort";
      values[":partition"] = keys.escalationShard(next.shard);
      values[":sort"] = keys.dueSort(next.at, payment.acquirer, payment.paymentId);
    } else {
      update += " REMOVE #gpk, #gsk";
    }
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.payment(payment.acquirer, payment.paymentId),
        UpdateExpression: update,
        // Nobody appended a notice since we read it: two checks never record the same level twice.
        ConditionExpression:
          known === 0
            ? "attribute_exists(pk) AND attribute_not_exists(noticeHistory)"
            : "size(noticeHistory) = :known",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: known === 0 ? withoutKey(values, ":known") : values,
      }),
    );
  }
}

function withoutKey(values: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = values;
  return rest;
}
