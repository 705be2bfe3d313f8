import type { MerchantProfile } from "../domain/merchant/merchant-profile.js";
import {
  PLATFORMS,
  type Platform,
  type PlatformVerdict,
  parsePlatformCheckQuery,
  verdictOfState,
} from "../domain/merchant-page/platform-order.js";
import { ValidationError } from "./errors.js";
import type { Clock, MerchantRepository } from "./ports.js";

/** Why a platform could not be asked, or its answer not trusted. */
export type PlatformFailure = "timeout" | "platform-error" | "bad-signature" | "bad-response";

/** What a platform's order query came back with (adapters never throw; they say "failed"). */
export type PlatformOrderAnswer =
  | {
      kind: "order";
      /** The platform's own state (trade_state / trade_status), as sent. */
      state: string;
      amountMinor?: number | undefined;
      currency?: string | undefined;
      /** UTC ISO instant the platform says the buyer paid. */
      paidAt?: string | undefined;
    }
  | { kind: "no-such-order" }
  | { kind: "failed"; reason: PlatformFailure; detail: string };

/**
 * One platform's order query by the merchant's own order number (out_trade_no), signed with the
 * platform account's key and its answer verified with the platform's key (functions/adapters/platforms).
 */
export interface PlatformOrderQuery {
  /** Whether credentials for this platform account (WeChat Pay mchid, Alipay app_id) are held. */
  canQuery(account: string): Promise<boolean>;
  query(input: { account: string; orderNo: string; now: Date }): Promise<PlatformOrderAnswer>;
}

export interface PlatformCheckDeps {
  merchants: MerchantRepository;
  clock: Clock;
  /** The configured platforms; none: the real-time check is off. */
  platformQueries?: Partial<Record<Platform, PlatformOrderQuery>> | undefined;
  log: (message: string, fields: Record<string, unknown>) => void;
}

export interface PlatformCheckAnswer {
  /** false: this deployment or this merchant cannot ask this platform (`reason` says why). */
  available: boolean;
  platform: Platform;
  orderNo: string;
  verdict: PlatformVerdict;
  state: string | null;
  amountMinor: number | null;
  currency: string | null;
  paidAt: string | null;
  reason?: "not-configured" | "no-platform-account" | "no-credentials" | "no-such-order" | PlatformFailure;
}

/** The merchant's own account on a platform, from their profile. */
export function platformAccountOf(
  profile: MerchantProfile | undefined,
  platform: Platform,
): string | undefined {
  const accounts = profile?.platformAccounts;
  return platform === "wechatpay" ? accounts?.wechatpay?.mchid : accounts?.alipay?.appId;
}

type Unavailable = { reason: "not-configured" | "no-platform-account" | "no-credentials" };

async function queryFor(
  profile: () => Promise<MerchantProfile | undefined>,
  platform: Platform,
  deps: PlatformCheckDeps,
): Promise<Unavailable | { query: PlatformOrderQuery; account: string }> {
  const query = deps.platformQueries?.[platform];
  if (query === undefined) return { reason: "not-configured" };
  const account = platformAccountOf(await profile(), platform);
  if (account === undefined) return { reason: "no-platform-account" };
  if (!(await query.canQuery(account))) return { reason: "no-credentials" };
  return { query, account };
}

/** GET /m/api/platforms: the platforms this merchant can ask in real time. */
export async function platformsOf(
  merchantId: string,
  deps: PlatformCheckDeps,
): Promise<{ platforms: Platform[] }> {
  const platforms: Platform[] = [];
  let read: Promise<MerchantProfile | undefined> | undefined;
  const profile = () => {
    read ??= deps.merchants.get(merchantId);
    return read;
  };
  for (const platform of PLATFORMS)
    if ("query" in (await queryFor(profile, platform, deps))) platforms.push(platform);
  return { platforms };
}

/**
 * GET /m/api/platform-check: asks the platform about one of the merchant's own order numbers, with
 * the merchant's own platform account (so another merchant's order is never found). Only SUCCESS /
 * TRADE_SUCCESS / TRADE_FINISHED are "paid"; a timeout, an error or a bad signature is "unknown".
 */
export async function checkWithPlatform(
  merchantId: string,
  rawQuery: string,
  deps: PlatformCheckDeps,
): Promise<PlatformCheckAnswer> {
  const parsed = parsePlatformCheckQuery(rawQuery);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const { platform, orderNo } = parsed.value;
  const blank = { platform, orderNo, state: null, amountMinor: null, currency: null, paidAt: null };
  const found = await queryFor(() => deps.merchants.get(merchantId), platform, deps);
  if (!("query" in found)) return { ...blank, available: false, verdict: "unknown", reason: found.reason };
  const answer = await askSafely(found.query, { account: found.account, orderNo, now: deps.clock.now() });
  deps.log("platform order query", {
    merchantId,
    platform,
    outcome: answer.kind,
    ...(answer.kind === "order" ? { state: answer.state } : {}),
    ...(answer.kind === "failed" ? { reason: answer.reason, detail: answer.detail } : {}),
  });
  if (answer.kind === "failed")
    return { ...blank, available: true, verdict: "unknown", reason: answer.reason };
  if (answer.kind === "no-such-order")
    return { ...blank, available: true, verdict: "not-paid", reason: "no-such-order" };
  return {
    ...blank,
    available: true,
    verdict: verdictOfState(platform, answer.state),
    state: answer.state,
    amountMinor: answer.amountMinor ?? null,
    currency: answer.currency ?? null,
    paidAt: answer.paidAt ?? null,
  };
}

/** An adapter that throws after all still yields "could not check", never a 500 or "paid". */
async function askSafely(
  query: PlatformOrderQuery,
  input: { account: string; orderNo: string; now: Date },
): Promise<PlatformOrderAnswer> {
  try {
    return await query.query(input);
  } catch (error) {
    return { kind: "failed", reason: "platform-error", detail: (error as Error).message.slice(0, 200) };
  }
}
