import { describe, expect, it } from "vitest";
import {
  buildArrivedNotice,
  buildOverdueDigest,
  type NoticeCandidate,
} from "../../../functions/domain/notification/digest.js";
import { renderNotice } from "../../../functions/domain/notification/notice-text.js";
import { countSmsSegments } from "../../../functions/domain/notification/sms-segments.js";
import {
  createTemplateRegistry,
  DEFAULT_TEMPLATES,
  MissingTemplateVariableError,
} from "../../../functions/domain/notification/templates.js";
import { merchant, payment, WECHAT_CONTACT } from "./fixtures.js";

const now = new Date("2026-10-08T12:00:00Z");
const options = { acquirers: WECHAT_CONTACT };

// The example: 3 payments confirmed 30 Sep, due 8 Oct 18:00 Asia/Shanghai, ¥1,284.50 in all.
const three: NoticeCandidate[] = [
  { payment: payment({ paymentId: "4200001234202609300001", amountMinor: 12850 }), level: 0 },
  {
    payment: payment({
      paymentId: "4200001234202609300002",
      amountMinor: 100000,
      confirmedAt: "2026-09-30T16:00:00+08:00",
      orderId: undefined,
    }),
    level: 0,
  },
  {
    payment: payment({
      paymentId: "4200001234202609300003",
      amountMinor: 15600,
      confirmedAt: "2026-09-30T17:00:00+08:00",
      orderId: "ORD-1003",
    }),
    level: 0,
  },
];
const zh = merchant();
const en = merchant({}, { language: "en" });

describe("overdue digest, zh-CN", () => {
  const text = renderNotice(buildOverdueDigest(zh, three), now, options);

  it("SMS: exact text, fitted to 2 UCS-2 parts by listing 1 payment and counting the rest", () => {
    expect(text.sms.text).toBe(
      "您有3笔收款共¥1,284.50（9月30日确认）尚未到账，应到账时间10月8日 18:00。单号：4200001234202609300001（¥128.50），另有2笔。请致电微信支付客服95017并提供单号。",
    );
    expect(text.sms).toMatchObject({
      encoding: "UCS-2",
      characters: 107,
      segments: 2,
      itemsShown: 1,
      fits: true,
    });
    expect(countSmsSegments(text.sms.text)).toEqual({ encoding: "UCS-2", characters: 107, segments: 2 });
  });

  it("email: exact subject and body", () => {
    expect(text.email.subject).toBe("3笔收款共¥1,284.50尚未到账");
    expect(text.email.body).toBe(
      [
        "Shanghai Dumplings您好：",
        "",
        "您有3笔收款共¥1,284.50（9月30日确认）尚未到账，应到账时间10月8日 18:00。",
        "",
        "- 4200001234202609300001：¥128.50，9月30日确认，应到账时间10月8日 18:00，订单号ORD-1001",
        "- 4200001234202609300002：¥1,000.00，9月30日确认，应到账时间10月8日 18:00",
        "- 4200001234202609300003：¥156.00，9月30日确认，应到账时间10月8日 18:00，订单号ORD-1003",
        "",
        "请致电微信支付客服95017并提供单号。",
        "",
        "以上时间均为Asia/Shanghai时间。如仍未到账我们会再次提醒，到账后也会通知您。",
        "— settlewatch",
      ].join("\n"),
    );
  });
});

describe("overdue digest, en", () => {
  const text = renderNotice(buildOverdueDigest(en, three), now, options);

  it("SMS: exact text in GSM-7, all 3 payments fit in 2 parts", () => {
    expect(text.sms.text).toBe(
      "Overdue: 3 payments, ¥1,284.50, due 8 Oct 18:00. Ref: 4200001234202609300001 (¥128.50), 4200001234202609300002 (¥1,000.00), 4200001234202609300003 (¥156.00). Call WeChat Pay on 95017 and quote the ref.",
    );
    expect(text.sms).toMatchObject({ encoding: "GSM-7", characters: 201, segments: 2, itemsShown: 3 });
  });

  it("email: exact subject and body", () => {
    expect(text.email.subject).toBe("Overdue: 3 payments totalling ¥1,284.50 have not arrived");
    expect(text.email.body).toBe(
      [
        "Hello Shanghai Dumplings,",
        "",
        "3 payments totalling ¥1,284.50 confirmed on 30 Sep have not arrived in your account; they were due 8 Oct 18:00.",
        "",
        "- 4200001234202609300001: ¥128.50, confirmed 30 Sep, due 8 Oct 18:00, order ORD-1001",
        "- 4200001234202609300002: ¥1,000.00, confirmed 30 Sep, due 8 Oct 18:00",
        "- 4200001234202609300003: ¥156.00, confirmed 30 Sep, due 8 Oct 18:00, order ORD-1003",
        "",
        "Call WeChat Pay on 95017 and quote the ref.",
        "",
        "Times are in Asia/Shanghai. We will remind you if they are still missing and tell you when they arrive.",
        "— settlewatch",
      ].join("\n"),
    );
  });

  it("one payment: the singular forms", () => {
    const one = renderNotice(buildOverdueDigest(en, three.slice(0, 1)), now, options);
    expect(one.sms.text).toBe(
      "Overdue: 1 payment of ¥128.50, due 8 Oct 18:00. Ref: 4200001234202609300001 (¥128.50). Call WeChat Pay on 95017 and quote the ref.",
    );
    expect(one.sms.segments).toBe(1);
    expect(one.email.subject).toBe("Overdue: 1 payment of ¥128.50 has not arrived");
  });
});

describe("escalation digest", () => {
  const reminders = three.map((candidate) => ({ ...candidate, level: 1 }));

  it("zh-CN", () => {
    const text = renderNotice(buildOverdueDigest(zh, reminders), now, options);
    expect(text.sms.text).toBe(
      "提醒：您有3笔收款共¥1,284.50（9月30日确认）仍未到账，应到账时间10月8日 18:00。单号：4200001234202609300001（¥128.50），另有2笔。请致电微信支付客服95017并提供单号。",
    );
    expect(text.sms).toMatchObject({ characters: 110, segments: 2 });
    expect(text.email.subject).toBe("提醒：3笔收款共¥1,284.50仍未到账");
  });

  it("en", () => {
    const text = renderNotice(buildOverdueDigest(en, reminders), now, options);
    expect(text.sms.text).toBe(
      "Still missing: 3 payments, ¥1,284.50, due 8 Oct 18:00. Ref: 4200001234202609300001 (¥128.50), 4200001234202609300002 (¥1,000.00), 4200001234202609300003 (¥156.00). Call WeChat Pay on 95017 and quote the ref.",
    );
    expect(text.email.subject).toBe("Reminder: 3 payments totalling ¥1,284.50 are still missing");
  });
});

describe("arrived notice", () => {
  const late = (paymentId: string, amountMinor: number) =>
    payment({ paymentId, amountMinor, status: "SETTLED_LATE" });

  it("one payment, both languages", () => {
    const payments = [late("4200001234202609300001", 12850)];
    const zhText = renderNotice(buildArrivedNotice(zh, payments), now, options);
    expect(zhText.sms.text).toBe("到账通知：逾期收款4200001234202609300001（¥128.50）现已到账。");
    expect(zhText.sms).toMatchObject({ encoding: "UCS-2", characters: 45, segments: 1 });
    expect(zhText.email.subject).toBe("逾期收款4200001234202609300001已到账");
    const enText = renderNotice(buildArrivedNotice(en, payments), now, options);
    expect(enText.sms.text).toBe(
      "Arrived: the late payment 4200001234202609300001 of ¥128.50 has now reached your account.",
    );
    expect(enText.sms).toMatchObject({ encoding: "GSM-7", characters: 89, segments: 1 });
  });

  it("several payments", () => {
    const payments = [late("p-1", 12850), late("p-2", 100000)];
    expect(renderNotice(buildArrivedNotice(zh, payments), now, options).sms.text).toBe(
      "到账通知：2笔逾期收款共¥1,128.50现已到账。",
    );
    expect(renderNotice(buildArrivedNotice(en, payments), now, options).sms.text).toBe(
      "Arrived: 2 late payments totalling ¥1,128.50 have now reached your account.",
    );
  });
});

describe("long digests fit in 2 parts", () => {
  // 12 payments confirmed 28–30 Sep, due 8 or 9 Oct, two currencies.
  const many: NoticeCandidate[] = Array.from({ length: 12 }, (_, index) => ({
    payment: payment({
      paymentId: `42000012342026093000${String(index + 10)}`,
      amountMinor: 10000 + index,
      currency: index === 11 ? "HKD" : "CNY",
      confirmedAt: `2026-09-${28 + (index % 3)}T12:00:00+08:00`,
      arrival: index < 6 ? {} : { expectedBy: "2026-10-09T10:00:00.000Z" },
    }),
    level: 0,
  }));

  it("zh-CN: drops to the payments that fit and says how many more", () => {
    const text = renderNotice(buildOverdueDigest(zh, many), now, options);
    expect(text.sms.text).toBe(
      "您有12笔收款共¥1,100.55、HK$100.11（9月28日至9月30日确认）尚未到账，最早应到账时间10月8日 18:00。单号：4200001234202609300010（¥100.00），另有11笔。请致电微信支付客服95017并提供单号。",
    );
    // With a second payment listed it would be 159 UTF-16 units: 3 parts.
    expect(text.sms).toMatchObject({
      encoding: "UCS-2",
      characters: 127,
      segments: 2,
      itemsShown: 1,
      fits: true,
    });
  });

  it("en: same, within the default 2 parts", () => {
    const text = renderNotice(buildOverdueDigest(en, many), now, options);
    expect(text.sms.text).toBe(
      "Overdue: 12 payments, ¥1,100.55 + HK$100.11, due from 8 Oct 18:00. Ref: 4200001234202609300010 (¥100.00), 4200001234202609300013 (¥100.03), 4200001234202609300011 (¥100.01), 4200001234202609300014 (¥100.04), 4200001234202609300012 (¥100.02) and 7 more. Call WeChat Pay on 95017 and quote the ref.",
    );
    // Oldest first: due 8 Oct before 9 Oct, then confirmed 28 Sep (…10, …13) before 29 Sep (…11).
    // A sixth payment would make 3 parts.
    expect(text.sms).toMatchObject({ encoding: "GSM-7", segments: 2, itemsShown: 5 });
  });

  it("the en budget is configurable", () => {
    const three = renderNotice(buildOverdueDigest(en, many), now, { ...options, smsMaxSegments: { en: 3 } });
    expect(three.sms).toMatchObject({ characters: 432, segments: 3, itemsShown: 9, fits: true });
    expect(three.sms.text).toContain(" and 3 more. Call");
    // 1 part holds the summary and no payment: the list goes first.
    const one = renderNotice(buildOverdueDigest(en, many), now, { ...options, smsMaxSegments: { en: 1 } });
    expect(one.sms).toMatchObject({ characters: 110, segments: 1, itemsShown: 0, fits: true });
    expect(one.sms.text).toBe(
      "Overdue: 12 payments, ¥1,100.55 + HK$100.11, due from 8 Oct 18:00. Call WeChat Pay on 95017 and quote the ref.",
    );
  });

  it("the email lists up to emailMaxLines and counts the rest", () => {
    const text = renderNotice(buildOverdueDigest(en, many), now, { ...options, emailMaxLines: 2 });
    expect(text.email.body).toContain(
      "- 4200001234202609300010: ¥100.00, confirmed 28 Sep, due 8 Oct 18:00, order ORD-1001\n- 4200001234202609300013: ¥100.03, confirmed 28 Sep, due 8 Oct 18:00, order ORD-1001\n- and 10 more\n",
    );
  });
});

describe("wording details", () => {
  it("several acquirers, or none with a hotline: quote the reference", () => {
    const mixed = [
      three[0],
      { payment: payment({ acquirer: "alipay", paymentId: "2026093022001" }), level: 0 },
    ].filter((candidate): candidate is NoticeCandidate => candidate !== undefined);
    expect(renderNotice(buildOverdueDigest(en, mixed), now, options).sms.text).toMatch(
      /Quote the ref to your acquirer\.$/,
    );
    expect(renderNotice(buildOverdueDigest(zh, three), now).sms.text).toMatch(/请向收单机构提供单号查询。$/);
  });

  it("shows the year only for dates outside the merchant's current year", () => {
    const old = payment({
      confirmedAt: "2025-12-30T10:00:00+08:00",
      arrival: { expectedBy: "2026-01-05T10:00:00.000Z" },
    });
    const text = renderNotice(
      buildOverdueDigest(zh, [{ payment: old, level: 0 }]),
      new Date("2026-01-06T00:00:00Z"),
      options,
    );
    expect(text.sms.text).toContain("（2025年12月30日确认）");
    expect(text.sms.text).toContain("应到账时间1月5日 18:00");
  });

  it("renders overridden templates (a shorter text lists more payments)", () => {
    const templates = createTemplateRegistry({
      "zh-CN": { overdue: { sms: "{count}笔共{total}未到账。{items}{nextStep}" } },
    });
    expect(renderNotice(buildOverdueDigest(zh, three), now, { ...options, templates }).sms.text).toBe(
      "3笔共¥1,284.50未到账。单号：4200001234202609300001（¥128.50）、4200001234202609300002（¥1,000.00），另有1笔。请致电微信支付客服95017并提供单号。",
    );
  });

  it("a registry built without validation fails at render on a variable the slot is not given", () => {
    const templates = {
      ...DEFAULT_TEMPLATES,
      en: {
        ...DEFAULT_TEMPLATES.en,
        arrived: { ...DEFAULT_TEMPLATES.en.arrived, sms: "Arrived {arrivedAt}" },
      },
    };
    const digest = buildArrivedNotice(en, [payment({ status: "SETTLED_LATE" })]);
    expect(() => renderNotice(digest, now, { templates })).toThrow(MissingTemplateVariableError);
  });
});
