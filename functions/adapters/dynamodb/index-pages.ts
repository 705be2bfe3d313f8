import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { DUE_INDEX } from "../../shared/table-schema.js";

/**
 * Pages of index keys in one partition of the sparse index whose sort key is at or before
 * `nowIso` (sort keys start with an ISO instant followed by "#"). Reads only what is due.
 */
export async function* indexKeysUpTo(
  db: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  nowIso: string,
  pageSize = 500,
): AsyncIterable<Array<Record<string, unknown>>> {
  yield* sortKeyRangePages(
    db,
    tableName,
    { partition, after: undefined, upTo: upToSortKey(nowIso) },
    pageSize,
  );
}

/** The greatest due-index sort key of an instant at or before `nowIso`. */
export function upToSortKey(nowIso: string): string {
  // "#\uffff" sorts after every "#<identity>" suffix of an instant equal to now.
  return `${nowIso}#\uffff`;
}

/** Where a sorted range is read: an index (the due index unless named) or the table itself. */
export interface RangeSource {
  indexName?: string;
  partitionKey: string;
  sortKey: string;
}

const DUE_INDEX_KEYS: RangeSource = {
  indexName: DUE_INDEX.name,
  partitionKey: DUE_INDEX.partitionKey,
  sortKey: DUE_INDEX.sortKey,
};

/** The base table's own keys, as a {@link RangeSource}. */
export const TABLE_KEYS: RangeSource = { partitionKey: "pk", sortKey: "sk" };

/**
 * Pages of items in one partition whose sort key is after `after` (exclusive; from the start when
 * undefined) and at or before `upTo` (inclusive), in sort key order: of the due index by default.
 */
export async function* sortKeyRangePages(
  db: DynamoDBDocumentClient,
  tableName: string,
  range: { partition: string; after: string | undefined; upTo: string; source?: RangeSource },
  pageSize = 500,
): AsyncIterable<Array<Record<string, unknown>>> {
  const { partition, after, upTo } = range;
  const source = range.source ?? DUE_INDEX_KEYS;
  if (after !== undefined && after >= upTo) return;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        ...(source.indexName ? { IndexName: source.indexName } : {}),
        KeyConditionExpression:
          after === undefined
            ? "#pk = :partition AND #sk <= :upTo"
            : "#pk = :partition AND #sk BETWEEN :after AND :upTo",
        ExpressionAttributeNames: { "#pk": source.partitionKey, "#sk": source.sortKey },
        ExpressionAttributeValues: {
          ":partition": partition,
          ":upTo": upTo,
          // The smallest string greater than `after`: BETWEEN is inclusive, the watermark is not.
          ...(after === undefined ? {} : { ":after": `${after}\u0000` }),
        },
        Limit: pageSize,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    if (page.Items?.length) yield page.Items;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
}

/** The entries of pages of items, one at a time. */
export async function* entriesOf<T>(
  pages: AsyncIterable<Array<Record<string, unknown>>>,
  entryOf: (item: Record<string, unknown>) => T,
): AsyncIterable<T> {
  for await (const page of pages) for (const item of page) yield entryOf(item);
}

/**
 * Two streams sorted by their `sort` key, merged into one in DynamoDB's order of string sort keys
 * (UTF-8 bytes; JavaScript's `<` compares UTF-16 code units, which differ above U+FFFF).
 */
export async function* mergeBySortKey<T extends { sort: string }>(
  first: AsyncIterable<T>,
  second: AsyncIterable<T>,
): AsyncIterable<T> {
  const a = first[Symbol.asyncIterator]();
  const b = second[Symbol.asyncIterator]();
  try {
    let [nextA, nextB] = await Promise.all([a.next(), b.next()]);
    while (!nextA.done || !nextB.done) {
      const takeA =
        nextB.done ||
        (!nextA.done && Buffer.compare(Buffer.from(nextA.value.sort), Buffer.from(nextB.value.sort)) <= 0);
      if (takeA && !nextA.done) {
        yield nextA.value;
        nextA = await a.next();
      } else if (!nextB.done) {
        yield nextB.value;
        nextB = await b.next();
      }
    }
  } finally {
    // A reader that stops early (the check's deadline) closes both sources.
    await Promise.all([a.return?.(), b.return?.()]);
  }
}
