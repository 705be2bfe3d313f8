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
import { build } from "esbuild";
import { contentTypeOf, type PageAsset } from "../functions/http/merchant-page.js";

const SOURCE_DIR = fileURLToPath(new URL("./merchant/", import.meta.url));
/** Phones a few years old: ES2020 runs on Chrome 87+, Safari 15+ and the WeChat in-app browser. */
const BROWSER_TARGETS = ["es2020", "chrome87", "safari15"];

function hashed(name: string, body: string): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 10);
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

async function bundle(entry: string, loader: "ts" | "css"): Promise<string> {
  const result = await build({
    entryPoints: [join(SOURCE_DIR, entry)],
    bundle: true,
    write: false,
    minify: true,
    ...(loader === "ts" ? { format: "esm" as const } : {}),
    target: BROWSER_TARGETS,
    legalComments: "none",
    logLevel: "warning",
  });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}

/** The page's files, in memory: index.html first, then the hashed script and style sheet. */
export async function buildMerchantPage(): Promise<PageAsset[]> {
  const script = await bundle("main.ts", "ts");
  const style = await bundle("merchant.css", "css");
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

/** Writes the page's files into `dir` (the page function reads them from there at cold start). */
export async function writeMerchantPage(dir: string): Promise<PageAsset[]> {
  const assets = await buildMerchantPage();
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
  const assets = await writeMerchantPage(outDir);
  console.log(`merchant page: ${assets.map((a) => `${a.name} ${Buffer.byteLength(a.body)} B`).join(", ")}`);
}
