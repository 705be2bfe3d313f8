import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Payment } from "../../domain/payment/payment.js";
import { AMOUNT_INDEX, MERCHANT_OPEN_INDEX } from "../../shared/table-schema.js";
import type { MerchantPaymentReader } from "../../use-cases/merchant-page-ports.js";
import { fromItem } from "./payment-repository.js";
import { amountSortPrefix, keys } from "./table-keys.js";

const BATCH_GET_LIMIT = 100;

type Key = Record<string, unknown>;

/**
 * The merchant page's reads. The amount index is partitioned by merchant and trade date and sorted
 * by currency, amount and confirmation instant, so each read is a key range holding only what it
 * asks for; its entries are keys only (a status change never rewrites them), and the payments found
 * are then read by key in batches: O(results) either way.
 */
export class DynamoDbMerchantPaymentReader implements MerchantPaymentReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async byAmount(query: Parameters<MerchantPaymentReader["byAmount"]>[0]): Promise<Payment[]> {
    const prefix = amountSortPrefix(query.currency, query.amountMinor);
    const pages = await Promise.all(
      query.tradeDates.map(async (tradeDate) => {
        const { Items } = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: AMOUNT_INDEX.name,
            KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
            ExpressionAttributeNames: { "#pk": AMOUNT_INDEX.partitionKey, "#sk": AMOUNT_INDEX.sortKey },
            ExpressionAttributeValues: {
              ":pk": keys.amountLookup(query.merchantId, tradeDate),
              ":from": `${prefix}${query.from}`,
              ":to": `${prefix}${query.to}#\uffff`,
            },
            Limit: query.limit,
          }),
        );
        return Items ?? [];
      }),
    );
    return await this.paymentsOf(pages.flat().slice(0, query.limit));
  }

  async recent(query: Parameters<MerchantPaymentReader["recent"]>[0]): Promise<Payment[]> {
    const found: Key[] = [];
    for (const tradeDate of query.tradeDates) {
      let cursor: Key | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: AMOUNT_INDEX.name,
            KeyConditionExpression: "#pk = :pk",
            ExpressionAttributeNames: { "#pk": AMOUNT_INDEX.partitionKey },
            ExpressionAttributeValues: { ":pk": keys.amountLookup(query.merchantId, tradeDate) },
            Limit: query.limit - found.length,
            ...(cursor ? { ExclusiveStartKey: cursor } : {}),
          }),
        );
        found.push(...(page.Items ?? []));
        cursor = page.LastEvaluatedKey;
      } while (cursor && found.length < query.limit);
      if (found.length >= query.limit) break;
    }
    return await this.paymentsOf(found);
  }

  /** One Query on the merchant's partition of the sparse merchant-open index: only OVERDUE payments are in it. */
  async overdue(query: Parameters<MerchantPaymentReader["overdue"]>[0]): Promise<Payment[]> {
    const found: Key[] = [];
    let cursor: Key | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: MERCHANT_OPEN_INDEX.name,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": MERCHANT_OPEN_INDEX.partitionKey },
          ExpressionAttributeValues: { ":pk": keys.merchantOpen(query.merchantId) },
          Limit: query.limit - found.length,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      found.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor && found.length < query.limit);
    return await this.paymentsOf(found);
  }

  /** The payment items of index entries, read by key (100 per request, unprocessed keys retried). */
  private async paymentsOf(entries: readonly Key[]): Promise<Payment[]> {
    const payments: Payment[] = [];
    for (let start = 0; start < entries.length; start += BATCH_GET_LIMIT) {
      let pending: Key[] = entries
        .slice(start, start + BATCH_GET_LIMIT)
        .map((entry) => ({ pk: entry.pk, sk: entry.sk }));
      for (let attempt = 0; pending.length > 0 && attempt < 5; attempt += 1) {
        const answer = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? [])
          if (item.entity === "payment") payments.push(fromItem(item));
        pending = (answer.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
      }
      if (pending.length > 0) throw new Error(`${pending.length} payments could not be read (throttled)`);
    }
    return payments;
  }
}
