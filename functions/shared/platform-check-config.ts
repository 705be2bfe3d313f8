import * as z from "zod";

/**
 * The merchant page's real-time check with the payment platforms (`merchantPage.platformCheck`):
 * absent, or a platform absent, means that check is off. `secretName` names the Secrets Manager
 * secret holding that platform's credentials in AWS (JSON by account, see docs/deploy.md);
 * locally the credentials come from the local config's `platformCredentials` instead.
 */
export const platformCheckConfigSchema = z.strictObject({
  /** The merchant is at the till: a platform that has not answered by then is "could not check". */
  timeoutMs: z.number().int().min(100).max(10_000).default(3000),
  wechatpay: z
    .strictObject({
      endpoint: z.url({ protocol: /^https?$/ }).default("https://api.mch.weixin.qq.com"),
      secretName: z.string().min(1).max(512).optional(),
    })
    .optional(),
  alipay: z
    .strictObject({
      gateway: z.url({ protocol: /^https?$/ }).default("https://openapi.alipay.com/gateway.do"),
      secretName: z.string().min(1).max(512).optional(),
    })
    .optional(),
});
export type PlatformCheckConfig = z.infer<typeof platformCheckConfigSchema>;
