import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import * as z from "zod";

/**
 * Platform API credentials, as kept in one Secrets Manager secret per platform (JSON, keyed by the
 * platform account) or, locally, in the local config's `platformCredentials`. Keys are PEM, or the
 * bare base64 (PKCS#8 private, SPKI public) that the Alipay console hands out.
 */
const pemOrBase64 = z.string().min(40).max(10_000);

/** WeChat Pay v3, by mchid: the merchant API certificate's serial and private key, and the platform's public key(s) by serial / public-key id. */
export const wechatPayCredentialsSchema = z.record(
  z.string().regex(/^\d{6,32}$/),
  z.strictObject({
    certificateSerial: z.string().regex(/^[0-9A-Fa-f]{8,64}$/),
    privateKey: pemOrBase64,
    platformPublicKeys: z
      .record(z.string().min(1).max(64), pemOrBase64)
      .refine((keys) => Object.keys(keys).length > 0),
  }),
);

/** Alipay openapi, by app_id: the app's private key, Alipay's public key, and an app_auth_token when a service provider asks for the merchant. */
export const alipayCredentialsSchema = z.record(
  z.string().regex(/^\d{8,32}$/),
  z.strictObject({
    privateKey: pemOrBase64,
    alipayPublicKey: pemOrBase64,
    appAuthToken: z.string().min(1).max(128).optional(),
  }),
);

export interface WechatPayAccount {
  mchid: string;
  certificateSerial: string;
  privateKey: KeyObject;
  platformPublicKeys: ReadonlyMap<string, KeyObject>;
}

export interface AlipayAccount {
  appId: string;
  privateKey: KeyObject;
  alipayPublicKey: KeyObject;
  appAuthToken?: string | undefined;
}

/** Credentials of one platform account; undefined when none are held. */
export type AccountCredentials<T> = (account: string) => Promise<T | undefined>;

function isPem(text: string): boolean {
  return text.includes("-----BEGIN ");
}

export function privateKeyOf(text: string): KeyObject {
  if (isPem(text)) return createPrivateKey(text);
  const der = Buffer.from(text.replace(/\s+/g, ""), "base64");
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch {
    return createPrivateKey({ key: der, format: "der", type: "pkcs1" });
  }
}

export function publicKeyOf(text: string): KeyObject {
  if (isPem(text)) return createPublicKey(text);
  return createPublicKey({
    key: Buffer.from(text.replace(/\s+/g, ""), "base64"),
    format: "der",
    type: "spki",
  });
}

export function wechatPayAccounts(raw: unknown): Map<string, WechatPayAccount> {
  const accounts = new Map<string, WechatPayAccount>();
  for (const [mchid, entry] of Object.entries(wechatPayCredentialsSchema.parse(raw)))
    accounts.set(mchid, {
      mchid,
      certificateSerial: entry.certificateSerial,
      privateKey: privateKeyOf(entry.privateKey),
      platformPublicKeys: new Map(
        Object.entries(entry.platformPublicKeys).map(([id, key]) => [id, publicKeyOf(key)]),
      ),
    });
  return accounts;
}

export function alipayAccounts(raw: unknown): Map<string, AlipayAccount> {
  const accounts = new Map<string, AlipayAccount>();
  for (const [appId, entry] of Object.entries(alipayCredentialsSchema.parse(raw)))
    accounts.set(appId, {
      appId,
      privateKey: privateKeyOf(entry.privateKey),
      alipayPublicKey: publicKeyOf(entry.alipayPublicKey),
      appAuthToken: entry.appAuthToken,
    });
  return accounts;
}

/** Credentials parsed once from a fixed object (the local config, tests). */
export function staticCredentials<T>(accounts: ReadonlyMap<string, T>): AccountCredentials<T> {
  return async (account) => accounts.get(account);
}
