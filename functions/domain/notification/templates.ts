import * as z from "zod";
import type { MerchantContact } from "../merchant/merchant-profile.js";

// Notice texts are data: fixed text with {variables}, rendered by substitution only, because
// Chinese carriers deliver SMS only from registered templates (the registered text is the
// template, the variables are what changes). Every word a merchant reads is here, including the
// fragments that fill the variables (date formats, list items, "and N more"), so ops can
// override any of it from config without a deploy, and a new language is a new entry.

export type Language = MerchantContact["language"];
export const LANGUAGES = ["zh-CN", "en"] as const satisfies readonly Language[];

/** A template, or one per plural category chosen by the count it is rendered with (1 → one). */
export type PluralTemplate = string | { one: string; other: string };

export type TemplateVariables = Readonly<Record<string, string | number>>;

/** A notice kind's messages. */
export interface MessageTemplates {
  sms: PluralTemplate;
  emailSubject: PluralTemplate;
  emailBody: PluralTemplate;
}

/** The pieces that fill the variables of the messages. */
export interface Fragments {
  /** {date} — all payments confirmed on one day. */
  confirmedOn: string;
  /** {first} {last} — confirmed over several days. */
  confirmedBetween: string;
  /** {due} — all payments were due at the same time. */
  dueAt: string;
  /** {due} — due at different times: the earliest. */
  dueFrom: string;
  /** {list} {more} — the SMS list of payments (absent when no item fits). */
  smsItems: string;
  /** {reference} {amount} — one payment in the SMS list. */
  smsItem: string;
  /** {n} — after the SMS list, for the payments left out. */
  smsMore: string;
  /** Between list items in an SMS. */
  listSeparator: string;
  /** {reference} {amount} {confirmed} {due} {orderNote} — one payment in an email. */
  emailLine: string;
  /** {orderId} — appended to an email line when the payment has the merchant's order number. */
  orderNote: string;
  /** {n} — after the email lines, for the payments left out. */
  emailMore: string;
  /** {acquirer} {hotline} — what to do, when every payment is with one acquirer that has a hotline. */
  nextStepHotline: string;
  /** What to do otherwise. */
  nextStepQuote: string;
  /** {day} {month} {mon} — a date in the current year. */
  date: string;
  /** {day} {month} {mon} {year} — a date in another year. */
  dateWithYear: string;
  /** {date} {time} — a due date and its "HH:MM". */
  dateTime: string;
  /** Between the totals of different currencies. */
  totalSeparator: string;
  /** Month names for {mon}, January first. */
  months: readonly string[];
}

export type MerchantNoticeKind = "overdue" | "escalation" | "arrived";

/** Everything a merchant can read, in one language. */
export interface TemplateSet {
  overdue: MessageTemplates;
  escalation: MessageTemplates;
  arrived: MessageTemplates;
  fragments: Fragments;
}

/** Ops alerts (English only: ops is one team). */
export interface OpsTemplates {
  /** {acquirer} {day} {expectedAt} {timeZone} {payments} */
  fileLateSubject: string;
  fileLateBody: string;
}

export type TemplateRegistry = Readonly<Record<Language, TemplateSet>> & { readonly ops: OpsTemplates };

const DIGEST_SMS = ["count", "total", "confirmed", "due", "items", "nextStep"];
const DIGEST_SUBJECT = ["count", "total", "merchantName"];
const DIGEST_BODY = ["count", "total", "confirmed", "due", "lines", "nextStep", "merchantName", "timeZone"];
const ARRIVED_SMS = ["count", "total", "reference"];
const ARRIVED_BODY = ["count", "total", "reference", "lines", "merchantName", "timeZone"];
const OPS = ["acquirer", "day", "expectedAt", "timeZone", "payments"];

/** The variables each template may use; a template using any other is rejected when loaded. */
export const TEMPLATE_VARIABLES = {
  overdue: { sms: DIGEST_SMS, emailSubject: DIGEST_SUBJECT, emailBody: DIGEST_BODY },
  escalation: { sms: DIGEST_SMS, emailSubject: DIGEST_SUBJECT, emailBody: DIGEST_BODY },
  arrived: { sms: ARRIVED_SMS, emailSubject: ARRIVED_SMS, emailBody: ARRIVED_BODY },
  fragments: {
    confirmedOn: ["date"],
    confirmedBetween: ["first", "last"],
    dueAt: ["due"],
    dueFrom: ["due"],
    smsItems: ["list", "more"],
    smsItem: ["reference", "amount"],
    smsMore: ["n"],
    listSeparator: [],
    emailLine: ["reference", "amount", "confirmed", "due", "orderNote"],
    orderNote: ["orderId"],
    emailMore: ["n"],
    nextStepHotline: ["acquirer", "hotline"],
    nextStepQuote: [],
    date: ["day", "month", "mon"],
    dateWithYear: ["day", "month", "mon", "year"],
    dateTime: ["date", "time"],
    totalSeparator: [],
  },
  ops: { fileLateSubject: OPS, fileLateBody: OPS },
} as const;

// The English SMS texts leave the confirmation date to the email: sent through a mainland
// provider (UCS-2 once the 【signature】 is added) they must fit 2 parts of 67 characters with the
// longest variables (test/unit/notification/sms-templates.test.ts).
const EN: TemplateSet = {
  overdue: {
    sms: {
      one: "Overdue: 1 payment of {total}, due {due}. {items}{nextStep}",
      other: "Overdue: {count} payments, {total}, due {due}. {items}{nextStep}",
    },
    emailSubject: {
      one: "Overdue: 1 payment of {total} has not arrived",
      other: "Overdue: {count} payments totalling {total} have not arrived",
    },
    emailBody: {
      one: "Hello {merchantName},\n\n1 payment of {total} confirmed {confirmed} has not arrived in your account; it was due {due}.\n\n{lines}\n\n{nextStep}\n\nTimes are in {timeZone}. We will remind you if it is still missing and tell you when it arrives.\n— settlewatch",
      other:
        "Hello {merchantName},\n\n{count} payments totalling {total} confirmed {confirmed} have not arrived in your account; they were due {due}.\n\n{lines}\n\n{nextStep}\n\nTimes are in {timeZone}. We will remind you if they are still missing and tell you when they arrive.\n— settlewatch",
    },
  },
  escalation: {
    sms: {
      one: "Still missing: 1 payment of {total}, due {due}. {items}{nextStep}",
      other: "Still missing: {count} payments, {total}, due {due}. {items}{nextStep}",
    },
    emailSubject: {
      one: "Reminder: 1 payment of {total} is still missing",
      other: "Reminder: {count} payments totalling {total} are still missing",
    },
    emailBody: {
      one: "Hello {merchantName},\n\n1 payment of {total} confirmed {confirmed} is still missing from your account; it was due {due}.\n\n{lines}\n\n{nextStep}\n\nTimes are in {timeZone}.\n— settlewatch",
      other:
        "Hello {merchantName},\n\n{count} payments totalling {total} confirmed {confirmed} are still missing from your account; they were due {due}.\n\n{lines}\n\n{nextStep}\n\nTimes are in {timeZone}.\n— settlewatch",
    },
  },
  arrived: {
    sms: {
      one: "Arrived: the late payment {reference} of {total} has now reached your account.",
      other: "Arrived: {count} late payments totalling {total} have now reached your account.",
    },
    emailSubject: {
      one: "Arrived: late payment {reference} of {total}",
      other: "Arrived: {count} late payments totalling {total}",
    },
    emailBody: {
      one: "Hello {merchantName},\n\nThe late payment {reference} of {total} has now reached your account.\n\n{lines}\n\nTimes are in {timeZone}.\n— settlewatch",
      other:
        "Hello {merchantName},\n\n{count} late payments totalling {total} have now reached your account.\n\n{lines}\n\nTimes are in {timeZone}.\n— settlewatch",
    },
  },
  fragments: {
    confirmedOn: "on {date}",
    confirmedBetween: "between {first} and {last}",
    dueAt: "{due}",
    dueFrom: "from {due}",
    smsItems: "Ref: {list}{more}. ",
    smsItem: "{reference} ({amount})",
    smsMore: " and {n} more",
    listSeparator: ", ",
    emailLine: "- {reference}: {amount}, confirmed {confirmed}, due {due}{orderNote}",
    orderNote: ", order {orderId}",
    emailMore: "- and {n} more",
    nextStepHotline: "Call {acquirer} on {hotline} and quote the ref.",
    nextStepQuote: "Quote the ref to your acquirer.",
    date: "{day} {mon}",
    dateWithYear: "{day} {mon} {year}",
    dateTime: "{date} {time}",
    totalSeparator: " + ",
    months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  },
};

const ZH_CN: TemplateSet = {
  overdue: {
    sms: "您有{count}笔收款共{total}（{confirmed}确认）尚未到账，{due}。{items}{nextStep}",
    emailSubject: "{count}笔收款共{total}尚未到账",
    emailBody:
      "{merchantName}您好：\n\n您有{count}笔收款共{total}（{confirmed}确认）尚未到账，{due}。\n\n{lines}\n\n{nextStep}\n\n以上时间均为{timeZone}时间。如仍未到账我们会再次提醒，到账后也会通知您。\n— settlewatch",
  },
  escalation: {
    sms: "提醒：您有{count}笔收款共{total}（{confirmed}确认）仍未到账，{due}。{items}{nextStep}",
    emailSubject: "提醒：{count}笔收款共{total}仍未到账",
    emailBody:
      "{merchantName}您好：\n\n您有{count}笔收款共{total}（{confirmed}确认）仍未到账，{due}。\n\n{lines}\n\n{nextStep}\n\n以上时间均为{timeZone}时间。\n— settlewatch",
  },
  arrived: {
    sms: {
      one: "到账通知：逾期收款{reference}（{total}）现已到账。",
      other: "到账通知：{count}笔逾期收款共{total}现已到账。",
    },
    emailSubject: { one: "逾期收款{reference}已到账", other: "{count}笔逾期收款已到账" },
    emailBody: {
      one: "{merchantName}您好：\n\n逾期收款{reference}（{total}）现已到账。\n\n{lines}\n\n以上时间均为{timeZone}时间。\n— settlewatch",
      other:
        "{merchantName}您好：\n\n{count}笔逾期收款共{total}现已到账。\n\n{lines}\n\n以上时间均为{timeZone}时间。\n— settlewatch",
    },
  },
  fragments: {
    confirmedOn: "{date}",
    confirmedBetween: "{first}至{last}",
    dueAt: "应到账时间{due}",
    dueFrom: "最早应到账时间{due}",
    smsItems: "单号：{list}{more}。",
    smsItem: "{reference}（{amount}）",
    smsMore: "，另有{n}笔",
    listSeparator: "、",
    emailLine: "- {reference}：{amount}，{confirmed}确认，应到账时间{due}{orderNote}",
    orderNote: "，订单号{orderId}",
    emailMore: "- 另有{n}笔未列出",
    nextStepHotline: "请致电{acquirer}客服{hotline}并提供单号。",
    nextStepQuote: "请向收单机构提供单号查询。",
    date: "{month}月{day}日",
    dateWithYear: "{year}年{month}月{day}日",
    dateTime: "{date} {time}",
    totalSeparator: "、",
    months: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
  },
};

const OPS_TEMPLATES: OpsTemplates = {
  fileLateSubject: "Settlement file late: {acquirer} for {day}",
  fileLateBody:
    "The {acquirer} settlement file for {day} was expected by {expectedAt} ({timeZone}) and has not arrived. {payments} overdue payments are held as awaiting file; merchants are not told until it arrives.",
};

/** The built-in templates. */
export const DEFAULT_TEMPLATES: TemplateRegistry = { "zh-CN": ZH_CN, en: EN, ops: OPS_TEMPLATES };

/** A template references a variable it was not given. */
export class MissingTemplateVariableError extends Error {
  override name = "MissingTemplateVariableError";
  constructor(
    readonly variable: string,
    readonly template: string,
  ) {
    super(`template variable {${variable}} has no value in ${JSON.stringify(template)}`);
  }
}

/** Template overrides from config name a variable the template is not given, or are malformed. */
export class TemplateConfigError extends Error {
  override name = "TemplateConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid notice templates: ${problems.join("; ")}`);
  }
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/**
 * Substitutes `{name}` placeholders with `variables[name]`, in one pass: a value that contains
 * "{x}" is not rendered again. Text in braces that is not a name (`{ }`, `{1}`) stays as is.
 * @throws MissingTemplateVariableError when a placeholder has no variable.
 */
export function renderTemplate(template: string, variables: TemplateVariables): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (value === undefined) throw new MissingTemplateVariableError(name, template);
    return String(value);
  });
}

/** The distinct variable names a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (match) => match[1] ?? ""))];
}

/** The text for `count`: the "one" form for exactly 1, else "other". */
export function selectPlural(template: PluralTemplate, count: number): string {
  return typeof template === "string" ? template : count === 1 ? template.one : template.other;
}

const text = z.string().max(2000);
const plural = z.union([text, z.strictObject({ one: text, other: text })]);
const messageOverrides = z.strictObject({ sms: plural, emailSubject: plural, emailBody: plural }).partial();
const fragmentOverrides = z
  .strictObject({
    confirmedOn: text,
    confirmedBetween: text,
    dueAt: text,
    dueFrom: text,
    smsItems: text,
    smsItem: text,
    smsMore: text,
    listSeparator: text,
    emailLine: text,
    orderNote: text,
    emailMore: text,
    nextStepHotline: text,
    nextStepQuote: text,
    date: text,
    dateWithYear: text,
    dateTime: text,
    totalSeparator: text,
    months: z.array(text).length(12),
  })
  .partial();
const setOverrides = z
  .strictObject({
    overdue: messageOverrides,
    escalation: messageOverrides,
    arrived: messageOverrides,
    fragments: fragmentOverrides,
  })
  .partial();

/**
 * Template overrides in config: any subset of the texts, per language, plus the ops texts, e.g.
 * `{ "zh-CN": { "overdue": { "sms": "…{count}…" } }, "ops": { "fileLateSubject": "…" } }`.
 */
export const templateOverridesSchema = z
  .strictObject({
    "zh-CN": setOverrides,
    en: setOverrides,
    ops: z.strictObject({ fileLateSubject: text, fileLateBody: text }).partial(),
  })
  .partial();
export type TemplateOverrides = z.input<typeof templateOverridesSchema>;

/**
 * The built-in templates with `overrides` (config data) laid over them. Validated as a whole:
 * the shape (zod), and that every template uses only the variables its slot is given
 * ({@link TEMPLATE_VARIABLES}), so a typo fails at load time, not when a notice is rendered.
 * @throws TemplateConfigError
 */
export function createTemplateRegistry(overrides: unknown = {}): TemplateRegistry {
  const parsed = templateOverridesSchema.safeParse(overrides);
  if (!parsed.success) {
    throw new TemplateConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  const merge = (language: Language): TemplateSet => {
    const base = DEFAULT_TEMPLATES[language];
    const over = parsed.data[language] ?? {};
    return {
      overdue: { ...base.overdue, ...defined<MessageTemplates>(over.overdue) },
      escalation: { ...base.escalation, ...defined<MessageTemplates>(over.escalation) },
      arrived: { ...base.arrived, ...defined<MessageTemplates>(over.arrived) },
      fragments: { ...base.fragments, ...defined<Fragments>(over.fragments) },
    };
  };
  const registry: TemplateRegistry = {
    "zh-CN": merge("zh-CN"),
    en: merge("en"),
    ops: { ...DEFAULT_TEMPLATES.ops, ...defined<OpsTemplates>(parsed.data.ops) },
  };
  const problems = checkVariables(registry);
  if (problems.length > 0) throw new TemplateConfigError(problems);
  return registry;
}

/** The entries of `partial` that are set (zod's partial() types absent keys as `T | undefined`). */
function defined<T extends object>(partial: { [K in keyof T]?: T[K] | undefined } | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(partial ?? {}).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** Every template that uses a variable its slot is not given, as "path: {name}" problems. */
export function checkVariables(registry: TemplateRegistry): string[] {
  const problems: string[] = [];
  const check = (path: string, template: PluralTemplate, allowed: readonly string[]) => {
    const forms = typeof template === "string" ? [template] : [template.one, template.other];
    for (const form of forms) {
      for (const name of templateVariables(form)) {
        if (!allowed.includes(name)) problems.push(`${path}: {${name}} is not available here`);
      }
    }
  };
  for (const language of LANGUAGES) {
    const set = registry[language];
    for (const kind of ["overdue", "escalation", "arrived"] as const) {
      for (const slot of ["sms", "emailSubject", "emailBody"] as const) {
        check(`${language}.${kind}.${slot}`, set[kind][slot], TEMPLATE_VARIABLES[kind][slot]);
      }
    }
    for (const [slot, allowed] of Object.entries(TEMPLATE_VARIABLES.fragments)) {
      const template = set.fragments[slot as keyof typeof TEMPLATE_VARIABLES.fragments];
      check(`${language}.fragments.${slot}`, template, allowed);
    }
  }
  check("ops.fileLateSubject", registry.ops.fileLateSubject, TEMPLATE_VARIABLES.ops.fileLateSubject);
  check("ops.fileLateBody", registry.ops.fileLateBody, TEMPLATE_VARIABLES.ops.fileLateBody);
  return problems;
}
