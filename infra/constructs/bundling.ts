import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, LogLevel, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import type { BuildOptions } from "esbuild";

/** Every settlewatch function runs on this runtime (arm64, see settlewatch-function.ts). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Modules replaced in every bundle (esbuild's alias), each by a module that does what the function
 * needs of it in Lambda. The SDK's default credential chain becomes the environment's credentials:
 * see functions/shared/lambda-credential-provider.ts.
 */
export const FUNCTION_MODULE_ALIASES = {
  "@aws-sdk/credential-provider-node": resolve(
    dirname(fileURLToPath(import.meta.url)),
    "../../functions/shared/lambda-credential-provider.ts",
  ),
} as const;

/**
 * The one esbuild configuration of every function. The construct hands it to NodejsFunction, and
 * bench/bundle-size.bench.ts feeds it to esbuild through `esbuildOptionsFor`, so the benchmark
 * measures exactly what is deployed.
 */
export const FUNCTION_BUNDLING = {
  format: OutputFormat.ESM,
  target: "node24",
  minify: true,
  // Minified names are not kept (esbuild's keepNames wraps every function and class in a naming call
  // at init: about 8 % of a handler's import time, bench/bundle-size.bench.ts). Nothing depends on
  // them: every error class of ours sets `name` itself, and the libraries read `constructor.name`
  // only of built-ins or in messages (Powertools batch's processSync check, which we do not call).
  // Stack traces keep their function names through the source maps (NODE_OPTIONS below).
  keepNames: false,
  sourceMap: true,
  // The map only needs to point back into our sources; their text is in git, not in every zip.
  sourcesContent: false,
  // Bundle the AWS SDK instead of using the runtime's copy: the version we test is the version that
  // runs, and esbuild drops the clients and commands we do not use.
  bundleAwsSDK: true,
  externalModules: [],
  // Prefer ESM entry points (tree-shakeable); fall back to CommonJS.
  mainFields: ["module", "main"],
  // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
  banner:
    'import { createRequire as __settlewatchCreateRequire } from "node:module";const require = __settlewatchCreateRequire(import.meta.url);',
  logLevel: LogLevel.WARNING,
  esbuildArgs: Object.fromEntries(
    Object.entries(FUNCTION_MODULE_ALIASES).map(([from, to]) => [`--alias:${from}`, to]),
  ),
} as const satisfies BundlingOptions;

/** Node reads the .map files only when asked; stack traces then point into functions/ sources. */
export const FUNCTION_NODE_OPTIONS = "--enable-source-maps";

/**
 * The esbuild options NodejsFunction derives from FUNCTION_BUNDLING (see aws-lambda-nodejs'
 * bundling.ts: `esbuild --bundle <entry> --target --platform=node --format --outfile=index.mjs ...`).
 */
export function esbuildOptionsFor(entry: string, outdir: string): BuildOptions & { outfile: string } {
  const bundling = FUNCTION_BUNDLING;
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: bundling.target,
    format: bundling.format,
    outfile: join(outdir, "index.mjs"),
    minify: bundling.minify,
    keepNames: bundling.keepNames,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    external: [...bundling.externalModules],
    mainFields: [...bundling.mainFields],
    banner: { js: bundling.banner },
    logLevel: bundling.logLevel,
    alias: { ...FUNCTION_MODULE_ALIASES },
  };
}
