import { Stack } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { describe, expect, it } from "vitest";
import { ingestConfirmationsEnvSchema, operatorApiEnvSchema } from "../../functions/shared/env.js";
import { SettlewatchFunction } from "../../infra/constructs/settlewatch-function.js";
import { testApp } from "./support/synth.js";

// These apps skip bundling (`aws:cdk:bundling-stacks: []`): only the environment checks are under test.
const table = {
  tableName: "settlewatch-table",
  tableArn: "arn:aws:dynamodb:cn-north-1:111122223333:table/t",
};
const plain = {
  DEPLOYMENT: "test",
  DUE_SHARDS: "16",
  DEFAULT_MERCHANT_TERMS: JSON.stringify({
    timeZone: "Asia/Shanghai",
    calendar: "CN",
    settlement: { cycle: "T+1" },
  }),
  POWERTOOLS_SERVICE_NAME: "settlewatch",
  POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
};

function synthError(build: (stack: Stack) => void): string {
  const { app, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
  build(new Stack(app, "Test", { env: { region: "cn-north-1" } }));
  try {
    app.synth();
    return "";
  } catch (error) {
    return String(error);
  } finally {
    cleanup();
  }
}

describe("SettlewatchFunction environment", () => {
  const operator = (stack: Stack, environment: typeof plain) =>
    new SettlewatchFunction(stack, "Operator", {
      entry: "functions/handlers/operator-api.handler.ts",
      description: "test",
      envSchema: operatorApiEnvSchema,
      environment,
      logRetention: RetentionDays.ONE_WEEK,
    });

  it("synthesizes when every variable is set", () => {
    expect(
      synthError((stack) =>
        operator(stack, plain).bindTable(table, "RO").bindParameter("CALENDAR_OVERRIDES_PARAMETER", "/p"),
      ),
    ).toBe("");
  });

  it("fails synth when a resource variable was never bound (bindTable forgotten)", () => {
    const error = synthError((stack) =>
      operator(stack, plain).bindParameter("CALENDAR_OVERRIDES_PARAMETER", "/p"),
    );
    expect(error).toContain("TABLE_NAME is not set");
  });

  it("fails synth when a value does not pass the handler's schema", () => {
    const error = synthError((stack) =>
      operator(stack, { ...plain, DUE_SHARDS: "0" })
        .bindTable(table, "RW")
        .bindParameter("CALENDAR_OVERRIDES_PARAMETER", "/p"),
    );
    expect(error).toContain("DUE_SHARDS");
  });

  it("refuses a parameter name that is not fully qualified", () => {
    expect(() =>
      synthError((stack) => operator(stack, plain).bindParameter("CALENDAR_OVERRIDES_PARAMETER", "p")),
    ).toThrow(/fully qualified/);
  });

  it("makes a missing plain variable, or a variable of another function, a compile error", () => {
    // `npm run typecheck` proves these @ts-expect-error lines are errors; at runtime synth rejects them too.
    const { DEPLOYMENT: _omitted, ...withoutDeployment } = plain;
    const error = synthError((stack) => {
      new SettlewatchFunction(stack, "Ingest", {
        entry: "functions/handlers/ingest-confirmations.handler.ts",
        description: "test",
        envSchema: ingestConfirmationsEnvSchema,
        // @ts-expect-error DEPLOYMENT is missing
        environment: withoutDeployment,
        logRetention: RetentionDays.ONE_WEEK,
      }).bindTable(table, "RW");
      // @ts-expect-error the operator API has no WEBHOOK_SECRETS_ID in its schema
      operator(stack, plain).bindSecret("WEBHOOK_SECRETS_ID", { secretArn: "arn:aws:secretsmanager:x" });
    });
    expect(error).toContain("DEPLOYMENT is not set");
    expect(error).toContain("WEBHOOK_SECRETS_ID is not in the env schema");
  });
});
