import { describe, expect, it } from "vitest";
import {
  countSmsSegments,
  fitSmsDigest,
  isGsm7,
} from "../../../functions/domain/notification/sms-segments.js";

describe("countSmsSegments: GSM-7", () => {
  it.each([
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])("%i characters → %i parts", (length, segments) => {
    expect(countSmsSegments("a".repeat(length))).toEqual({ encoding: "GSM-7", characters: length, segments });
  });

  it("counts extension characters as 2 septets", () => {
    expect(countSmsSegments("€[]{}\\^~|")).toEqual({ encoding: "GSM-7", characters: 18, segments: 1 });
    // 158 + one € = 160 septets: still one part; a second € makes 162: two.
    expect(countSmsSegments(`${"a".repeat(158)}€`)).toEqual({
      encoding: "GSM-7",
      characters: 160,
      segments: 1,
    });
    expect(countSmsSegments(`${"a".repeat(158)}€€`)).toEqual({
      encoding: "GSM-7",
      characters: 162,
      segments: 2,
    });
  });

  it("never splits an escape pair across parts", () => {
    // 152 + € (2) = 154 > 153: the € goes to part 2 whole; 306 septets that would fit 2×153 need 3 parts.
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    expect(countSmsSegments(text)).toEqual({ encoding: "GSM-7", characters: 306, segments: 3 });
  });

  it("keeps the GSM-7 basic symbols (¥ £ $ @ è) in GSM-7", () => {
    expect(countSmsSegments("¥1,284.50 £5 $3 @ è")).toMatchObject({ encoding: "GSM-7", characters: 19 });
    expect(isGsm7("Ref: 4200001234202609300001 (¥128.50).")).toBe(true);
  });

  it("empty text takes no part", () => {
    expect(countSmsSegments("")).toEqual({ encoding: "GSM-7", characters: 0, segments: 0 });
  });
});

describe("countSmsSegments: UCS-2", () => {
  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])("%i Chinese characters → %i parts", (length, segments) => {
    expect(countSmsSegments("款".repeat(length))).toEqual({
      encoding: "UCS-2",
      characters: length,
      segments,
    });
  });

  it("one non-GSM character makes the whole text UCS-2", () => {
    expect(countSmsSegments(`${"a".repeat(70)}ç`)).toEqual({
      encoding: "UCS-2",
      characters: 71,
      segments: 2,
    });
  });

  it("counts UTF-16 code units: an emoji is 2", () => {
    expect(countSmsSegments(`${"款".repeat(68)}😀`)).toEqual({
      encoding: "UCS-2",
      characters: 70,
      segments: 1,
    });
    expect(countSmsSegments(`${"款".repeat(69)}😀`)).toEqual({
      encoding: "UCS-2",
      characters: 71,
      segments: 2,
    });
  });

  it("never splits a surrogate pair across parts", () => {
    expect(countSmsSegments(`${"款".repeat(66)}😀${"款".repeat(66)}`)).toEqual({
      encoding: "UCS-2",
      characters: 134,
      segments: 3,
    });
  });
});

describe("fitSmsDigest", () => {
  const refs = Array.from({ length: 8 }, (_, index) => `420000123420260930000${index + 1}`);
  // Header 21 + "单号：" 3 + k refs (22 each, "、" between) + "，另有N笔" 5 + "。" 1 + "请致电客服95017。" 11
  // = 40 + 23k UTF-16 units when some are left out.
  const render = (shown: number) => {
    const list = refs.slice(0, shown).join("、");
    const more = refs.length - shown > 0 ? `，另有${refs.length - shown}笔` : "";
    return `您有8笔收款共¥5,000.00尚未到账。${shown > 0 ? `单号：${list}${more}。` : ""}请致电客服95017。`;
  };

  it("drops items from the end until the text fits in 2 parts (134), whole references only", () => {
    expect(countSmsSegments(render(5))).toEqual({ encoding: "UCS-2", characters: 155, segments: 3 });
    const fitted = fitSmsDigest(render, refs.length);
    expect(fitted).toEqual({
      text: "您有8笔收款共¥5,000.00尚未到账。单号：4200001234202609300001、4200001234202609300002、4200001234202609300003、4200001234202609300004，另有4笔。请致电客服95017。",
      encoding: "UCS-2",
      characters: 132,
      segments: 2,
      itemsShown: 4,
      fits: true,
    });
  });

  it("a budget of 1 part (70) leaves one item", () => {
    expect(fitSmsDigest(render, refs.length, { maxSegments: 1 })).toMatchObject({
      itemsShown: 1,
      characters: 63,
      segments: 1,
      fits: true,
    });
  });

  it("counts the provider's signature in the budget, but does not add it to the text", () => {
    const fitted = fitSmsDigest(render, refs.length, { providerSignature: "【结算提醒】" });
    expect(fitted).toMatchObject({ itemsShown: 3, characters: 115, segments: 2 });
    expect(fitted.text.startsWith("您有")).toBe(true);
  });

  it("tries at most itemCount items", () => {
    expect(fitSmsDigest(render, 2)).toMatchObject({ itemsShown: 2, characters: 86 });
  });

  it("says when even no item fits, and returns the shortest text", () => {
    const fitted = fitSmsDigest((shown) => "款".repeat(200 + shown), 3);
    expect(fitted).toMatchObject({ itemsShown: 0, characters: 200, segments: 3, fits: false });
  });
});
