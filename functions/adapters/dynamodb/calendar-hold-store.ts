import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  type CalendarHold,
  dueShardOf,
  type ExpectedArrivalFields,
  type Payment,
} from "../../domain/payment/payment.js";
import { DUE_INDEX } from "../../shared/table-schema.js";
import type { CalendarHoldStore } from "../../use-cases/run-calendar-check.js";
import { DynamoDbOverdueStore } from "./overdue-store.js";
import { CALENDAR_HOLDS_PARTITION, CALENDARS_IN_USE_PARTITION, dueInstant, keys } from "./table-keys.js";

/** Held payments live in `CALHOLD#<region>#<year>` of the due index; markers and usage in two small partitions. */
export class DynamoDbCalendarHoldStore implements CalendarHoldStore {
  private readonly payments: DynamoDbOverdueStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly dueShards: number,
  ) {
    this.payments = new DynamoDbOverdueStore(db, tableName);
  }

  async calendarsInUse(): Promise<string[]> {
    return (await this.partition(CALENDARS_IN_USE_PARTITION)).map((item) => String(item.sk));
  }

  async heldYears(): Promise<CalendarHold[]> {
    return (await this.partition(CALENDAR_HOLDS_PARTITION)).flatMap((item) =>
      typeof item.region === "string" && typeof item.year === "number"
        ? [{ region: item.region, year: item.year }]
        : [],
    );
  }

  async countHeldUpTo(hold: CalendarHold, nowIso: string): Promise<number> {
    // Settling a PENDING payment leaves its index entry: only the ones still PENDING are held.
    let count = 0;
    for await (const refs of this.payments.refsUpTo(keys.calendarHold(hold.region, hold.year), nowIso)) {
      const payments = await this.payments.getPayments(refs);
      count += payments.filter((payment) => payment.status === "PENDING").length;
    }
    return count;
  }

  async *heldPayments(hold: CalendarHold): AsyncIterable<Payment[]> {
    const partition = keys.calendarHold(hold.region, hold.year);
    // Every held payment, whatever its guessed overdue time ("\uffff" sorts after every instant).
    for await (const page of this.payments.refsUpTo(partition, "\uffff")) {
      yield await this.payments.getPayments(page);
    }
  }

  async releaseHold(
    payment: Payment,
    from: CalendarHold,
    arrival: ExpectedArrivalFields,
    releasedAt: string,
  ): Promise<boolean> {
    const next = arrival.calendarHold;
    const partition = next
      ? keys.calendarHold(next.region, next.year)
      : keys.dueShard(dueShardOf(payment.acquirer, payment.paymentId, this.dueShards));
    const values: Record<string, unknown> = {
      ":pending": "PENDING",
      ":held": keys.calendarHold(from.region, from.year),
      ":partition": partition,
      // A released payment already past due comes due after the index-lag margin (see dueInstant).
      ":sort": keys.dueSort(dueInstant(arrival.overdueAt, releasedAt), payment.acquirer, payment.paymentId),
      ":tradeDate": arrival.tradeDate,
      ":dueDate": arrival.dueDate,
      ":expectedBy": arrival.expectedBy,
      ":overdueAt": arrival.overdueAt,
      ":explanation": arrival.explanation,
      ":coverage": arrival.calendarCoverage,
    };
    let update =
      "SET #gpk = :partition, #gsk = :sort, tradeDate = :tradeDate, dueDate = :dueDate, " +
      "expectedBy = :expectedBy, overdueAt = :overdueAt, explanation = :explanation, calendarCoverage = :coverage";
    if (next) {
      update += ", calendarHold = :hold";
      values[":hold"] = next;
    } else {
      update += " REMOVE calendarHold";
    }
    // The marker first: a payment is never held without the marker that finds it again.
    if (next) await this.markHeld(next);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.payment(payment.acquirer, payment.paymentId),
          UpdateExpression: update,
          // Settled (or otherwise moved) meanwhile: leave it alone.
          ConditionExpression: "#status = :pending AND #gpk = :held",
          ExpressionAttributeNames: {
            "#status": "status",
            "#gpk": DUE_INDEX.partitionKey,
            "#gsk": DUE_INDEX.sortKey,
          },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    return true;
  }

  private async markHeld(hold: CalendarHold): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.calendarHoldMarker(hold.region, hold.year),
        UpdateExpression: "SET entity = :entity, #region = :region, #year = :year",
        ExpressionAttributeNames: { "#region": "region", "#year": "year" },
        ExpressionAttributeValues: { ":entity": "calendar-hold", ":region": hold.region, ":year": hold.year },
      }),
    );
  }

  private async partition(pk: string): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return items;
  }
}
