import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { dueShardOf, type Payment } from "../../domain/payment/payment.js";
import { DUE_INDEX, keys, ORDER_INDEX } from "../../shared/table-schema.js";
import type { InsertPaymentResult, PaymentRepository } from "../../use-cases/ports.js";

type PaymentItem = Record<string, unknown>;

/** Payments in the single table, keyed by acquirer + payment reference. */
export class DynamoDbPaymentRepository implements PaymentRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly dueShards: number,
  ) {}

  async insert(payment: Payment): Promise<InsertPaymentResult> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(payment, this.dueShards),
          ConditionExpression: "attribute_not_exists(pk)",
          // The stored item comes back with the failure, so a duplicate costs no second read.
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { outcome: "created" };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item
        ? fromItem(unmarshallLoose(error.Item))
        : await this.get(payment.acquirer, payment.paymentId);
      if (!existing) throw error;
      return { outcome: "exists", existing };
    }
  }

  async get(acquirer: string, paymentId: string): Promise<Payment | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.payment(acquirer, paymentId),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }
}

/** Builds the stored item. Only PENDING payments carry the due index keys (a sparse index). */
export function toItem(payment: Payment, dueShards: number): PaymentItem {
  const { arrival, ...rest } = payment;
  const item: PaymentItem = {
    ...keys.payment(payment.acquirer, payment.paymentId),
    entity: "payment",
    ...rest,
    ...(arrival ?? {}),
  };
  if (payment.status === "PENDING" && arrival) {
    item[DUE_INDEX.partitionKey] = keys.dueShard(dueShardOf(payment.acquirer, payment.paymentId, dueShards));
    item[DUE_INDEX.sortKey] = keys.dueSort(arrival.overdueAt, payment.acquirer, payment.paymentId);
  }
  if (payment.orderId) {
    item[ORDER_INDEX.partitionKey] = keys.orderLookup(payment.merchantId, payment.orderId);
    item[ORDER_INDEX.sortKey] = `${payment.acquirer}#${payment.paymentId}`;
  }
  return item;
}

export function fromItem(item: PaymentItem): Payment {
  const get = <T>(name: string) => item[name] as T;
  const optional = (name: string) => (typeof item[name] === "string" ? { [name]: item[name] as string } : {});
  const payment: Payment = {
    acquirer: get("acquirer"),
    paymentId: get("paymentId"),
    merchantId: get("merchantId"),
    kind: get("kind"),
    amountMinor: get("amountMinor"),
    currency: get("currency"),
    confirmedAt: get("confirmedAt"),
    confirmedAtUtc: get("confirmedAtUtc"),
    ...optional("orderId"),
    ...optional("channel"),
    ...optional("terminalId"),
    ...optional("payerHint"),
    ...optional("originalPaymentId"),
    status: get("status"),
    merchantRegistered: get("merchantRegistered"),
    fingerprint: get("fingerprint"),
    receivedAt: get("receivedAt"),
    ...optional("overdueMarkedAt"),
    ...(Array.isArray(item.noticeHistory)
      ? { noticeHistory: item.noticeHistory as Payment["noticeHistory"] }
      : {}),
  };
  if (typeof item.expectedBy === "string") {
    payment.arrival = {
      tradeDate: get("tradeDate"),
      dueDate: get("dueDate"),
      expectedBy: get("expectedBy"),
      overdueAt: get("overdueAt"),
      explanation: get("explanation"),
      calendarCoverage: get("calendarCoverage"),
    };
  }
  return payment;
}

// The exception carries the raw (marshalled) item; lib-dynamodb does not unmarshall error payloads.
function unmarshallLoose(item: NonNullable<ConditionalCheckFailedException["Item"]>): PaymentItem {
  return unmarshall(item);
}
