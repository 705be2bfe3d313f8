import type { SmsProviderId } from "./sms-providers.js";

// How fast the notifier may text: a bound on requests in flight per provider, and a cap per number
// per minute / hour / day, below the providers' own per-number limits (a text over those is refused
// with a throttling code and would have to be retried anyway).

export const PACING_WINDOWS = ["minute", "hour", "day"] as const;
export type PacingWindow = (typeof PACING_WINDOWS)[number];

/** Texts one number may get per window (absent: no cap for that window). */
export interface PerNumberCap {
  readonly perMinute?: number | undefined;
  readonly perHour?: number | undefined;
  readonly perDay?: number | undefined;
}

export interface SmsPacing {
  /** Requests in flight to the provider at once, per notifier instance. */
  readonly concurrency: number;
  readonly perNumber: PerNumberCap;
}

/**
 * Defaults from the providers' documented per-number limits (docs/notifications.md, "Pacing"):
 * Alibaba Cloud: verification texts 1/min, 5/hour, 10/day per number and signature (notification
 * texts 50/day per number, signature and template: the stricter rule is the default); Tencent Cloud:
 * the same text at most once per 30 s and 10 texts per calendar day per number; Amazon SNS documents
 * no per-number limit (its limit is the account's send rate).
 */
export const SMS_PACING_DEFAULTS: Readonly<Record<SmsProviderId, SmsPacing>> = {
  sns: { concurrency: 10, perNumber: {} },
  aliyun: { concurrency: 5, perNumber: { perMinute: 1, perHour: 5, perDay: 10 } },
  tencent: { concurrency: 5, perNumber: { perMinute: 1, perDay: 10 } },
};

/** One counting window a text falls in: its kind, start, end and cap. */
export interface QuotaWindow {
  readonly window: PacingWindow;
  /** ISO instant the window starts (part of the counter's key). */
  readonly start: string;
  /** ISO instant the window ends: a text over its cap waits until then. */
  readonly endsAt: string;
  readonly limit: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Days are counted in China Standard Time (UTC+8, no DST), the calendar day Tencent counts. */
const DAY_OFFSET_MS = 8 * HOUR_MS;

const CAP_OF: Readonly<Record<PacingWindow, keyof PerNumberCap>> = {
  minute: "perMinute",
  hour: "perHour",
  day: "perDay",
};

function windowStart(window: PacingWindow, at: number): number {
  if (window === "minute") return Math.floor(at / MINUTE_MS) * MINUTE_MS;
  if (window === "hour") return Math.floor(at / HOUR_MS) * HOUR_MS;
  return Math.floor((at + DAY_OFFSET_MS) / DAY_MS) * DAY_MS - DAY_OFFSET_MS;
}

const LENGTH_MS: Readonly<Record<PacingWindow, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** The fixed windows `now` falls in, one per capped window. */
export function quotaWindows(now: Date, cap: PerNumberCap): QuotaWindow[] {
  const at = now.getTime();
  return PACING_WINDOWS.flatMap((window) => {
    const limit = cap[CAP_OF[window]];
    if (limit === undefined) return [];
    const start = windowStart(window, at);
    return [
      {
        window,
        start: new Date(start).toISOString(),
        endsAt: new Date(start + LENGTH_MS[window]).toISOString(),
        limit,
      },
    ];
  });
}

/** When a text refused by these full windows may go: the latest end among them. */
export function nextAllowedAt(full: readonly QuotaWindow[]): string | undefined {
  return full
    .map((window) => window.endsAt)
    .sort()
    .at(-1);
}

/** What a deployment may set per provider (the rest comes from SMS_PACING_DEFAULTS). */
export interface SmsPacingSettings {
  readonly concurrency?: number | undefined;
  readonly perNumber?: PerNumberCap | undefined;
}

/** A deployment's pacing for `provider`: its settings over the provider's defaults. */
export function pacingFor(
  provider: SmsProviderId,
  configured: Readonly<Partial<Record<SmsProviderId, SmsPacingSettings>>> = {},
): SmsPacing {
  const defaults = SMS_PACING_DEFAULTS[provider];
  const own = configured[provider] ?? {};
  return {
    concurrency: own.concurrency ?? defaults.concurrency,
    perNumber: { ...defaults.perNumber, ...own.perNumber },
  };
}

/** Caps that contradict each other (a minute cap above the hour cap…), as messages. */
export function perNumberCapProblems(cap: PerNumberCap): string[] {
  const problems: string[] = [];
  const pairs: Array<[keyof PerNumberCap, keyof PerNumberCap]> = [
    ["perMinute", "perHour"],
    ["perHour", "perDay"],
    ["perMinute", "perDay"],
  ];
  for (const [smaller, larger] of pairs) {
    const a = cap[smaller];
    const b = cap[larger];
    if (a !== undefined && b !== undefined && a > b)
      problems.push(`${smaller} (${a}) is more than ${larger} (${b})`);
  }
  return problems;
}
