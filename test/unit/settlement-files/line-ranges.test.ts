import { describe, expect, it } from "vitest";
import {
  isSplittable,
  planByteRanges,
  readLineRange,
} from "../../../functions/domain/settlement-files/decoding/line-ranges.js";

async function collect(bytes: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of bytes) parts.push(Buffer.from(part));
  return Buffer.concat(parts).toString("utf8");
}

function stream(text: Buffer, piece: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let at = 0; at < text.length; at += piece) yield text.subarray(at, at + piece);
  })();
}

describe("line ranges of a plain file", () => {
  const lines = ["pre,amble", "h1,h2", "a,1", "", "bb,22", "ccc,333\r", "d,4", "eeeeeeeeee,5", "f,6"];
  for (const headerLines of [0, 1, 2, 4])
    for (const trailingNewline of [true, false]) {
      const text = Buffer.from(lines.join("\n") + (trailingNewline ? "\n" : ""), "utf8");
      it(`every data line is read by exactly one range, with its file line number (${headerLines} header lines, trailing newline: ${trailingNewline})`, async () => {
        for (let chunk = 1; chunk <= text.length + 1; chunk += 1) {
          for (const piece of [1, 3, 64]) {
            const seen: Array<{ line: number; text: string }> = [];
            for (const range of planByteRanges(text.length, chunk)) {
              const read = readLineRange(stream(text, piece), range, headerLines);
              const body = (await collect(read.bytes)).split("\n");
              const offset = read.lineOffset();
              expect(body.slice(0, headerLines)).toEqual(lines.slice(0, headerLines)); // the prefix
              body.forEach((content, index) => {
                const synthetic = index + 1;
                if (synthetic <= headerLines) return;
                if (index === body.length - 1 && content === "") return; // after the last '\n'
                seen.push({ line: synthetic + offset, text: content });
              });
            }
            expect(seen).toEqual(
              lines.map((content, index) => ({ line: index + 1, text: content })).slice(headerLines),
            );
          }
        }
      });
    }

  it("plans ranges covering the file, and refuses containers and unsplittable formats", () => {
    expect(planByteRanges(10, 4)).toEqual([
      { index: 0, start: 0, end: 4 },
      { index: 1, start: 4, end: 8 },
      { index: 2, start: 8, end: 10 },
    ]);
    expect(planByteRanges(0, 4)).toEqual([{ index: 0, start: 0, end: 0 }]);
    const csv = Buffer.from("a,b\n");
    expect(isSplittable(csv, "acquirer-csv")).toBe(true);
    expect(isSplittable(Buffer.from([0x1f, 0x8b, 8, 0]), "acquirer-csv")).toBe(false);
    expect(isSplittable(Buffer.from([0x50, 0x4b, 3, 4]), "acquirer-csv")).toBe(false);
    expect(isSplittable(csv, "mt940")).toBe(false);
  });
});
