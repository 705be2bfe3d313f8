import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeBySortKey } from "../../../functions/adapters/dynamodb/index-pages.js";

/** DynamoDB's order of string sort keys: their UTF-8 bytes. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function* streamOf(sorts: string[], source: string) {
  for (const sort of sorts) yield { sort, source };
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe("merging a due shard's two sorted sources (due index and marker partition)", () => {
  it("yields every entry of both, in DynamoDB's sort-key order (UTF-8 bytes, not UTF-16 units)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: "grapheme" }), { maxLength: 30 }),
        fc.array(fc.string({ unit: "grapheme" }), { maxLength: 30 }),
        async (first, second) => {
          const a = [...first].sort(byUtf8);
          const b = [...second].sort(byUtf8);
          const merged = await collect(mergeBySortKey(streamOf(a, "index"), streamOf(b, "markers")));
          expect(merged.map((entry) => entry.sort)).toEqual([...a, ...b].sort(byUtf8));
          // Each source's own order is kept (ties: the index entry first).
          expect(merged.filter((e) => e.source === "index").map((e) => e.sort)).toEqual(a);
          expect(merged.filter((e) => e.source === "markers").map((e) => e.sort)).toEqual(b);
        },
      ),
    );
  });

  it("orders a character above U+FFFF after U+FFFD as DynamoDB does (JavaScript's < says before)", async () => {
    const index = ["2026-10-08T11:00:00.000Z#wx#\u{1F600}"];
    const markers = ["2026-10-08T11:00:00.000Z#wx#\uFFFD"];
    expect("\u{1F600}" < "\uFFFD").toBe(true);
    const merged = await collect(mergeBySortKey(streamOf(index, "index"), streamOf(markers, "markers")));
    expect(merged.map((entry) => entry.source)).toEqual(["markers", "index"]);
  });

  it("closes both sources when the reader stops early (the check's deadline)", async () => {
    const closed: string[] = [];
    async function* source(name: string, sorts: string[]) {
      try {
        for (const sort of sorts) yield { sort, source: name };
      } finally {
        closed.push(name);
      }
    }
    const merged = mergeBySortKey(source("index", ["a", "c", "e"]), source("markers", ["b", "d"]));
    const seen: string[] = [];
    for await (const entry of merged) {
      seen.push(entry.sort);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(["a", "b"]);
    expect(closed.sort()).toEqual(["index", "markers"]);
  });
});
