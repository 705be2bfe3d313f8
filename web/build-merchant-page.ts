// Builds the merchant page (web/merchant) into the files served at /m/: index.html, and the
// script and style sheet under content-hashed names (cached for a year; the HTML is revalidated).
// Nothing is committed: `npm start` builds in memory, `cdk synth` writes the files into the page
// function's bundle (infra/constructs/merchant-page.ts), the tests and the bench build in memory.
//
//   node bin/run-ts.js web/build-merchant-page.ts <out-dir>
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, type BuildResult, build, buildSync } from "esbuild";
import { contentTypeOf, type PageAsset } from "../functions/http/merchant-page.js";

const SOURCE_DIR = fileURLToPath(new URL("./merchant/", import.meta.url));
/** Phones a few years old: ES2020 runs on Chrome 87+, Safari 15+ and the WeChat in-app browser. */
const BROWSER_TARGETS = ["es2020", "chrome87", "safari15"];

function hashed(name: string, body: string): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 10);
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

function bundleOptions(entry: string, loader: "ts" | "css"): BuildOptions & { write: false } {
  return {
    entryPoints: [join(SOURCE_DIR, entry)],
    bundle: true,
    write: false,
    minify: true,
    ...(loader === "ts" ? { format: "esm" as const } : {}),
    target: BROWSER_TARGETS,
    legalComments: "none",
    logLevel: "warning",
  };
}

function outputText(entry: string, result: BuildResult<{ write: false }>): string {
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}

/** The page's files, in memory: index.html first, then the hashed script and style sheet. */
function pageAssets(script: string, style: string): PageAsset[] {
  const scriptName = hashed("merchant.js", script);
  const styleName = hashed("merchant.css", style);
  const html = readFileSync(join(SOURCE_DIR, "index.html"), "utf8")
    .replace('href="merchant.css"', `href="/m/${styleName}"`)
    .replace('src="merchant.js"', `src="/m/${scriptName}"`);
  if (!html.includes(scriptName) || !html.includes(styleName)) {
    throw new Error("web/merchant/index.html must link merchant.css and merchant.js");
  }
  return [
    { name: "index.html", body: html },
    { name: scriptName, body: script },
    { name: styleName, body: style },
  ].map((file) => ({ ...file, contentType: contentTypeOf(file.name) }));
}

/** The page's files, built without blocking (the local monitor builds them on the first request). */
export async function buildMerchantPage(): Promise<PageAsset[]> {
  const [script, style] = await Promise.all([
    build(bundleOptions("main.ts", "ts")).then((result) => outputText("main.ts", result)),
    build(bundleOptions("merchant.css", "css")).then((result) => outputText("merchant.css", result)),
  ]);
  return pageAssets(script, style);
}

/**
 * Builds and writes the page's files into `dir` (the page function reads them from there at cold
 * start). Synchronous: CDK's local bundling, which calls it at synth, cannot wait for a promise.
 */
export function writeMerchantPage(dir: string): PageAsset[] {
  const text = (entry: string, loader: "ts" | "css") =>
    outputText(entry, buildSync(bundleOptions(entry, loader)));
  const assets = pageAssets(text("main.ts", "ts"), text("merchant.css", "css"));
  mkdirSync(dir, { recursive: true });
  for (const asset of assets) writeFileSync(join(dir, asset.name), asset.body);
  return assets;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error("usage: node bin/run-ts.js web/build-merchant-page.ts <out-dir>");
    process.exit(2);
  }
  const assets = writeMerchantPage(outDir);
  console.log(`merchant page: ${assets.map((a) => `${a.name} ${Buffer.byteLength(a.body)} B`).join(", ")}`);
}
