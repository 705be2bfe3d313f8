import { Stack } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import {
  checkOverdueEnvSchema,
  ingestConfirmationsEnvSchema,
  notifyEnvSchema,
  operatorApiEnvSchema,
} from "../../functions/shared/env.js";
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

  const emailTopics = (stack: Stack, prefix = "settlewatch-test") => ({
    prefix,
    key: new kms.Key(stack, `TopicKey${prefix}`),
  });

  it("synthesizes when every variable is set", () => {
    expect(
      synthError((stack) =>
        operator(stack, plain)
          .bindTable(table, "RO")
          .bindParameter("CALENDAR_OVERRIDES_PARAMETER", "/p")
          .bindMerchantEmailTopics(emailTopics(stack), "register"),
      ),
    ).toBe("");
  });

  it("fails synth when a resource variable was never bound (bindTable forgotten)", () => {
    const error = synthError((stack) =>
      operator(stack, plain)
        .bindParameter("CALENDAR_OVERRIDES_PARAMETER", "/p")
        .bindMerchantEmailTopics(emailTopics(stack), "register"),
    );
    expect(error).toContain("TABLE_NAME is not set");
    expect(error).not.toContain("EMAIL_TOPIC");
  });

  it("fails synth when a value does not pass the handler's schema", () => {
    const error = synthError((stack) =>
      operator(stack, { ...plain, DUE_SHARDS: "0" })
        .bindTable(table, "RW")
        .bindParameter("CALENDAR_OVERRIDES_PARAMETER", "/p")
        .bindMerchantEmailTopics(emailTopics(stack, "bad prefix"), "register"),
    );
    expect(error).toContain("DUE_SHARDS");
    expect(error).toContain("EMAIL_TOPIC_PREFIX");
  });

  describe("values with tokens", () => {
    const notifier = (stack: Stack, environment: Record<string, string> = {}) =>
      new SettlewatchFunction(stack, "Notify", {
        entry: "functions/handlers/notify.handler.ts",
        description: "test",
        envSchema: notifyEnvSchema,
        environment: {
          DEPLOYMENT: "test",
          POWERTOOLS_SERVICE_NAME: "settlewatch",
          POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
          ...environment,
        },
        logRetention: RetentionDays.ONE_WEEK,
      })
        .bindTable(table, "RW")
        .bindTopicPublisher("OPS_TOPIC_ARN", new sns.Topic(stack, "Ops"));

    it("checks a value built from pseudo parameters (the SNS ARN prefix, account unknown) with samples", () => {
      // SNS_TOPIC_ARN_PREFIX is arn:<partition>:sns:cn-north-1:${AWS::AccountId}: — checked as ...:123456789012:
      expect(
        synthError((stack) => notifier(stack).bindMerchantEmailTopics(emailTopics(stack), "publish")),
      ).toBe("");
    });

    it("rejects a value made of pseudo parameters whose sample does not pass the schema", () => {
      const error = synthError((stack) =>
        operator(stack, { ...plain, DUE_SHARDS: `${stack.account}` })
          .bindTable(table, "RW")
          .bindParameter("CALENDAR_OVERRIDES_PARAMETER", "/p")
          .bindMerchantEmailTopics(emailTopics(stack), "register"),
      );
      expect(error).toContain('DUE_SHARDS: Too big: expected number to be <=256 (checked as "123456789012")');
    });

    it("leaves values that name a resource (queue URL, topic ARN) to their bind method", () => {
      // NOTICE_QUEUE_URL is {Ref: queue}: z.url() could not accept it before deploy.
      const error = synthError((stack) => {
        new SettlewatchFunction(stack, "Check", {
          entry: "functions/handlers/check-overdue.handler.ts",
          description: "test",
          envSchema: checkOverdueEnvSchema,
          environment: {
            ...plain,
            ESCALATION_HOURS: "[0]",
            SETTLEMENT_FILE_EXPECTATIONS: "{}",
            ACQUIRER_CONTACTS: "{}",
          },
          logRetention: RetentionDays.ONE_WEEK,
        })
          .bindTable(table, "RW")
          .bindQueueSender("NOTICE_QUEUE_URL", new sqs.Queue(stack, "Notices"));
      });
      expect(error).toBe("");
    });

    it("lets optional variables be left out, and checks them when set", () => {
      const error = synthError((stack) =>
        notifier(stack, { SMS_SENDER_ID: "far-too-long-sender" }).bindMerchantEmailTopics(
          emailTopics(stack),
          "publish",
        ),
      );
      expect(error).toContain("SMS_SENDER_ID");
      expect(error).not.toContain("SMS_MAX_PRICE_USD");
    });
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
