import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import {
  type AmountWindowQuery,
  datesBetween,
  type PaymentLookup,
} from "../../domain/matching/payment-lookup.js";
import type {
  MatchablePayment,
  PaymentIdentity,
  PaymentUpdate,
  SettlementState,
} from "../../domain/matching/payment-state.js";
import type { BatchUpdate, PayoutBatch } from "../../domain/matching/payout-batches.js";
import type { StoredLine } from "../../domain/matching/pending-lines.js";
import type { SettlementLine } from "../../domain/settlement-files/settlement-record.js";
import {
  AMOUNT_INDEX,
  DUE_INDEX,
  MERCHANT_OPEN_INDEX,
  ORDER_INDEX,
  TIME_TO_LIVE_ATTRIBUTE,
} from "../../shared/table-schema.js";
import type {
  HeldCredit,
  KeptLine,
  PresumedOutcome,
  SettlementStore,
  StoredFile,
} from "../../use-cases/settlement-ports.js";
import { sendIfCondition } from "./conditional-write.js";
import { fromItem } from "./payment-repository.js";
import { amountSortPrefix, keys } from "./table-keys.js";

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
  reversalLineKey: "settlementReversalLineKey",
};

const MEMBER_PAGE = 100;

/** A payout batch item as the domain sees it. */
function batchFromItem(item: Record<string, unknown>): PayoutBatch | undefined {
  if (item.entity !== "payout-batch") return undefined;
  const batch: PayoutBatch = {
    batchKey: String(item.batchKey),
    acquirer: String(item.acquirer),
    batchReference: (item.batchReference as string | null | undefined) ?? null,
    merchantId: (item.merchantId as string | null | undefined) ?? null,
    account: (item.account as string | null | undefined) ?? null,
    currency: String(item.currency),
    netTotalMinor: Number(item.netTotalMinor),
    valueDate: String(item.valueDate),
    declaredNetMinor: item.declaredNetMinor === null ? null : Number(item.declaredNetMinor),
    computedNetMinor: Number(item.computedNetMinor),
    lineCount: Number(item.lineCount),
  };
  if (typeof item.creditedBy === "string") batch.creditedBy = item.creditedBy;
  return batch;
}

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

  /** One exact-amount range per trade date of the window (the index is partitioned by merchant and day). */
  private async byAmountWindow(query: AmountWindowQuery): Promise<MatchablePayment[]> {
    const prefix = amountSortPrefix(query.currency, query.amountMinor);
    const pages = await Promise.all(
      datesBetween(query.from, query.to, 62).map(async (tradeDate) => {
        const { Items } = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: AMOUNT_INDEX.name,
            KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames: { "#pk": AMOUNT_INDEX.partitionKey, "#sk": AMOUNT_INDEX.sortKey },
            ExpressionAttributeValues: {
              ":pk": keys.amountLookup(query.merchantId, tradeDate),
              ":prefix": prefix,
            },
            Limit: 20,
          }),
        );
        return Items ?? [];
      }),
    );
    return await this.fetchIndexed(pages.flat().slice(0, 20));
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

  /** Keys in one partition of the amount index whose sort key (a date, then "#…") is in [from, to]. */
  private async amountIndexRange(
    partition: string,
    from: string,
    to: string,
  ): Promise<Record<string, unknown>[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: AMOUNT_INDEX.name,
        KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
        ExpressionAttributeNames: { "#pk": AMOUNT_INDEX.partitionKey, "#sk": AMOUNT_INDEX.sortKey },
        ExpressionAttributeValues: { ":pk": partition, ":from": `${from}#`, ":to": `${to}#\uffff` },
        Limit: 20,
      }),
    );
    return Items ?? [];
  }

  async applyUpdate(update: PaymentUpdate): Promise<boolean> {
    const command = updateCommandOf(this.tableName, update);
    if (!command) return true;
    return await sendIfCondition(this.db, command);
  }

  async applyPresumed(update: PaymentUpdate): Promise<PresumedOutcome> {
    const command = updateCommandOf(this.tableName, update, "ALL_OLD");
    if (!command) throw new Error("a presumed settlement always writes");
    try {
      await this.db.send(command);
      return { applied: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The item as it is, returned with the failure: no item (or a placeholder) means no payment yet.
      const item = error.Item ? unmarshall(error.Item) : undefined;
      return { applied: false, current: item ? matchableFromItem(item) : undefined };
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

  async expireFile(fileId: string, expiresAt: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.file(fileId),
          UpdateExpression: "SET #ttl = if_not_exists(#ttl, :at)",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#ttl": TIME_TO_LIVE_ATTRIBUTE },
          ExpressionAttributeValues: { ":at": expiresAt },
        }),
      );
    } catch (error) {
      // No such record (never written, or already deleted by the TTL): nothing to expire.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
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

  async putBatch(batch: PayoutBatch): Promise<void> {
    const { creditedBy: _credited, ...fields } = batch;
    const attributes: Record<string, unknown> = { entity: "payout-batch", ...fields };
    if (batch.account !== null) {
      attributes[AMOUNT_INDEX.partitionKey] = keys.batchAmountLookup(
        batch.account,
        batch.currency,
        batch.netTotalMinor,
      );
      attributes[AMOUNT_INDEX.sortKey] = keys.batchAmountSort(batch.valueDate, batch.batchKey);
    }
    const entries = Object.entries(attributes);
    // SET only: a batch already credited keeps creditedBy / creditedOn when its file is replayed.
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.batch(batch.batchKey),
        UpdateExpression: `SET ${entries.map((_, index) => `#a${index} = :v${index}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#a${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          entries.map(([, value], index) => [`:v${index}`, value]),
        ),
      }),
    );
    if (batch.batchReference !== null) {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.batchReference(batch.batchReference, batch.batchKey),
            entity: "batch-reference",
            batchKey: batch.batchKey,
          },
        }),
      );
    }
  }

  async getBatch(batchKey: string): Promise<PayoutBatch | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.batch(batchKey), ConsistentRead: true }),
    );
    return Item ? batchFromItem(Item) : undefined;
  }

  async batchesByReference(references: readonly string[]): Promise<PayoutBatch[]> {
    const batchKeys = new Set<string>();
    for (const reference of new Set(references)) {
      const { Items } = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.batchReference(reference, "").pk },
          ConsistentRead: true,
          Limit: 20,
        }),
      );
      for (const item of Items ?? []) batchKeys.add(String(item.batchKey));
    }
    return await this.batchesByKey([...batchKeys]);
  }

  async batchesByAmount(query: {
    account: string;
    currency: string;
    netMinor: number;
    from: string;
    to: string;
  }): Promise<PayoutBatch[]> {
    const items = await this.amountIndexRange(
      keys.batchAmountLookup(query.account, query.currency, query.netMinor),
      query.from,
      query.to,
    );
    // Index hits are keys only (and the index can lag): the batches are re-read consistently.
    return await this.batchesByKey(items.map((item) => String(item.pk).slice("BATCH#".length)));
  }

  private async batchesByKey(batchKeys: readonly string[]): Promise<PayoutBatch[]> {
    const batches = await Promise.all(batchKeys.map((batchKey) => this.getBatch(batchKey)));
    return batches.filter((batch): batch is PayoutBatch => batch !== undefined);
  }

  async markBatchCredited(update: BatchUpdate): Promise<boolean> {
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.batch(update.batchKey),
        UpdateExpression: "SET creditedBy = :by, creditedOn = :on",
        ConditionExpression: "#entity = :batch AND (attribute_not_exists(creditedBy) OR creditedBy = :by)",
        ExpressionAttributeNames: { "#entity": "entity" },
        ExpressionAttributeValues: {
          ":by": update.set.creditedBy,
          ":on": update.set.creditedOn,
          ":batch": "payout-batch",
        },
      }),
    );
  }

  async addBatchMember(batchKey: string, payment: PaymentIdentity): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.batchMember(batchKey, payment.acquirer, payment.paymentId),
          entity: "batch-member",
          batchKey,
          acquirer: payment.acquirer,
          paymentId: payment.paymentId,
          merchantId: payment.merchantId,
        },
      }),
    );
  }

  async batchMembers(
    batchKey: string,
    cursor?: string,
  ): Promise<{ members: PaymentIdentity[]; cursor?: string | undefined }> {
    const { Items, LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :pay)",
        ExpressionAttributeValues: { ":pk": keys.batch(batchKey).pk, ":pay": "PAY#" },
        ConsistentRead: true,
        Limit: MEMBER_PAGE,
        ...(cursor ? { ExclusiveStartKey: JSON.parse(cursor) as Record<string, unknown> } : {}),
      }),
    );
    return {
      members: (Items ?? []).map((item) => ({
        acquirer: String(item.acquirer),
        paymentId: String(item.paymentId),
        merchantId: String(item.merchantId),
      })),
      cursor: LastEvaluatedKey ? JSON.stringify(LastEvaluatedKey) : undefined,
    };
  }

  async holdCredit(held: HeldCredit): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.heldCredit(held.line.currency, held.line.valueDate, held.creditKey),
          entity: "held-credit",
          ...held,
        },
      }),
    );
  }

  async heldCredits(currency: string, from: string, to: string): Promise<HeldCredit[]> {
    const held: HeldCredit[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": keys.heldCredit(currency, from, "").pk,
            ":from": `${from}#`,
            ":to": `${to}#\uffff`,
          },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        held.push({
          creditKey: String(item.creditKey),
          fileId: String(item.fileId),
          line: item.line as SettlementLine,
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return held;
  }

  async releaseCredit(held: HeldCredit): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.heldCredit(held.line.currency, held.line.valueDate, held.creditKey),
      }),
    );
  }
}

/**
 * One decision's conditional UpdateItem (undefined when it writes nothing). The condition is all of
 * `update.condition`; the updates are the status, the settlement attributes, the refund key and,
 * when the payment leaves OVERDUE, the REMOVE of its index keys - all in one request.
 */
function updateCommandOf(
  tableName: string,
  update: PaymentUpdate,
  onFailure?: "ALL_OLD",
): UpdateCommand | undefined {
  const names: Record<string, string> = { "#status": "status", "#entity": "entity" };
  const values: Record<string, unknown> = { ":from": update.condition.status, ":payment": "payment" };
  const sets: string[] = [];
  const conditions = [
    "#entity = :payment",
    "#status = :from",
    ...conditionsOf(update.condition, names, values),
  ];
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
  if (update.condition.status === "OVERDUE" && update.status && update.status !== "OVERDUE") {
    // Out of OVERDUE (settled late, mismatch, refunded): off the merchant page's overdue list.
    expression += update.leaveDueIndex ? ", #opk, #osk" : " REMOVE #opk, #osk";
    names["#opk"] = MERCHANT_OPEN_INDEX.partitionKey;
    names["#osk"] = MERCHANT_OPEN_INDEX.sortKey;
  }
  if (expression.trim() === "") return undefined;
  return new UpdateCommand({
    TableName: tableName,
    Key: keys.payment(update.payment.acquirer, update.payment.paymentId),
    UpdateExpression: expression.trim(),
    ConditionExpression: conditions.join(" AND "),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(onFailure ? { ReturnValuesOnConditionCheckFailure: onFailure } : {}),
  });
}

/** The condition clauses beyond entity and status, adding the names and values they use. */
function conditionsOf(
  condition: PaymentUpdate["condition"],
  names: Record<string, string>,
  values: Record<string, unknown>,
): string[] {
  const conditions: string[] = [];
  const { lineKey, refundedMinor, refundLineKeyAbsent, batchKey, reversalLineKeyAbsent, presumed } =
    condition;
  if (reversalLineKeyAbsent) conditions.push("attribute_not_exists(settlementReversalLineKey)");
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
  if (presumed) {
    // The stored payment is the one the decision presumed (no read was made).
    names["#kind"] = "kind";
    names["#currency"] = "currency";
    Object.assign(values, {
      ":kind": presumed.kind,
      ":merchant": presumed.merchantId,
      ":amount": presumed.amountMinor,
      ":currency": presumed.currency,
    });
    conditions.push(
      "#kind = :kind",
      "merchantId = :merchant",
      "amountMinor = :amount",
      "#currency = :currency",
    );
  }
  return conditions;
}
