import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AmountWindowQuery, PaymentLookup } from "../../domain/matching/payment-lookup.js";
import type {
  MatchablePayment,
  PaymentUpdate,
  SettlementState,
} from "../../domain/matching/payment-state.js";
import type { StoredLine } from "../../domain/matching/pending-lines.js";
import { AMOUNT_INDEX, DUE_INDEX, keys, ORDER_INDEX } from "../../shared/table-schema.js";
import type { KeptLine, SettlementStore, StoredFile } from "../../use-cases/settlement-ports.js";
import { fromItem } from "./payment-repository.js";

const BATCH_GET_LIMIT = 100;

/** The payment item's top-level matching attributes (DynamoDB cannot create and fill a nested map in one write). */
const STATE_ATTRIBUTES: Record<keyof SettlementState, string> = {
  lineKey: "settlementLineKey",
  outcome: "settlementOutcome",
  valueDate: "settlementValueDate",
  figures: "settlementFigures",
  batchKey: "settlementBatchKey",
  refundedMinor: "refundedMinor",
  refundLineKeys: "refundLineKeys",
};

/** A payment item (or nothing, for a placeholder holding early lines) as matching sees it. */
export function matchableFromItem(item: Record<string, unknown>): MatchablePayment | undefined {
  if (item.entity !== "payment") return undefined;
  const payment: MatchablePayment = fromItem(item);
  const settlement: SettlementState = {};
  for (const [field, attribute] of Object.entries(STATE_ATTRIBUTES) as Array<
    [keyof SettlementState, string]
  >) {
    const value = item[attribute];
    if (value === undefined) continue;
    (settlement as Record<string, unknown>)[field] = value instanceof Set ? [...value] : value;
  }
  if (Object.keys(settlement).length > 0) payment.settlement = settlement;
  return payment;
}

/** Matching's storage on the single table: payment lookups, conditional updates, kept lines, file progress. */
export class DynamoDbSettlementStore implements SettlementStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A lookup that answers `byReference` from one BatchGetItem per window of lines. */
  async lookupFor(
    references: ReadonlyArray<{ acquirer: string; reference: string }>,
  ): Promise<PaymentLookup> {
    const cache = new Map<string, MatchablePayment | undefined>();
    const unique = [...new Map(references.map((ref) => [`${ref.acquirer}#${ref.reference}`, ref])).values()];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      const chunk = unique.slice(start, start + BATCH_GET_LIMIT);
      for (const ref of chunk) cache.set(`${ref.acquirer}#${ref.reference}`, undefined);
      let pending: Array<Record<string, unknown>> | undefined = chunk.map((ref) =>
        keys.payment(ref.acquirer, ref.reference),
      );
      for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const answer = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const payment = matchableFromItem(item);
          if (payment) cache.set(`${payment.acquirer}#${payment.paymentId}`, payment);
        }
        pending = answer.UnprocessedKeys?.[this.tableName]?.Keys as
          | Array<Record<string, unknown>>
          | undefined;
      }
    }
    return {
      byReference: async (acquirer, reference) => {
        const key = `${acquirer}#${reference}`;
        if (cache.has(key)) return cache.get(key);
        return await this.getPayment(acquirer, reference);
      },
      byOrderId: (merchantId, orderId) => this.byOrderId(merchantId, orderId),
      byAmountWindow: (query) => this.byAmountWindow(query),
    };
  }

  async getPayment(acquirer: string, paymentId: string): Promise<MatchablePayment | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.payment(acquirer, paymentId),
        ConsistentRead: true,
      }),
    );
    return Item ? matchableFromItem(Item) : undefined;
  }

  private async byOrderId(merchantId: string | null, orderId: string): Promise<MatchablePayment[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: ORDER_INDEX.name,
        KeyConditionExpression:
          merchantId === null ? "#pk = :pk" : "#pk = :pk AND begins_with(#sk, :merchant)",
        ExpressionAttributeNames: {
          "#pk": ORDER_INDEX.partitionKey,
          ...(merchantId === null ? {} : { "#sk": ORDER_INDEX.sortKey }),
        },
        ExpressionAttributeValues: {
          ":pk": keys.orderLookup(orderId),
          ...(merchantId === null ? {} : { ":merchant": `${merchantId}#` }),
        },
        Limit: 20,
      }),
    );
    return await this.fetchIndexed(Items ?? []);
  }

  private async byAmountWindow(query: AmountWindowQuery): Promise<MatchablePayment[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: AMOUNT_INDEX.name,
        KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
        ExpressionAttributeNames: { "#pk": AMOUNT_INDEX.partitionKey, "#sk": AMOUNT_INDEX.sortKey },
        ExpressionAttributeValues: {
          ":pk": keys.amountLookup(query.merchantId, query.currency, query.amountMinor),
          ":from": `${query.from}#`,
          ":to": `${query.to}#\uffff`,
        },
        Limit: 20,
      }),
    );
    return await this.fetchIndexed(Items ?? []);
  }

  /** Index hits are keys only; the items are re-read consistently (the index can lag). */
  private async fetchIndexed(items: ReadonlyArray<Record<string, unknown>>): Promise<MatchablePayment[]> {
    const payments = await Promise.all(
      items.map((item) => {
        const rest = String(item.pk).slice("PAY#".length);
        const split = rest.indexOf("#");
        return this.getPayment(rest.slice(0, split), rest.slice(split + 1));
      }),
    );
    return payments.filter((payment): payment is MatchablePayment => payment !== undefined);
  }

  async applyUpdate(update: PaymentUpdate): Promise<boolean> {
    const names: Record<string, string> = { "#status": "status", "#entity": "entity" };
    const values: Record<string, unknown> = { ":from": update.condition.status, ":payment": "payment" };
    const sets: string[] = [];
    const conditions = ["#entity = :payment", "#status = :from"];
    if (update.status) {
      sets.push("#status = :to");
      values[":to"] = update.status;
    }
    for (const [field, value] of Object.entries(update.set) as Array<[keyof SettlementState, unknown]>) {
      if (value === undefined || field === "refundLineKeys") continue;
      const attribute = STATE_ATTRIBUTES[field];
      sets.push(`${attribute} = :set_${field}`);
      values[`:set_${field}`] = value;
    }
    const { lineKey, refundedMinor, refundLineKeyAbsent, batchKey } = update.condition;
    if (lineKey === null) conditions.push("attribute_not_exists(settlementLineKey)");
    else if (typeof lineKey === "string") {
      conditions.push("settlementLineKey = :claim");
      values[":claim"] = lineKey;
    }
    if (refundedMinor !== undefined) {
      values[":refunded"] = refundedMinor;
      conditions.push(
        refundedMinor === 0
          ? "(attribute_not_exists(refundedMinor) OR refundedMinor = :refunded)"
          : "refundedMinor = :refunded",
      );
    }
    if (refundLineKeyAbsent !== undefined) {
      values[":refundKey"] = refundLineKeyAbsent;
      conditions.push("(attribute_not_exists(refundLineKeys) OR NOT contains(refundLineKeys, :refundKey))");
    }
    if (batchKey !== undefined) {
      values[":batch"] = batchKey;
      conditions.push("settlementBatchKey = :batch");
    }
    let expression = sets.length > 0 ? `SET ${sets.join(", ")}` : "";
    if (update.addRefundLineKey !== undefined) {
      expression += ` ADD refundLineKeys :addKey`;
      values[":addKey"] = new Set([update.addRefundLineKey]);
    }
    if (update.leaveDueIndex) {
      expression += ` REMOVE #gpk, #gsk`;
      names["#gpk"] = DUE_INDEX.partitionKey;
      names["#gsk"] = DUE_INDEX.sortKey;
    }
    if (expression.trim() === "") return true;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.payment(update.payment.acquirer, update.payment.paymentId),
          UpdateExpression: expression.trim(),
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async holdForConfirmation(stored: StoredLine & { lineKey: string }, reference: string): Promise<void> {
    // A placeholder on the payment's own key: the confirmation's conditional put meets it at no extra cost.
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.payment(stored.acquirer, reference),
          UpdateExpression:
            "SET #entity = if_not_exists(#entity, :placeholder), pendingLines = list_append(if_not_exists(pendingLines, :empty), :line), pendingLineKeys = list_append(if_not_exists(pendingLineKeys, :empty), :key)",
          ConditionExpression:
            "(attribute_not_exists(pk) OR #entity = :placeholder) AND NOT contains(pendingLineKeys, :lineKey)",
          ExpressionAttributeNames: { "#entity": "entity" },
          ExpressionAttributeValues: {
            ":placeholder": "pending-lines",
            ":empty": [],
            ":line": [stored],
            ":key": [stored.lineKey],
            ":lineKey": stored.lineKey,
          },
        }),
      );
    } catch (error) {
      // Already held (a replayed file), or the confirmation arrived meanwhile (the caller re-decides).
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async keepLine(fileId: string, kept: KeptLine): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.fileLine(fileId, kept.source), entity: "file-line", fileId, ...kept },
      }),
    );
  }

  async getFile(fileId: string): Promise<StoredFile | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.file(fileId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...file } = Item;
    return file as StoredFile;
  }

  async beginFile(file: StoredFile): Promise<{ created: boolean; existing?: StoredFile }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.file(file.fileId), entity: "settlement-file", ...file },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.getFile(file.fileId);
      return existing ? { created: false, existing } : { created: false };
    }
  }

  async saveProgress(fileId: string, progress: Partial<StoredFile>): Promise<void> {
    const entries = Object.entries(progress).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.file(fileId),
        UpdateExpression: `SET ${entries.map((_, index) => `#a${index} = :v${index}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#a${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          entries.map(([, value], index) => [`:v${index}`, value]),
        ),
      }),
    );
  }

  async keptLines(fileId: string, limit = 1000): Promise<KeptLine[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :line)",
        ExpressionAttributeValues: { ":pk": keys.file(fileId).pk, ":line": "LINE#" },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, entity: _entity, fileId: _fileId, ...kept } = item;
      return kept as KeptLine;
    });
  }
}
