import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MERCHANT_PAGE_CSP } from "../../functions/http/merchant-page.js";
import { esbuildOptionsFor } from "../../infra/constructs/bundling.js";
import { addMerchantPageToBundle, MERCHANT_PAGE_BUNDLE_DIR } from "../../infra/constructs/merchant-page.js";
import { REPO_ROOT } from "../../infra/constructs/settlewatch-function.js";
import { type HttpApiHandler, httpApiEvent, lambdaContext } from "../support/http-api-event.js";

// The page's Lambda as deployed: bundled with the functions' esbuild options, its page files added
// by the same function the CDK construct runs after bundling, then invoked with HTTP API events.

describe("merchant page Lambda (the deployed bundle)", () => {
  const outDir = mkdtempSync(join(tmpdir(), "settlewatch-page-bundle-"));
  let handler: HttpApiHandler;
  const get = async (rawPath: string, headers: Record<string, string> = {}) => {
    const event = httpApiEvent({ method: "GET", path: rawPath, headers, routeKey: "GET /m/{file}" });
    const result = await handler(event, lambdaContext("merchant-page"));
    return { status: result.statusCode ?? 0, headers: result.headers ?? {}, body: String(result.body ?? "") };
  };

  beforeAll(async () => {
    const options = esbuildOptionsFor(join(REPO_ROOT, "functions/handlers/merchant-page.handler.ts"), outDir);
    await build(options);
    addMerchantPageToBundle(outDir);
    Object.assign(process.env, {
      DEPLOYMENT: "test",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    ({ handler } = await import(pathToFileURL(options.outfile).href));
  }, 120_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("carries the page's three files beside index.mjs", () => {
    const files = readdirSync(join(outDir, MERCHANT_PAGE_BUNDLE_DIR)).sort();
    expect(files).toHaveLength(3);
    expect(files[0]).toBe("index.html");
    expect(
      files
        .slice(1)
        .map((name) => name.replace(/\.[0-9a-f]{10}\./, ".*."))
        .sort(),
    ).toEqual(["merchant.*.css", "merchant.*.js"]);
  });

  it("serves the HTML and its files with the CSP, types and cache headers; 304 on a matching ETag", async () => {
    const page = await get("/m/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toBe(MERCHANT_PAGE_CSP);
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect((await get("/m")).body).toBe(page.body);
    const linked = [...page.body.matchAll(/(?:src|href)="(\/m\/[^"]+)"/g)].map((match) => match[1] as string);
    expect(linked).toHaveLength(2);
    for (const path of linked) {
      const file = await get(path);
      expect(file.status, path).toBe(200);
      expect(file.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(file.headers["content-type"]).toMatch(path.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
    }
    const revalidated = await get("/m/", { "if-none-match": String(page.headers.etag) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBe("");
  });

  it("answers 404 for any other file", async () => {
    const missing = await get("/m/merchant.0000000000.js");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: expect.stringMatching(/no file/) });
  });
});
