import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AssetHashType, DockerImage, type ILocalBundling } from "aws-cdk-lib";
import { Code, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BuildOptions, buildSync } from "esbuild";

/** Every settlewatch function runs on this runtime (arm64, see settlewatch-function.ts). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** The bundle's file name (an ES module) and its export: Lambda's `handler` is `index.handler`. */
const BUNDLE_FILE = "index.mjs";
export const FUNCTION_HANDLER = "index.handler";

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

/** CommonJS dependencies bundled into an ES module still call require() for Node built-ins. */
export const FUNCTION_BUNDLE_BANNER =
  'import { createRequire as __settlewatchCreateRequire } from "node:module";const require = __settlewatchCreateRequire(import.meta.url);';

/**
 * The one esbuild configuration of every function: the construct bundles with it at synth
 * (`functionCode`), and bench/bundle-size.bench.ts feeds it to esbuild, so the benchmark measures
 * exactly what is deployed.
 */
export function esbuildOptionsFor(entry: string, outdir: string): BuildOptions & { outfile: string } {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    outfile: join(outdir, BUNDLE_FILE),
    minify: true,
    // Minified names are not kept (esbuild's keepNames wraps every function and class in a naming
    // call at init: about 8 % of a handler's import time, bench/bundle-size.bench.ts). Nothing
    // depends on them: every error class of ours sets `name` itself, and the libraries read
    // `constructor.name` only of built-ins or in messages (Powertools batch's processSync check,
    // which we do not call). Stack traces keep their names through the source maps (NODE_OPTIONS).
    keepNames: false,
    sourcemap: true,
    // The map only needs to point back into our sources; their text is in git, not in every zip.
    sourcesContent: false,
    // The AWS SDK is bundled instead of using the runtime's copy: the version we test is the version
    // that runs, and esbuild drops the clients and commands we do not use. So nothing is external.
    external: [],
    // Prefer ESM entry points (tree-shakeable); fall back to CommonJS.
    mainFields: ["module", "main"],
    banner: { js: FUNCTION_BUNDLE_BANNER },
    logLevel: "warning",
    alias: { ...FUNCTION_MODULE_ALIASES },
  };
}

/**
 * A function's code asset: the entry bundled by esbuild's API in this process at synth (no Docker,
 * no `npx esbuild` process per function), then `afterBundling` adds files beside the bundle (the
 * merchant page's). The asset is hashed by its output, so an unchanged bundle is not uploaded again.
 */
export function functionCode(options: {
  readonly repoRoot: string;
  readonly entry: string;
  readonly afterBundling?: ((outputDir: string) => void) | undefined;
}): Code {
  return Code.fromAsset(options.repoRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws (CDK requires an image regardless).
      image: DockerImage.fromRegistry("dummy"),
      local: new InProcessEsbuild(options.entry, options.afterBundling),
    },
  });
}

/**
 * CDK bundles an asset once per cache key, a hash of the asset's options as JSON: `entry`, an own
 * property, is what tells the functions' bundles apart (methods do not show in JSON).
 */
class InProcessEsbuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    private readonly afterBundling: ((outputDir: string) => void) | undefined,
  ) {}

  tryBundle(outputDir: string): boolean {
    buildSync(esbuildOptionsFor(this.entry, outputDir));
    this.afterBundling?.(outputDir);
    return true;
  }
}

/** Node reads the .map files only when asked; stack traces then point into functions/ sources. */
export const FUNCTION_NODE_OPTIONS = "--enable-source-maps";
