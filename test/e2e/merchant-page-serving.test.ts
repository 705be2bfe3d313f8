import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MERCHANT_PAGE_CSP } from "../../functions/http/merchant-page.js";
import type { LocalMonitor } from "../../local/monitor.js";
import { startTestMonitor } from "../support/monitor-http.js";

// The merchant page as `npm start` serves it: content types, the Content-Security-Policy, cache
// headers and revalidation, over the local monitor's HTTP server (the same routes as the page's
// Lambda on AWS: functions/http/merchant-page.ts).

describe("the merchant page served by the local monitor at /m/", () => {
  let monitor: LocalMonitor;
  let html: string;
  let assetPaths: string[];

  beforeAll(async () => {
    monitor = await startTestMonitor({
      tablePrefix: "page-serving",
      dynamoDbEndpoint: inject("dynamoDbEndpoint"),
    });
    html = await (await fetch(`${monitor.url}/m/`)).text();
    assetPaths = [...html.matchAll(/(?:src|href)="(\/m\/[^"]+)"/g)].map((match) => match[1] as string);
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  it("serves the HTML at /m/ and /m with the strict CSP, no-cache and an ETag", async () => {
    for (const path of ["/m/", "/m"]) {
      const response = await fetch(`${monitor.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("content-security-policy")).toBe(MERCHANT_PAGE_CSP);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("etag")).toMatch(/^"[\w-]{22}"$/);
      expect(await response.text()).toBe(html);
    }
    const csp = MERCHANT_PAGE_CSP.split("; ");
    expect(csp).toEqual(expect.arrayContaining(["default-src 'self'", "frame-ancestors 'none'"]));
    expect(MERCHANT_PAGE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it("links a hashed script and style sheet, and holds no inline script, style or handler", () => {
    expect(assetPaths).toHaveLength(2);
    expect(assetPaths.some((path) => /^\/m\/merchant\.[0-9a-f]{10}\.js$/.test(path))).toBe(true);
    expect(assetPaths.some((path) => /^\/m\/merchant\.[0-9a-f]{10}\.css$/.test(path))).toBe(true);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toMatch(/<html lang="zh-CN">/);
  });

  it("serves the script and style sheet with their types, the CSP and a year's immutable cache", async () => {
    let bytes = Buffer.byteLength(html);
    for (const path of assetPaths) {
      const response = await fetch(`${monitor.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(
        path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
      );
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("content-security-policy")).toBe(MERCHANT_PAGE_CSP);
      bytes += (await response.arrayBuffer()).byteLength;
    }
    // The whole first load (bodies; the browser-measured figure with headers is in the bench).
    expect(bytes).toBeLessThan(100 * 1024);
  });

  it("answers 304 with no body to a revalidation that names the current ETag", async () => {
    const etag = (await fetch(`${monitor.url}/m/`)).headers.get("etag") ?? "";
    const again = await fetch(`${monitor.url}/m/`, { headers: { "if-none-match": `W/"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const changed = await fetch(`${monitor.url}/m/`, { headers: { "if-none-match": '"stale"' } });
    expect(changed.status).toBe(200);
  });

  it("answers 404 for a file the page does not have, and 405 for another method", async () => {
    for (const path of ["/m/index.html", "/m/merchant.0000000000.js", "/m/%3Cscript%3E"]) {
      const response = await fetch(`${monitor.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: string }).error).toMatch(/no file|no route/);
    }
    const post = await fetch(`${monitor.url}/m/`, { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
  });
});
