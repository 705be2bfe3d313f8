import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { esbuildOptionsFor } from "../../infra/constructs/bundling.js";
import { REPO_ROOT } from "../../infra/constructs/settlewatch-function.js";

// The Lambda bundles replace the SDK's default credential chain with the environment's credentials
// (what Lambda gives every function). Bundled exactly as the CDK construct bundles (esbuildOptionsFor;
// test/infra/settlewatch-stacks.test.ts proves the deployed bundle is byte-identical).

const dir = mkdtempSync(join(tmpdir(), "settlewatch-bundling-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("function bundles: AWS SDK credentials", () => {
  it("resolve from the Lambda environment, and carry none of the chain's other providers or clients", async () => {
    const entry = join(dir, "credentials.handler.ts");
    writeFileSync(
      entry,
      `import { S3Client } from ${JSON.stringify(join(REPO_ROOT, "node_modules/@aws-sdk/client-s3/dist-es/index.js"))};
export const credentials = () => new S3Client({ region: "eu-west-1" }).config.credentials();\n`,
    );
    const options = esbuildOptionsFor(entry, join(dir, "out"));
    await build({ ...options, logLevel: "error" });
    const bundle = readFileSync(options.outfile, "utf8");
    for (const gone of ["fromSSO", "fromIni", "fromProcess", "fromTokenFile", "AssumeRoleWithWebIdentity"])
      expect(bundle, gone).not.toContain(gone);

    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: "AKIDLAMBDA",
        AWS_SECRET_ACCESS_KEY: "lambda-secret",
        AWS_SESSION_TOKEN: "lambda-token",
      });
      const { credentials } = (await import(pathToFileURL(options.outfile).href)) as {
        credentials: () => Promise<Record<string, unknown>>;
      };
      expect(await credentials()).toMatchObject({
        accessKeyId: "AKIDLAMBDA",
        secretAccessKey: "lambda-secret",
        sessionToken: "lambda-token",
      });
      delete process.env.AWS_ACCESS_KEY_ID;
      await expect(credentials()).rejects.toThrow("Unable to find environment variable credentials");
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }, 120_000);
});
