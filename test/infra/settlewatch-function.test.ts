import { Stack, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as kms from "aws-cdk-lib/aws-kms";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import {
  checkOverdueEnvSchema,
  ingestConfirmationsEnvSchema,
  ingestSettlementFileEnvSchema,
  notifyEnvSchema,
  operatorApiEnvSchema,
} from "../../functions/shared/env.js";
import {
  SETTLEMENT_STORE_INDEXES,
  SettlewatchFunction,
} from "../../infra/constructs/settlewatch-function.js";
import { readValidationReport, testApp } from "./support/synth.js";

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
  INPUT_LIMITS: "{}",
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
      environment: { ...environment, ACQUIRERS_WITHOUT_ORDER_INDEX: "[]" },
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
          DUE_SHARDS: "16",
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
        environment: { ...withoutDeployment, ACQUIRERS_WITHOUT_ORDER_INDEX: "[]" },
        logRetention: RetentionDays.ONE_WEEK,
      }).bindTable(table, "RW");
      // @ts-expect-error the operator API has no WEBHOOK_SECRETS_ID in its schema
      operator(stack, plain).bindSecret("WEBHOOK_SECRETS_ID", { secretArn: "arn:aws:secretsmanager:x" });
    });
    expect(error).toContain("DEPLOYMENT is not set");
    expect(error).toContain("WEBHOOK_SECRETS_ID is not in the env schema");
  });
});

describe("SettlewatchFunction grants", () => {
  const bucket = {
    bucketName: "settlewatch-files",
    bucketArn: "arn:aws:s3:::settlewatch-files",
  };
  const fileIngest = (stack: Stack, environment: Partial<Record<"ACQUIRER_CSV_MAPPINGS", string>> = {}) =>
    new SettlewatchFunction(stack, "Files", {
      entry: "functions/handlers/ingest-settlement-file.handler.ts",
      description: "test",
      envSchema: ingestSettlementFileEnvSchema,
      environment: { ...plain, ACQUIRER_CSV_MAPPINGS: "[]", ...environment },
      logRetention: RetentionDays.ONE_WEEK,
    });
  /** The statements of the function's role, after a synth that must succeed. */
  function statements(build: (stack: Stack) => void): Array<Record<string, unknown>> {
    const { app, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
    const stack = new Stack(app, "Test", { env: { region: "cn-north-1" } });
    build(stack);
    try {
      app.synth();
      const policies = Template.fromStack(stack).findResources("AWS::IAM::Policy");
      return Object.values(policies).flatMap(
        (policy) =>
          (policy.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } })
            .PolicyDocument.Statement,
      );
    } finally {
      cleanup();
    }
  }

  it("queries the indexes it is told to (the settlement store's three), due and order by default", () => {
    const queried = (indexes?: typeof SETTLEMENT_STORE_INDEXES) =>
      statements((stack) =>
        fileIngest(stack)
          .bindTable(table, "RW", indexes ? { indexes } : {})
          .bindBucketReader("SETTLEMENT_BUCKET", bucket, "incoming/")
          .bindQueueSender("NOTICE_QUEUE_URL", new sqs.Queue(stack, "Notices")),
      ).find((statement) => statement.Action === "dynamodb:Query")?.Resource;
    expect(queried()).toEqual([`${table.tableArn}/index/due`, `${table.tableArn}/index/order`]);
    expect(queried(SETTLEMENT_STORE_INDEXES)).toEqual(
      ["amount", "due", "order"].map((index) => `${table.tableArn}/index/${index}`),
    );
  });

  it("grants DeleteItem only on the listed partitions, and only with read/write access", () => {
    const found = statements((stack) =>
      fileIngest(stack)
        .bindTable(table, "RW", { deletablePartitions: ["HELDCREDIT#*"] })
        .bindBucketReader("SETTLEMENT_BUCKET", bucket, "incoming/")
        .bindQueueSender("NOTICE_QUEUE_URL", new sqs.Queue(stack, "Notices")),
    ).filter((statement) => JSON.stringify(statement.Action).includes("DeleteItem"));
    expect(found).toEqual([
      {
        Effect: "Allow",
        Action: "dynamodb:DeleteItem",
        Resource: table.tableArn,
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["HELDCREDIT#*"] } },
      },
    ]);
    expect(() =>
      synthError((stack) => fileIngest(stack).bindTable(table, "RO", { deletablePartitions: ["X#*"] })),
    ).toThrow(/needs "RW"/);
    expect(() =>
      synthError((stack) => fileIngest(stack).bindTable(table, "RW", { indexes: ["due", "due"] })),
    ).toThrow(/distinct index names/);
  });

  it("reads a bucket under one prefix only: GetObject and GetObjectVersion on its objects, Decrypt on its key", () => {
    const found = statements((stack) => {
      const key = new kms.Key(stack, "FilesKey");
      fileIngest(stack)
        .bindTable(table, "RW")
        .bindBucketReader("SETTLEMENT_BUCKET", { ...bucket, encryptionKey: key }, "incoming/")
        .bindQueueSender("NOTICE_QUEUE_URL", new sqs.Queue(stack, "Notices"));
    });
    expect(found).toContainEqual({
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: "arn:aws:s3:::settlewatch-files/incoming/*",
    });
    expect(JSON.stringify(found)).not.toMatch(/s3:(List|Put|Delete)/);
    expect(found).toContainEqual(
      expect.objectContaining({
        Action: "kms:Decrypt",
        Resource: { "Fn::GetAtt": [expect.stringMatching(/^FilesKey/), "Arn"] },
      }),
    );
    for (const prefix of ["incoming", "/incoming/", "incoming/*", ""])
      expect(() =>
        synthError((stack) => fileIngest(stack).bindBucketReader("SETTLEMENT_BUCKET", bucket, prefix)),
      ).toThrow(/folder path ending in/);
  });

  it("acknowledges exactly its object wildcard for cdk-nag, for a bucket of the same stack too", () => {
    const { app, outdir, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, "Test", { env: { region: "cn-north-1" } });
    const sameStackBucket = new s3.Bucket(stack, "Bucket");
    fileIngest(stack)
      .bindTable(table, "RW")
      .bindBucketReader("SETTLEMENT_BUCKET", sameStackBucket, "incoming/")
      .bindQueueSender("NOTICE_QUEUE_URL", new sqs.Queue(stack, "Notices"));
    try {
      try {
        app.synth();
      } catch {
        // Findings on the test's own bucket and queue fail synth; the report is written anyway.
      }
      const nag = readValidationReport(outdir).pluginReports.find((r) => r.pluginName === "AwsSolutions");
      const wildcard = "AwsSolutions-IAM5[Resource::<Bucket";
      expect(nag?.violations.map((v) => v.ruleName).filter((rule) => rule.startsWith(wildcard))).toEqual([]);
      expect(
        nag?.suppressedViolations?.map((v) => v.ruleName).filter((rule) => rule.startsWith(wildcard)),
      ).toEqual([expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Bucket\w+\.Arn>\/incoming\/\*\]$/)]);
    } finally {
      cleanup();
    }
  });

  it("fails synth when the environment is over Lambda's 4 KB", () => {
    const error = synthError((stack) =>
      fileIngest(stack, { ACQUIRER_CSV_MAPPINGS: JSON.stringify([{ acquirer: "x".repeat(4000) }]) })
        .bindTable(table, "RW")
        .bindBucketReader("SETTLEMENT_BUCKET", bucket, "incoming/")
        .bindQueueSender("NOTICE_QUEUE_URL", new sqs.Queue(stack, "Notices")),
    );
    expect(error).toMatch(/environment of Files: \d+ bytes of variables/);
  });
});
