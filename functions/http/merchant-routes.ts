import { ForbiddenError, InvalidJsonError, InvalidRequestError } from "../use-cases/errors.js";
import { listOutstanding, lookupPayments, type MerchantLookupDeps } from "../use-cases/merchant-lookup.js";
import {
  type MerchantSignInDeps,
  merchantOfSession,
  requestSignInCode,
  signOut,
  verifySignInCode,
} from "../use-cases/merchant-sign-in.js";
import { checkWithPlatform, type PlatformCheckDeps, platformsOf } from "../use-cases/platform-check.js";
import { type HttpRequest, type HttpResponse, json } from "./http-types.js";
import type { Route } from "./routes.js";

export type MerchantApiDeps = MerchantSignInDeps & MerchantLookupDeps & PlatformCheckDeps;

/** The session cookie: HttpOnly, SameSite=Strict, scoped to the page's path. */
export const SESSION_COOKIE = "sw_session";
/** Every state-changing request carries this header (a cross-site form or image cannot). */
export const CSRF_HEADER = "x-settlewatch-csrf";

/** Cookies of a request, by name (the first of a repeated name wins). */
export function cookiesOf(request: HttpRequest): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const split = part.indexOf("=");
    if (split < 0) continue;
    const name = part.slice(0, split).trim();
    if (name && !Object.hasOwn(cookies, name)) cookies[name] = part.slice(split + 1).trim();
  }
  return cookies;
}

function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/m/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

/**
 * CSRF defence for POSTs: the custom header must be present (a cross-site form cannot set it and a
 * cross-site fetch that sets it needs a CORS preflight, which this API never grants), and a sent
 * Origin (or Sec-Fetch-Site) must say the request comes from the page's own origin.
 */
export function checkSameOrigin(request: HttpRequest): void {
  if (request.headers[CSRF_HEADER] !== "1")
    throw new ForbiddenError(`header ${CSRF_HEADER}: must be "1" on every state-changing request`);
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none")
    throw new ForbiddenError(`header sec-fetch-site: "${site.slice(0, 40)}" is not same-origin`);
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const host = request.headers.host ?? "";
  if (origin !== `https://${host}` && origin !== `http://${host}`)
    throw new ForbiddenError(`header origin: ${origin.slice(0, 100)} is not this site`);
}

function bodyOf(request: HttpRequest): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch (error) {
    throw new InvalidJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new InvalidRequestError("body must be a JSON object", [
      { field: "body", message: "expected an object" },
    ]);
  return parsed;
}

const noStore = (response: HttpResponse): HttpResponse => {
  response.headers["cache-control"] = "no-store";
  return response;
};

/** The merchant page's JSON API (see docs/contracts.md, "The merchant page's API"). */
export function merchantRoutes(deps: MerchantApiDeps): Route[] {
  const signedIn = (request: HttpRequest) => merchantOfSession(cookiesOf(request)[SESSION_COOKIE], deps);
  const post = (path: RegExp, run: (request: HttpRequest) => Promise<HttpResponse>): Route => ({
    method: "POST",
    pattern: path,
    run: async (_params, request) => {
      checkSameOrigin(request);
      return noStore(await run(request));
    },
  });
  return [
    post(/^\/m\/api\/sign-in$/, async (request) => {
      await requestSignInCode(bodyOf(request), deps);
      return json(202, { status: "accepted", message: "if this number is registered, a code is on its way" });
    }),
    post(/^\/m\/api\/verify$/, async (request) => {
      const { sessionId, session } = await verifySignInCode(bodyOf(request), deps);
      const response = json(200, {
        status: "signed-in",
        expiresAt: new Date(session.expiresAt * 1000).toISOString(),
      });
      response.headers["set-cookie"] = sessionCookie(sessionId, deps.policy.sessionHours * 3600);
      return response;
    }),
    post(/^\/m\/api\/sign-out$/, async (request) => {
      await signOut(cookiesOf(request)[SESSION_COOKIE], deps);
      const response = json(200, { status: "signed-out" });
      response.headers["set-cookie"] = sessionCookie("", 0);
      return response;
    }),
    {
      method: "GET",
      pattern: /^\/m\/api\/lookup$/,
      run: async (_params, request) =>
        noStore(json(200, await lookupPayments(await signedIn(request), request.rawQuery ?? "", deps))),
    },
    {
      method: "GET",
      pattern: /^\/m\/api\/outstanding$/,
      run: async (_params, request) =>
        noStore(json(200, await listOutstanding(await signedIn(request), request.rawQuery ?? "", deps))),
    },
    // The real-time check with WeChat Pay / Alipay (docs/merchant-page.md): reads only, no CSRF header needed.
    {
      method: "GET",
      pattern: /^\/m\/api\/platforms$/,
      run: async (_params, request) => noStore(json(200, await platformsOf(await signedIn(request), deps))),
    },
    {
      method: "GET",
      pattern: /^\/m\/api\/platform-check$/,
      run: async (_params, request) =>
        noStore(json(200, await checkWithPlatform(await signedIn(request), request.rawQuery ?? "", deps))),
    },
  ];
}
