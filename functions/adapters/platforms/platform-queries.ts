import type { Platform } from "../../domain/merchant-page/platform-order.js";
import type { PlatformCheckConfig } from "../../shared/platform-check-config.js";
import type { PlatformOrderQuery } from "../../use-cases/platform-check.js";
import { AlipayOrderQuery } from "./alipay-order-query.js";
import type { AccountCredentials, AlipayAccount, WechatPayAccount } from "./platform-credentials.js";
import { WechatPayOrderQuery } from "./wechatpay-order-query.js";

export interface PlatformCredentialSources {
  wechatpay: AccountCredentials<WechatPayAccount>;
  alipay: AccountCredentials<AlipayAccount>;
}

/** The order queries of the platforms the config switches on (none: the real-time check is off). */
export function platformQueries(
  config: PlatformCheckConfig | undefined,
  credentials: PlatformCredentialSources,
  fetchFn?: typeof fetch,
): Partial<Record<Platform, PlatformOrderQuery>> {
  if (!config) return {};
  const common = { timeoutMs: config.timeoutMs, ...(fetchFn ? { fetch: fetchFn } : {}) };
  return {
    ...(config.wechatpay
      ? {
          wechatpay: new WechatPayOrderQuery({
            ...common,
            endpoint: config.wechatpay.endpoint,
            credentials: credentials.wechatpay,
          }),
        }
      : {}),
    ...(config.alipay
      ? {
          alipay: new AlipayOrderQuery({
            ...common,
            gateway: config.alipay.gateway,
            credentials: credentials.alipay,
          }),
        }
      : {}),
  };
}
