import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "../use-cases/errors.js";
import type { HttpRequest, HttpResponse } from "./http-types.js";
import type { Route } from "./routes.js";

/** One file of the merchant page (built by web/build-merchant-page.ts). */
export interface PageAsset {
  /** "index.html", or a content-hashed name such as "merchant.3f2a9c0d1e.js". */
  name: string;
  contentType: string;
  body: string;
}

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

export function contentTypeOf(name: string): string {
  const type = CONTENT_TYPES[name.slice(name.lastIndexOf(".") + 1)];
  if (!type) throw new Error(`the merchant page has no content type for ${name}`);
  return type;
}

/**
 * The page's Content-Security-Policy: scripts, styles and API calls from this origin only, no
 * inline script or style, never framed (no clickjacking at the till), and Trusted Types required,
 * so the browser itself refuses any string written into an HTML sink (the page uses textContent).
 */
export const MERCHANT_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join("; ");

/** Headers on every page response. */
export const MERCHANT_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": MERCHANT_PAGE_CSP,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "strict-transport-security": "max-age=31536000",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/** The HTML is revalidated on every visit (its ETag answers 304); hashed files never change. */
const HTML_CACHE = "no-cache";
const HASHED_CACHE = "public, max-age=31536000, immutable";

function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
}

function serve(asset: PageAsset, etag: string, request: HttpRequest): HttpResponse {
  const headers = {
    ...MERCHANT_PAGE_HEADERS,
    "content-type": asset.contentType,
    "cache-control": asset.name === "index.html" ? HTML_CACHE : HASHED_CACHE,
    etag,
  };
  const known = request.headers["if-none-match"]?.split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (known?.includes(etag)) return { statusCode: 304, headers, body: "" };
  return { statusCode: 200, headers, body: asset.body };
}

/**
 * GET /m and /m/ (the page) and GET /m/<file> (its script and style sheet). `assets` is awaited on
 * the first request: the local monitor builds the page then; the Lambda has read it at cold start.
 */
export function merchantPageRoutes(assets: () => Promise<readonly PageAsset[]>): Route[] {
  let files: Promise<Map<string, { asset: PageAsset; etag: string }>> | undefined;
  const byName = () => {
    files ??= assets().then(
      (list) => new Map(list.map((asset) => [asset.name, { asset, etag: etagOf(asset.body) }])),
    );
    return files;
  };
  const file = async (name: string, request: HttpRequest) => {
    const found = (await byName()).get(name);
    if (!found || (name === "index.html" && request.path !== "/m" && request.path !== "/m/")) {
      throw new NotFoundError(`the merchant page has no file ${name.slice(0, 100)}`);
    }
    return serve(found.asset, found.etag, request);
  };
  return [
    { method: "GET", pattern: /^\/m\/?$/, run: (_params, request) => file("index.html", request) },
    { method: "GET", pattern: /^\/m\/([^/]+)$/, run: ([name], request) => file(name as string, request) },
  ];
}

/** The page's files as the build wrote them into `dir` (the page function's bundle). */
export function readPageAssets(dir: string): PageAsset[] {
  return readdirSync(dir)
    .filter((name) => /\.(html|js|css)$/.test(name))
    .map((name) => ({ name, contentType: contentTypeOf(name), body: readFileSync(join(dir, name), "utf8") }));
}
