import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tradeDateOf } from "../../domain/matching/payment-lookup.js";
import { AMOUNT_INDEX, MERCHANT_OPEN_INDEX } from "../../shared/table-schema.js";
import { sendIfCondition } from "./conditional-write.js";
import { fromItem } from "./payment-repository.js";
import { keys } from "./table-keys.js";

/**
 * One-off rewrite of index keys written before this version: a payment's amount-index keys in the
 * old shape (or missing) are set to the current shape (table-keys.ts amountLookup / amountSort), and
 * an OVERDUE payment without merchant-open keys gets them. A Scan, page by page: acceptable for a
 * one-off (no request path scans). Idempotent (a current item is left alone) and safe beside live
 * writers: each rewrite is conditional on the attributes it was computed from.
 */

type Item = Record<string, unknown>;
export type ScanPosition = Record<string, unknown>;

export interface MigrationStats {
  /** Items the Scan read (every entity). */
  scanned: number;
  payments: number;
  /** Payments whose amount-index keys were (or, in a dry run, would be) rewritten. */
  amountKeysRewritten: number;
  /** OVERDUE payments that got (or would get) merchant-open keys. */
  overdueKeysAdded: number;
  /** Changed by a live writer between the read and the rewrite: left for a re-run. */
  changedMeanwhile: number;
}

export interface MigrationPage {
  stats: MigrationStats;
  /** Where the next page starts; absent when the Scan is done. */
  next?: ScanPosition | undefined;
}

export const emptyMigrationStats = (): MigrationStats => ({
  scanned: 0,
  payments: 0,
  amountKeysRewritten: 0,
  overdueKeysAdded: 0,
  changedMeanwhile: 0,
});

/** One Scan page and its rewrites. */
export async function migrateIndexKeysPage(options: {
  db: DynamoDBDocumentClient;
  tableName: string;
  pageSize: number;
  dryRun: boolean;
  from?: ScanPosition | undefined;
}): Promise<MigrationPage> {
  const { db, tableName } = options;
  const page = await db.send(
    new ScanCommand({
      TableName: tableName,
      Limit: options.pageSize,
      ...(options.from ? { ExclusiveStartKey: options.from } : {}),
    }),
  );
  const stats = emptyMigrationStats();
  stats.scanned = page.Items?.length ?? 0;
  for (const item of page.Items ?? []) {
    if (item.entity !== "payment" || item.kind !== "payment") continue;
    stats.payments += 1;
    const change = changeOf(item);
    if (!change) continue;
    if (change.amount) stats.amountKeysRewritten += 1;
    if (change.overdue) stats.overdueKeysAdded += 1;
    if (!options.dryRun && !(await rewrite(db, tableName, item, change))) {
      stats.changedMeanwhile += 1;
      if (change.amount) stats.amountKeysRewritten -= 1;
      if (change.overdue) stats.overdueKeysAdded -= 1;
    }
  }
  return { stats, next: page.LastEvaluatedKey };
}

interface Change {
  amount?: { pk: string; sk: string };
  overdue?: { pk: string; sk: string };
}

/** What an item needs, or nothing when its keys are current. */
function changeOf(item: Item): Change | undefined {
  const payment = fromItem(item);
  const change: Change = {};
  const amount = {
    pk: keys.amountLookup(payment.merchantId, tradeDateOf(payment)),
    sk: keys.amountSort(payment),
  };
  if (item[AMOUNT_INDEX.partitionKey] !== amount.pk || item[AMOUNT_INDEX.sortKey] !== amount.sk)
    change.amount = amount;
  if (
    payment.status === "OVERDUE" &&
    payment.arrival &&
    item[MERCHANT_OPEN_INDEX.partitionKey] === undefined
  ) {
    change.overdue = {
      pk: keys.merchantOpen(payment.merchantId),
      sk: keys.merchantOpenSort(payment.arrival.overdueAt, payment.acquirer, payment.paymentId),
    };
  }
  return change.amount || change.overdue ? change : undefined;
}

/** The rewrite, on condition that what it was computed from is unchanged. */
async function rewrite(
  db: DynamoDBDocumentClient,
  tableName: string,
  item: Item,
  change: Change,
): Promise<boolean> {
  const names: Record<string, string> = { "#status": "status", "#apk": AMOUNT_INDEX.partitionKey };
  const values: Record<string, unknown> = { ":status": item.status, ":amount": item.amountMinor };
  const sets: string[] = [];
  const conditions = ["#status = :status", "amountMinor = :amount"];
  const oldPk = item[AMOUNT_INDEX.partitionKey];
  if (oldPk === undefined) conditions.push("attribute_not_exists(#apk)");
  else {
    conditions.push("#apk = :oldPk");
    values[":oldPk"] = oldPk;
  }
  if (change.amount) {
    names["#ask"] = AMOUNT_INDEX.sortKey;
    sets.push("#apk = :pk", "#ask = :sk");
    Object.assign(values, { ":pk": change.amount.pk, ":sk": change.amount.sk });
  }
  if (change.overdue) {
    Object.assign(names, { "#opk": MERCHANT_OPEN_INDEX.partitionKey, "#osk": MERCHANT_OPEN_INDEX.sortKey });
    sets.push("#opk = :opk", "#osk = :osk");
    conditions.push("attribute_not_exists(#opk)");
    Object.assign(values, { ":opk": change.overdue.pk, ":osk": change.overdue.sk });
  }
  return await sendIfCondition(
    db,
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: conditions.join(" AND "),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}
