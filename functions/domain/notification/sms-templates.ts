import { countSmsSegments, SMS_LIMITS } from "./sms-segments.js";
import {
  DEFAULT_TEMPLATES,
  LANGUAGES,
  type Language,
  type MerchantNoticeKind,
  type PluralTemplate,
  renderTemplate,
  type TemplateRegistry,
  templateVariables,
} from "./templates.js";

// Every SMS is a registered template plus named variables, never free text. A template is one
// form of a kind's `sms` text in one language: "overdue" (one text for any count) or
// "arrived.one" / "arrived.other" (a form per plural category). Its key is what a deployment maps
// to the provider's registered template code or id.

export const SMS_TEMPLATE_KINDS = [
  "overdue",
  "escalation",
  "arrived",
] as const satisfies readonly MerchantNoticeKind[];

/**
 * The merchant page's sign-in code: its own registered template (not a notice kind: sent at once,
 * never stored, never fitted). One part with any signature, no URL, no other variable.
 */
export const SIGN_IN_CODE_TEMPLATE = "sign-in-code";
export const SIGN_IN_CODE_SMS: Readonly<Record<Language, string>> = {
  "zh-CN": "您的登录验证码为{code}，5分钟内有效，请勿告诉他人。",
  en: "Your settlewatch sign-in code is {code}. It expires in 5 minutes. Never share it.",
};

/** A notice's SMS as decided: which template, in which language, with which values. */
export interface TemplatedSms {
  /** The template key, e.g. "overdue" or "arrived.one". */
  template: string;
  language: Language;
  /** Every variable of the template, by name (values already shortened to the provider's limit). */
  variables: Record<string, string>;
}

export interface SmsTemplateEntry {
  key: string;
  language: Language;
  text: string;
  /** Variable names in order of first use: Tencent's TemplateParamSet follows this order. */
  variables: string[];
}

/** The key and text of the SMS form used for `count` items. */
export function smsTemplateFor(
  template: PluralTemplate,
  kind: MerchantNoticeKind,
  count: number,
): { key: string; text: string } {
  if (typeof template === "string") return { key: kind, text: template };
  const form = count === 1 ? "one" : "other";
  return { key: `${kind}.${form}`, text: template[form] };
}

/** Every SMS template of every language, in a stable order (the registration list). */
export function listSmsTemplates(registry: TemplateRegistry = DEFAULT_TEMPLATES): SmsTemplateEntry[] {
  const entries: SmsTemplateEntry[] = [];
  for (const language of LANGUAGES) {
    for (const kind of SMS_TEMPLATE_KINDS) {
      const template = registry[language][kind].sms;
      const forms =
        typeof template === "string"
          ? [{ key: kind, text: template }]
          : (["one", "other"] as const).map((form) => ({ key: `${kind}.${form}`, text: template[form] }));
      for (const { key, text } of forms) {
        entries.push({ key, language, text, variables: templateVariables(text) });
      }
    }
    const signIn = SIGN_IN_CODE_SMS[language];
    entries.push({
      key: SIGN_IN_CODE_TEMPLATE,
      language,
      text: signIn,
      variables: templateVariables(signIn),
    });
  }
  return entries;
}

/** The template text of a decided SMS. @throws RangeError for a key the registry does not have. */
export function smsTemplateText(
  sms: Pick<TemplatedSms, "template" | "language">,
  registry: TemplateRegistry,
): string {
  const entry = listSmsTemplates(registry).find(
    (candidate) => candidate.key === sms.template && candidate.language === sms.language,
  );
  if (!entry) throw new RangeError(`no SMS template ${sms.language}/${sms.template}`);
  return entry.text;
}

/** The text as the handset shows it without the signature (what SNS publishes). */
export function renderSmsText(sms: TemplatedSms, registry: TemplateRegistry = DEFAULT_TEMPLATES): string {
  return renderTemplate(smsTemplateText(sms, registry), sms.variables).trim();
}

const ELLIPSIS = "…";

const GRAPHEMES = new Intl.Segmenter("und", { granularity: "grapheme" });

/**
 * Shortens a variable value to at most `max` characters (Unicode code points, as the providers
 * count them): a longer value keeps the longest run of whole characters (grapheme clusters: an
 * emoji with its modifiers, a flag, a letter with its accents) that fits in `max - 1` code points,
 * and ends with "…". So a surrogate pair, a flag or a ZWJ sequence stays whole or goes; whitespace
 * left at the cut is dropped.
 */
export function shortenVariable(value: string, max: number | undefined): string {
  if (max === undefined) return value;
  if (!Number.isInteger(max) || max < 1) throw new RangeError("a variable limit is at least 1 character");
  if (variableLength(value) <= max) return value;
  let kept = "";
  let used = 0;
  for (const { segment } of GRAPHEMES.segment(value)) {
    const size = variableLength(segment);
    if (used + size > max - 1) break;
    kept += segment;
    used += size;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

/** Length in code points, the unit of the providers' variable limits. */
export function variableLength(value: string): number {
  return Array.from(value).length;
}

const URL_PATTERN = /(?:https?:\/\/|www\.)|\b[a-z0-9-]+\.(?:com|cn|net|org|io|hk|me|cc|top|xyz|info)\b/i;

/** True when the text contains something carriers treat as a link (scheme, www., a bare domain). */
export function containsUrl(text: string): boolean {
  return URL_PATTERN.test(text);
}

/** The registered signature as the handset shows it, counted and billed with the text. */
export function signatureText(signName: string | undefined): string {
  return signName ? `【${signName}】` : "";
}

/** Parts one text takes in UCS-2 with its signature (the mainland rule: 70, then 67 per part). */
export const UCS2_LIMITS = SMS_LIMITS["UCS-2"];

/** A deployment's registered template codes: language → template key → code (or Tencent id). */
export type TemplateCodes = Readonly<Partial<Record<Language, Readonly<Record<string, string>>>>>;

/** The keys of templates that have no registered code, as "language/key". */
export function missingTemplateCodes(
  codes: TemplateCodes,
  registry: TemplateRegistry = DEFAULT_TEMPLATES,
): string[] {
  return listSmsTemplates(registry)
    .filter((entry) => codes[entry.language]?.[entry.key] === undefined)
    .map((entry) => `${entry.language}/${entry.key}`);
}

/**
 * The longest values each variable plausibly takes: a 4-digit count, two currencies' totals, a
 * date range across a year end, the earliest of several due times, a hotline next step. {items}
 * is the list the fitting drops first, so the template must fit without it.
 */
export const LONGEST_PLAUSIBLE_VARIABLES: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  "zh-CN": {
    count: "9999",
    total: "¥9,999,999.99、HK$99,999.99",
    confirmed: "2026年12月28日至1月2日",
    due: "最早应到账时间2026年12月31日 18:00",
    items: "",
    nextStep: "请致电微信支付客服95017并提供单号。",
    reference: "4200001234202609300001",
    code: "123456",
  },
  en: {
    count: "9999",
    total: "¥9,999,999.99 + HK$99,999.99",
    confirmed: "between 28 Dec 2026 and 2 Jan",
    due: "from 31 Dec 2026 18:00",
    items: "",
    nextStep: "Call WeChat Pay on 95017 and quote the ref.",
    reference: "4200001234202609300001",
    code: "123456",
  },
};

export interface SmsTemplateReportEntry extends SmsTemplateEntry {
  /** The registered code (Alibaba Cloud) or id (Tencent) from the config; absent for SNS or when missing. */
  code?: string | undefined;
  /** The longest plausible rendering, signature included, and the parts it is billed as. */
  longest: { text: string; characters: number; segments: number };
}

/** Every template with its code and its longest rendering for one provider's signature and limit. */
export function smsTemplateReport(options: {
  signature: string;
  maxVariableLength: number | undefined;
  codes?: TemplateCodes | undefined;
  registry?: TemplateRegistry;
}): SmsTemplateReportEntry[] {
  return listSmsTemplates(options.registry ?? DEFAULT_TEMPLATES).map((entry) => {
    const variables = Object.fromEntries(
      entry.variables.map((name) => [
        name,
        shortenVariable(LONGEST_PLAUSIBLE_VARIABLES[entry.language][name] ?? "", options.maxVariableLength),
      ]),
    );
    const text = options.signature + renderTemplate(entry.text, variables).trim();
    const count = countSmsSegments(text);
    return {
      ...entry,
      code: options.codes?.[entry.language]?.[entry.key],
      longest: { text, characters: count.characters, segments: count.segments },
    };
  });
}
