import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { tradeDateOf } from "../../domain/matching/payment-lookup.js";
import type { StoredLine } from "../../domain/matching/pending-lines.js";
import type { ReversalClaim, ReversalUpdate } from "../../domain/matching/reversal-confirmations.js";
import { type CalendarHold, dueShardOf, type Payment } from "../../domain/payment/payment.js";
import {
  AMOUNT_INDEX,
  DUE_INDEX,
  MERCHANT_OPEN_INDEX,
  ORDER_INDEX,
  TIME_TO_LIVE_ATTRIBUTE,
} from "../../shared/table-schema.js";
import type { HoldReversalResult, InsertPaymentResult, PaymentRepository } from "../../use-cases/ports.js";
import { sendIfCondition } from "./conditional-write.js";
import { DUE_INDEX_LAG_MARGIN_MS, dueInstant, keys } from "./table-keys.js";

type PaymentItem = Record<string, unknown>;

/** How many due markers one repository (one container) remembers having written. */
const KNOWN_MARKERS_LIMIT = 10_000;
/** A due marker outlives its instant by this long, then DynamoDB's TTL deletes it (free). */
const DUE_MARKER_LIFETIME_MS = 35 * 24 * 60 * 60 * 1000;

/** The merchant day and overdue instant a payment is filed under on the due list by a shared marker. */
export interface DueMarker {
  merchantId: string;
  tradeDate: string;
  overdueAt: string;
}

/** How a payment's item is filed beyond its key (see {@link toItem}). */
export interface PaymentFiling {
  /** See {@link dueInstant}: null only for a simulation checking as of instants before its writes. */
  dueLagMarginMs?: number | null;
  /**
   * False: no order-index entry, even with an order number (one write unit less per payment); its
   * settlement lines then find it by payment id or by the window rung only. Default true.
   */
  orderIndex?: boolean;
}

/** The due-list margin a filing asks for: undefined means the default, null none. */
function marginOf(filing: { dueLagMarginMs?: number | null }): number | null {
  return filing.dueLagMarginMs === undefined ? DUE_INDEX_LAG_MARGIN_MS : filing.dueLagMarginMs;
}

/** Payments in the single table, keyed by acquirer + payment reference. */
export class DynamoDbPaymentRepository implements PaymentRepository {
  private readonly dueLagMarginMs: number | null;
  private readonly acquirersWithoutOrderIndex: ReadonlySet<string>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly dueShards: number,
    options: {
      /** See {@link dueInstant}: null only for a simulation checking as of instants before its writes. */
      dueLagMarginMs?: number | null;
      /** Acquirers whose payments get no order-index entry (deployment: `matchByOrderNumber: false`). */
      acquirersWithoutOrderIndex?: Iterable<string>;
    } = {},
  ) {
    this.dueLagMarginMs = marginOf(options);
    this.acquirersWithoutOrderIndex = new Set(options.acquirersWithoutOrderIndex ?? []);
  }

  /** Due markers this container wrote (or found written): a payment of the same day skips the put. */
  private readonly knownMarkers = new Set<string>();

  async insert(
    payment: Payment,
    withHeldReversals?: (payment: Payment, held: readonly ReversalClaim[]) => Payment,
  ): Promise<InsertPaymentResult> {
    const hold = payment.arrival?.calendarHold;
    // The calendar check lists holds from these markers. Written first (an idempotent put, held
    // payments only), so a held payment is never stored without the marker that finds it again.
    if (hold && payment.status === "PENDING") {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.calendarHoldMarker(hold.region, hold.year), entity: "calendar-hold", ...hold },
        }),
      );
    }
    const marker = dueMarkerOf(payment, this.dueLagMarginMs);
    // The marker before the payment: a payment is never stored without the due entry that finds it.
    if (marker) await this.putDueMarker(marker);
    return await this.insertPayment(payment, withHeldReversals);
  }

  /**
   * Puts the marker unless it is there (idempotent: the same item for every payment of its day).
   * A container that has not met the day yet looks first, with an eventually consistent read (0.5
   * RRU): under Lambda's concurrency each container meets each busy merchant day once, and a put
   * whose condition fails would bill a write unit (five times the price) every time. A marker
   * written too recently for the read to see is caught by the put's condition.
   */
  private async putDueMarker(marker: DueMarker): Promise<void> {
    const id = `${marker.merchantId}\u0000${marker.tradeDate}\u0000${marker.overdueAt}`;
    if (this.knownMarkers.has(id)) return;
    const item = dueMarkerItem(marker, this.dueShards);
    const key = { pk: item.pk, sk: item.sk };
    const { Item: found } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
    if (!found) {
      await sendIfCondition(
        this.db,
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    }
    if (this.knownMarkers.size >= KNOWN_MARKERS_LIMIT) {
      const oldest = this.knownMarkers.values().next().value;
      if (oldest !== undefined) this.knownMarkers.delete(oldest);
    }
    this.knownMarkers.add(id);
  }

  private async insertPayment(
    payment: Payment,
    withHeldReversals?: (payment: Payment, held: readonly ReversalClaim[]) => Payment,
  ): Promise<InsertPaymentResult> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const existing = await this.tryPut(payment, "attribute_not_exists(pk)", {});
      if (existing === undefined) return { outcome: "created", stored: payment };
      if (existing.entity === "payment") return { outcome: "exists", existing: fromItem(existing) };
      // Settlement lines or reversals arrived before this confirmation and wait on its key: take
      // their place, on condition that nothing further joined them meanwhile.
      const lines = (existing.pendingLines ?? []) as StoredLine[];
      const held = (existing.pendingReversals ?? []) as ReversalClaim[];
      const stored = held.length > 0 && withHeldReversals ? withHeldReversals(payment, held) : payment;
      const replaced = await this.tryPut(
        stored,
        `#entity = :placeholder AND ${sizeIs("pendingLineKeys", ":lines", lines.length)} AND ${sizeIs("pendingReversalIds", ":reversals", held.length)}`,
        {
          names: { "#entity": "entity" },
          values: {
            ":placeholder": "pending-lines",
            ...(lines.length > 0 ? { ":lines": lines.length } : {}),
            ...(held.length > 0 ? { ":reversals": held.length } : {}),
          },
        },
      );
      if (replaced === undefined) {
        return {
          outcome: "created",
          stored,
          ...(lines.length > 0 ? { pendingLines: lines } : {}),
          ...(held.length > 0 ? { heldReversals: held } : {}),
        };
      }
    }
    throw new Error(
      `payment ${payment.acquirer}/${payment.paymentId}: its key kept changing while it was stored`,
    );
  }

  async applyReversal(update: ReversalUpdate): Promise<boolean> {
    const names: Record<string, string> = { "#entity": "entity", "#status": "status" };
    const values: Record<string, unknown> = {
      ":payment": "payment",
      ":from": update.condition.status,
      ":expected": update.condition.amountMinor,
      ":amount": update.amountMinor,
      ":id": update.reversalId,
      ":ids": [update.reversalId],
      ":empty": [],
    };
    const sets = [
      "amountMinor = :amount",
      "reversalIds = list_append(if_not_exists(reversalIds, :empty), :ids)",
    ];
    if (update.status) {
      sets.push("#status = :to");
      values[":to"] = update.status;
    }
    if (update.reversedMinor > 0) {
      sets.push("reversedMinor = :reversed");
      values[":reversed"] = update.reversedMinor;
    }
    if (update.amountMinor !== update.condition.amountMinor) {
      // The amount index finds payments by what is still expected (the amount is in its sort key).
      sets.push("#amountSort = :amountSort");
      names["#amountSort"] = AMOUNT_INDEX.sortKey;
      values[":amountSort"] = keys.amountSort({
        ...update.payment,
        currency: update.currency,
        amountMinor: update.amountMinor,
        confirmedAtUtc: update.confirmedAtUtc,
      });
    }
    let expression = `SET ${sets.join(", ")}`;
    if (update.leaveDueIndex) {
      // The due and escalation entries share these attributes: a reversed payment is in neither.
      expression += " REMOVE #duePk, #dueSk";
      names["#duePk"] = DUE_INDEX.partitionKey;
      names["#dueSk"] = DUE_INDEX.sortKey;
    }
    if (update.status) {
      // Reversed (out of OVERDUE, if it was): off the merchant page's overdue list in the same write.
      expression += update.leaveDueIndex ? ", #openPk, #openSk" : " REMOVE #openPk, #openSk";
      names["#openPk"] = MERCHANT_OPEN_INDEX.partitionKey;
      names["#openSk"] = MERCHANT_OPEN_INDEX.sortKey;
    }
    return await sendIfCondition(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.payment(update.payment.acquirer, update.payment.paymentId),
        UpdateExpression: expression,
        ConditionExpression:
          "#entity = :payment AND #status = :from AND amountMinor = :expected AND NOT contains(reversalIds, :id)",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async holdReversal(claim: ReversalClaim): Promise<HoldReversalResult> {
    // A placeholder on the original's key (shared with early settlement lines): the original's
    // conditional put meets it at no extra cost.
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.payment(claim.acquirer, claim.originalPaymentId),
          UpdateExpression:
            "SET #entity = if_not_exists(#entity, :placeholder), pendingReversals = list_append(if_not_exists(pendingReversals, :empty), :claim), pendingReversalIds = list_append(if_not_exists(pendingReversalIds, :empty), :ids)",
          ConditionExpression:
            "(attribute_not_exists(pk) OR #entity = :placeholder) AND NOT contains(pendingReversalIds, :id)",
          ExpressionAttributeNames: { "#entity": "entity" },
          ExpressionAttributeValues: {
            ":placeholder": "pending-lines",
            ":empty": [],
            ":claim": [claim],
            ":ids": [claim.paymentId],
            ":id": claim.paymentId,
          },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return "held";
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item ? unmarshallLoose(error.Item) : undefined;
      return existing?.entity === "payment" ? "original-exists" : "already-held";
    }
  }

  /** Puts the payment on a condition; returns nothing when written, else the item that is there. */
  private async tryPut(
    payment: Payment,
    condition: string,
    extra: { names?: Record<string, string>; values?: Record<string, unknown> },
  ): Promise<Record<string, unknown> | undefined> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: storedItem(payment, this.dueShards, {
            dueLagMarginMs: this.dueLagMarginMs,
            orderIndex: !this.acquirersWithoutOrderIndex.has(payment.acquirer),
          }),
          ConditionExpression: condition,
          ...(extra.names ? { ExpressionAttributeNames: extra.names } : {}),
          ...(extra.values ? { ExpressionAttributeValues: extra.values } : {}),
          // The stored item comes back with the failure, so a duplicate costs no second read.
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item) return unmarshallLoose(error.Item);
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.payment(payment.acquirer, payment.paymentId),
          ConsistentRead: true,
        }),
      );
      if (!Item) throw error;
      return Item;
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
    return Item && Item.entity === "payment" ? fromItem(Item) : undefined;
  }
}

/**
 * The due marker a confirmed payment is filed under instead of its own due entry: the common case,
 * a PENDING payment (kind "payment", its amount-index entry names its merchant day) whose overdue
 * time is at least the lag margin after it is received. The others keep their own entry: a payment
 * held for a calendar year, a late confirmation (its entry comes due a margin after it is written,
 * a time no other payment shares), a refund, and a simulation's time travel (null margin).
 */
export function dueMarkerOf(payment: Payment, dueLagMarginMs: number | null): DueMarker | undefined {
  const arrival = payment.arrival;
  if (dueLagMarginMs === null || payment.status !== "PENDING" || payment.kind !== "payment") return undefined;
  if (!arrival || arrival.calendarHold) return undefined;
  const earliest = Date.parse(payment.receivedAt) + dueLagMarginMs;
  if (!(Date.parse(arrival.overdueAt) >= earliest)) return undefined;
  return { merchantId: payment.merchantId, tradeDate: tradeDateOf(payment), overdueAt: arrival.overdueAt };
}

/**
 * The marker item: in its due shard's marker partition (the shard of its merchant day), sorted at
 * its overdue instant. A base-table item of a few hundred bytes with no index keys: one write unit.
 */
export function dueMarkerItem(marker: DueMarker, dueShards: number): PaymentItem {
  const { merchantId, tradeDate, overdueAt } = marker;
  return {
    ...keys.dueMarker(dueShardOf(merchantId, tradeDate, dueShards), marker),
    entity: "due-marker",
    merchantId,
    tradeDate,
    overdueAt,
    [TIME_TO_LIVE_ATTRIBUTE]: Math.floor((Date.parse(overdueAt) + DUE_MARKER_LIFETIME_MS) / 1000),
  };
}

/** The item a confirmation stores: without its own due entry when a due marker stands for it. */
export function storedItem(payment: Payment, dueShards: number, filing: PaymentFiling = {}): PaymentItem {
  const item = toItem(payment, dueShards, filing);
  if (!dueMarkerOf(payment, marginOf(filing))) return item;
  const { [DUE_INDEX.partitionKey]: _partition, [DUE_INDEX.sortKey]: _sort, ...rest } = item;
  return rest;
}

/**
 * Builds the item with the payment's own due entry when PENDING (a sparse index), as every payment
 * had before due markers (and as stored payments still have: the check reads both kinds).
 */
export function toItem(payment: Payment, dueShards: number, filing: PaymentFiling = {}): PaymentItem {
  const dueLagMarginMs = marginOf(filing);
  const { arrival, ...rest } = payment;
  const item: PaymentItem = {
    ...keys.payment(payment.acquirer, payment.paymentId),
    entity: "payment",
    ...rest,
    ...(arrival ?? {}),
  };
  if (payment.status === "PENDING" && arrival) {
    // A payment held for an uncovered calendar year waits in that year's hold partition instead.
    const hold = arrival.calendarHold;
    item[DUE_INDEX.partitionKey] = hold
      ? keys.calendarHold(hold.region, hold.year)
      : keys.dueShard(dueShardOf(payment.acquirer, payment.paymentId, dueShards));
    // Never due sooner than the margin after it is written: the check reads past it only once.
    const instant = dueInstant(arrival.overdueAt, payment.receivedAt, dueLagMarginMs);
    item[DUE_INDEX.sortKey] = keys.dueSort(instant, payment.acquirer, payment.paymentId);
  }
  if (payment.status === "OVERDUE" && arrival) {
    item[MERCHANT_OPEN_INDEX.partitionKey] = keys.merchantOpen(payment.merchantId);
    item[MERCHANT_OPEN_INDEX.sortKey] = keys.merchantOpenSort(
      arrival.overdueAt,
      payment.acquirer,
      payment.paymentId,
    );
  }
  if (payment.orderId && filing.orderIndex !== false) {
    item[ORDER_INDEX.partitionKey] = keys.orderLookup(payment.orderId);
    item[ORDER_INDEX.sortKey] = keys.orderSort(payment.merchantId, payment.acquirer, payment.paymentId);
  }
  if (payment.kind === "payment") {
    item[AMOUNT_INDEX.partitionKey] = keys.amountLookup(payment.merchantId, tradeDateOf(payment));
    item[AMOUNT_INDEX.sortKey] = keys.amountSort(payment);
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
    ...(typeof item.reversedMinor === "number" ? { reversedMinor: item.reversedMinor } : {}),
    ...(Array.isArray(item.reversalIds) ? { reversalIds: item.reversalIds as string[] } : {}),
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
      ...(isCalendarHold(item.calendarHold) ? { calendarHold: item.calendarHold } : {}),
    };
  }
  return payment;
}

/** A condition on how many entries a placeholder's list holds (none: the list is absent). */
function sizeIs(attribute: string, placeholder: string, count: number): string {
  return count > 0 ? `size(${attribute}) = ${placeholder}` : `attribute_not_exists(${attribute})`;
}

// The exception carries the raw (marshalled) item; lib-dynamodb does not unmarshall error payloads.
function unmarshallLoose(item: NonNullable<ConditionalCheckFailedException["Item"]>): PaymentItem {
  return unmarshall(item);
}

function isCalendarHold(value: unknown): value is CalendarHold {
  if (typeof value !== "object" || value === null) return false;
  const hold = value as Record<string, unknown>;
  return typeof hold.region === "string" && typeof hold.year === "number";
}
