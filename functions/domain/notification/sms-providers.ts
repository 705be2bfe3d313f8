import callingCodesData from "./data/calling-codes.json" with { type: "json" };

// The SMS providers, in one place: their ids, how each takes a templated notice, and which
// provider a number goes to. Adding a provider = one entry here (its traits), one adapter file in
// functions/adapters/sms/ (registered in its registry) and one entry in a deployment's config.

export const SMS_PROVIDERS = ["sns", "aliyun", "tencent"] as const;
export type SmsProviderId = (typeof SMS_PROVIDERS)[number];

export interface SmsProviderTraits {
  /** What the provider receives: the whole text, named variables (JSON), or variables in template order. */
  readonly params: "text" | "named" | "ordered";
  /** Whether it sends only registered templates (then every template needs a registered code). */
  readonly registeredTemplates: boolean;
  /** Longest value one template variable may have, in characters (undefined: no limit). */
  readonly maxVariableLength: number | undefined;
  /** Whether the registered signature 【签名】 is added by the provider (and billed with the text). */
  readonly signature: boolean;
}

/**
 * Variable limits as documented: Alibaba Cloud notification templates take 1-35 characters per
 * variable; Tencent Cloud's FAQ says 6 characters per variable in non-verification texts unless a
 * longer limit was approved with the template (set `maxVariableLength` in the deployment config).
 */
export const SMS_PROVIDER_TRAITS: Readonly<Record<SmsProviderId, SmsProviderTraits>> = {
  sns: { params: "text", registeredTemplates: false, maxVariableLength: undefined, signature: false },
  aliyun: { params: "named", registeredTemplates: true, maxVariableLength: 35, signature: true },
  tencent: { params: "ordered", registeredTemplates: true, maxVariableLength: 6, signature: true },
};

export function isSmsProvider(value: string): value is SmsProviderId {
  return (SMS_PROVIDERS as readonly string[]).includes(value);
}

/** Which provider sends to which numbers: one default, optionally others per calling code. */
export interface SmsRouting {
  /** Absent: only the calling codes listed are covered. */
  readonly default?: SmsProviderId | undefined;
  /** Calling code without "+" → provider, e.g. { "86": "aliyun" }. */
  readonly byCallingCode?: Readonly<Record<string, SmsProviderId>> | undefined;
}

/** Country calling codes (generated data, prefix-free: at most one starts a number). */
const CALLING_CODES: readonly string[] = callingCodesData.codes;

/** The country calling code of an E.164 number ("+8613800138000" → "86"), if it has a known one. */
export function callingCodeOf(phone: string): string | undefined {
  const digits = /^\+(\d{7,15})$/.exec(phone)?.[1];
  return digits ? CALLING_CODES.find((code) => digits.startsWith(code)) : undefined;
}

/** The provider that sends to `phone`, or undefined when no configured provider covers its country. */
export function smsProviderFor(phone: string, routing: SmsRouting): SmsProviderId | undefined {
  const code = callingCodeOf(phone);
  const byCode = routing.byCallingCode ?? {};
  if (code !== undefined && Object.hasOwn(byCode, code)) return byCode[code];
  return routing.default;
}

/** Every provider a routing can use. */
export function providersOf(routing: SmsRouting): SmsProviderId[] {
  const all = [routing.default, ...Object.values(routing.byCallingCode ?? {})];
  return [...new Set(all.filter((id): id is SmsProviderId => id !== undefined))];
}

/** Why a number cannot be texted, for the registration answer; undefined when it can. */
export function smsCoverageProblem(phone: string, routing: SmsRouting): string | undefined {
  if (smsProviderFor(phone, routing) !== undefined) return undefined;
  const code = callingCodeOf(phone);
  const covered = Object.keys(routing.byCallingCode ?? {}).map((c) => `+${c}`);
  return `no SMS provider of this deployment sends to ${code ? `+${code}` : "this number"} (covered: ${covered.join(", ") || "none"}); choose email or ask the operator to configure a provider for it`;
}

/** Per provider, what the deployment registered: the signature and, where approved, a longer variable limit. */
export interface SmsProviderSettings {
  readonly signName?: string | undefined;
  readonly maxVariableLength?: number | undefined;
}

/** How a deployment sends SMS: routing plus each used provider's settings. */
export interface SmsDelivery {
  readonly routing: SmsRouting;
  readonly providers?: Readonly<Partial<Record<SmsProviderId, SmsProviderSettings>>> | undefined;
}

/** SNS everywhere, no signature: what a deployment without SMS settings does. */
export const SNS_ONLY: SmsDelivery = { routing: { default: "sns" } };

/** What rendering for `provider` must respect: the signature it adds and its variable limit. */
export function smsLimitsFor(
  provider: SmsProviderId,
  delivery: SmsDelivery,
): { signature: string; maxVariableLength: number | undefined } {
  const traits = SMS_PROVIDER_TRAITS[provider];
  const settings = delivery.providers?.[provider] ?? {};
  const signName = traits.signature ? settings.signName : undefined;
  return {
    signature: signName ? `【${signName}】` : "",
    maxVariableLength: settings.maxVariableLength ?? traits.maxVariableLength,
  };
}
