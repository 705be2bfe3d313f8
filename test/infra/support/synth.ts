import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type Stack, Stage } from "aws-cdk-lib";
import type { Deployment } from "../../../infra/config/deployment-schema.js";
import { REPO_ROOT } from "../../../infra/constructs/settlewatch-function.js";
import { addSettlewatch, type DeploymentStacks } from "../../../infra/settlewatch-app.js";

/** The feature flags and settings of cdk.json, so tests synthesize what `cdk synth` synthesizes. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** A fresh app in a temporary directory; `cleanup` removes the directory. */
export function testApp(context: Record<string, unknown> = {}): {
  app: App;
  outdir: string;
  cleanup: () => void;
} {
  const outdir = mkdtempSync(join(tmpdir(), "settlewatch-cdk-"));
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...context } });
  return { app, outdir, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

export interface SynthesizedDeployment extends DeploymentStacks {
  readonly outdir: string;
  readonly cleanup: () => void;
}

/**
 * Synthesizes one deployment, bundling included (esbuild, no Docker): slow, once per test file.
 * `bundling: false` skips the eight esbuild runs for a file that reads no function code.
 */
export function synthesizeDeployment(
  deployment: Deployment,
  options: { bundling?: boolean } = {},
): SynthesizedDeployment {
  const { app, outdir, cleanup } = testApp(
    options.bundling === false ? { "aws:cdk:bundling-stacks": [] } : {},
  );
  const [stacks] = addSettlewatch(app, [deployment]);
  if (!stacks) throw new Error("addSettlewatch returned no stacks");
  app.synth();
  return { ...stacks, outdir, cleanup };
}

/** What cdk-nag (through CDK's policy validation) reported: validation-report.json of the assembly. */
export interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{ ruleName: string; severity: string }>;
    suppressedViolations?: Array<{
      ruleName: string;
      reason: string;
      violatingConstructs: Array<{ constructPath: string }>;
    }>;
  }>;
}

export function readValidationReport(outdir: string): ValidationReport {
  return JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as ValidationReport;
}

/**
 * The annotations (`info`, `warning` or `error`) left on a stack, as texts, read from the assembly its
 * app already synthesized. Annotations.fromStack synthesizes the whole app again on every call
 * (`synth({ force: true })`, cdk-nag included): seconds each on a 2-core machine.
 */
export function stackMessages(stack: Stack, level: "info" | "warning" | "error"): string[] {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`stack ${stack.stackName} is in no app`);
  return stage
    .synth()
    .getStackArtifact(stack.artifactId)
    .messages.filter((message) => message.level === level)
    .map((message) => String(message.entry.data));
}
