import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SMS_PROVIDERS, smsLimitsFor } from "../../../functions/domain/notification/sms-providers.js";
import { countSmsSegments } from "../../../functions/domain/notification/sms-segments.js";
import {
  containsUrl,
  LONGEST_PLAUSIBLE_VARIABLES,
  listSmsTemplates,
  missingTemplateCodes,
  shortenVariable,
  variableLength,
} from "../../../functions/domain/notification/sms-templates.js";
import { DEFAULT_TEMPLATES, renderTemplate } from "../../../functions/domain/notification/templates.js";

// The longest signature a deployment may register (the config refuses longer ones).
const LONGEST_SIGN_NAME = "结算提醒服务";

describe("every SMS template, in every language, for every provider", () => {
  const templates = listSmsTemplates(DEFAULT_TEMPLATES);

  it("lists each kind's forms per language with their variables in order", () => {
    expect(templates.map((entry) => `${entry.language}/${entry.key}`)).toEqual([
      "zh-CN/overdue",
      "zh-CN/escalation",
      "zh-CN/arrived.one",
      "zh-CN/arrived.other",
      "zh-CN/sign-in-code",
      "en/overdue.one",
      "en/overdue.other",
      "en/escalation.one",
      "en/escalation.other",
      "en/arrived.one",
      "en/arrived.other",
      "en/sign-in-code",
    ]);
    expect(templates[0]?.variables).toEqual(["count", "total", "confirmed", "due", "items", "nextStep"]);
  });

  for (const provider of SMS_PROVIDERS) {
    for (const entry of templates) {
      it(`${provider} ${entry.language}/${entry.key}: at most 2 parts with the longest variables, no URL`, () => {
        const limits = smsLimitsFor(provider, {
          routing: { default: provider },
          providers: { [provider]: { signName: LONGEST_SIGN_NAME } },
        });
        const variables = Object.fromEntries(
          entry.variables.map((name) => [
            name,
            shortenVariable(
              LONGEST_PLAUSIBLE_VARIABLES[entry.language][name] ?? "",
              limits.maxVariableLength,
            ),
          ]),
        );
        const text = renderTemplate(entry.text, variables).trim();
        const count = countSmsSegments(limits.signature + text);
        expect(count.segments, `${limits.signature}${text}`).toBeLessThanOrEqual(2);
        expect(containsUrl(entry.text)).toBe(false);
      });
    }
  }
});

const SEGMENTER = new Intl.Segmenter("und", { granularity: "grapheme" });
const graphemes = (text: string) => Array.from(SEGMENTER.segment(text), (part) => part.segment);

describe("shortenVariable", () => {
  it("keeps a value within the limit, else cuts to limit - 1 code points and adds …", () => {
    expect(shortenVariable("¥1,284.50", 35)).toBe("¥1,284.50");
    expect(shortenVariable("请致电微信支付客服95017并提供单号。", 6)).toBe("请致电微信…");
    expect(shortenVariable("abc", undefined)).toBe("abc");
  });

  it("never cuts inside a character: a flag, a ZWJ family or an accented letter stays whole or goes", () => {
    expect(shortenVariable("ab🇨🇳cd", 4)).toBe("ab…");
    expect(shortenVariable("ab🇨🇳cd", 5)).toBe("ab🇨🇳…");
    expect(shortenVariable("a👨‍👩‍👧b", 4)).toBe("a…");
    expect(shortenVariable("cafe\u0301 noir", 6)).toBe("cafe\u0301…");
    expect(shortenVariable("cafe\u0301 noir", 5)).toBe("caf…");
  });

  it("never cuts a surrogate pair: an emoji stays whole or goes", () => {
    expect(shortenVariable("ab😀cd", 4)).toBe("ab😀…");
    expect(shortenVariable("ab😀cd", 3)).toBe("ab…");
  });

  it("property: the result has at most `max` code points and is well-formed UTF-16", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (value, max) => {
          const short = shortenVariable(value, max);
          expect(variableLength(short)).toBeLessThanOrEqual(max);
          expect(short.isWellFormed()).toBe(true);
          if (variableLength(value) <= max) expect(short).toBe(value);
          else {
            // Whole characters of the value, in order, then "…": never a cut inside a grapheme.
            expect(short.endsWith("…")).toBe(true);
            const kept = graphemes(short.slice(0, -1));
            const original = graphemes(value);
            expect(original.slice(0, kept.length).join("").trimEnd()).toBe(kept.join(""));
          }
        },
      ),
    );
  });
});

describe("containsUrl and missing codes", () => {
  it("finds links carriers reject", () => {
    expect(containsUrl("详情见 https://x.cn/a")).toBe(true);
    expect(containsUrl("see www.example")).toBe(true);
    expect(containsUrl("visit pay.example.com now")).toBe(true);
    expect(containsUrl("¥1,284.50 已到账。")).toBe(false);
  });

  it("names every template without a registered code", () => {
    expect(
      missingTemplateCodes({ "zh-CN": { overdue: "SMS_1", escalation: "SMS_2", "arrived.one": "SMS_3" } }),
    ).toEqual([
      "zh-CN/arrived.other",
      "zh-CN/sign-in-code",
      "en/overdue.one",
      "en/overdue.other",
      "en/escalation.one",
      "en/escalation.other",
      "en/arrived.one",
      "en/arrived.other",
      "en/sign-in-code",
    ]);
  });
});
