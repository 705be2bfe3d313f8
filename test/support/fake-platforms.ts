import { generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { alipaySignContent } from "../../functions/adapters/platforms/alipay-order-query.js";

// WeChat Pay and Alipay as the HTTP peers the adapters talk to: requests checked against the
// merchant's / app's public key, answers signed with the platform's own test key. Test keys only.

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  publicPem: string;
}

export function testKeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export const WECHAT_MCHID = "1900000109";
export const WECHAT_CERT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
export const WECHAT_PLATFORM_KEY_ID = "PUB_KEY_ID_0119000001092025000000000001";
export const ALIPAY_APP_ID = "2021000100000001";

export interface PlatformKeys {
  wechatMerchant: TestKeyPair;
  wechatPlatform: TestKeyPair;
  alipayApp: TestKeyPair;
  alipayPlatform: TestKeyPair;
}

export function platformKeys(): PlatformKeys {
  return {
    wechatMerchant: testKeyPair(),
    wechatPlatform: testKeyPair(),
    alipayApp: testKeyPair(),
    alipayPlatform: testKeyPair(),
  };
}

/** The credentials JSON an operator puts in the secrets / local config (docs/deploy.md). */
export function credentialsJson(keys: PlatformKeys) {
  return {
    wechatpay: {
      [WECHAT_MCHID]: {
        certificateSerial: WECHAT_CERT_SERIAL,
        privateKey: keys.wechatMerchant.privatePem,
        platformPublicKeys: { [WECHAT_PLATFORM_KEY_ID]: keys.wechatPlatform.publicPem },
      },
    },
    alipay: {
      [ALIPAY_APP_ID]: {
        privateKey: keys.alipayApp.privatePem,
        // As the Alipay console shows it: bare base64, no PEM armour.
        alipayPublicKey: keys.alipayPlatform.publicKey
          .export({ type: "spki", format: "der" })
          .toString("base64"),
      },
    },
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
  delayMs?: number;
}

/** A WeChat Pay v3 answer signed as WeChat Pay signs it ("timestamp\nnonce\nbody\n"). */
export function wechatPayAnswer(input: {
  status: number;
  body: unknown;
  now: Date;
  key: KeyObject;
  serial?: string;
  tamper?: (body: string) => string;
}): FakeAnswer {
  const body = JSON.stringify(input.body);
  const timestamp = String(Math.floor(input.now.getTime() / 1000));
  const nonce = "c5ac7061fccab6bf3e254dcf98995b8c";
  const signature = sign("sha256", Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), input.key).toString(
    "base64",
  );
  return {
    status: input.status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "wechatpay-timestamp": timestamp,
      "wechatpay-nonce": nonce,
      "wechatpay-signature": signature,
      "wechatpay-serial": input.serial ?? WECHAT_PLATFORM_KEY_ID,
    },
    body: input.tamper ? input.tamper(body) : body,
  };
}

/** An alipay.trade.query answer, `sign` over the response member's exact text. */
export function alipayAnswer(input: {
  result: unknown;
  key: KeyObject;
  tamper?: (raw: string) => string;
}): FakeAnswer {
  const raw = JSON.stringify(input.result);
  const signature = sign("sha256", Buffer.from(raw), input.key).toString("base64");
  const sent = input.tamper ? input.tamper(raw) : raw;
  return {
    status: 200,
    headers: { "content-type": "text/html;charset=utf-8" },
    body: `{"alipay_trade_query_response":${sent},"sign":"${signature}"}`,
  };
}

/** The fields of a WECHATPAY2-SHA256-RSA2048 Authorization header, and whether its signature verifies. */
export function checkWechatPayRequest(request: SeenRequest, merchantKey: KeyObject) {
  const header = request.headers.authorization ?? "";
  const scheme = header.split(" ")[0];
  const fields = Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1] as string, match[2] as string]),
  );
  const path = new URL(request.url, "http://x").pathname + new URL(request.url, "http://x").search;
  const message = `${request.method}\n${path}\n${fields.timestamp}\n${fields.nonce_str}\n${request.body}\n`;
  const verified = verify(
    "sha256",
    Buffer.from(message),
    merchantKey,
    Buffer.from(fields.signature ?? "", "base64"),
  );
  return { scheme, fields, verified };
}

/** The form parameters of an openapi request, and whether its RSA2 sign verifies with the app's public key. */
export function checkAlipayRequest(request: SeenRequest, appKey: KeyObject) {
  const params = Object.fromEntries(new URLSearchParams(request.body));
  const verified = verify(
    "sha256",
    Buffer.from(alipaySignContent(params)),
    appKey,
    Buffer.from(params.sign ?? "", "base64"),
  );
  return { params, verified };
}

/** A local HTTP server answering as the platforms do; every request is kept for assertions. */
export async function startFakePlatform(
  answer: (request: SeenRequest) => FakeAnswer,
): Promise<{ url: string; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: SeenRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(request);
      const reply = answer(request);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body);
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fetch that answers from a function in-process (the adapters' HTTP boundary), keeping each request. */
export function fakeFetch(answer: (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>) {
  const seen: SeenRequest[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: SeenRequest = {
      method: init?.method ?? "GET",
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === "string" ? init.body : "",
    };
    seen.push(request);
    const reply = await answer(request);
    if (reply.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, reply.delayMs);
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(init.signal?.reason);
        });
      });
    }
    return new Response(reply.body, { status: reply.status, headers: reply.headers ?? {} });
  }) as typeof fetch;
  return { fetch: fetchFn, seen };
}
