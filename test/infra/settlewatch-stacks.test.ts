import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CfnElement, Duration, type Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Schedule } from "aws-cdk-lib/aws-events";
import type { IConstruct } from "constructs";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfigFromEnv } from "../../functions/shared/check-config.js";
import {
  checkOverdueEnvSchema,
  envKeys,
  ingestSettlementFileEnvSchema,
  notifyEnvSchema,
} from "../../functions/shared/env.js";
import { TIME_TO_LIVE_ATTRIBUTE, tableDefinition } from "../../functions/shared/table-schema.js";
import { merchantEmailTopicPrefix } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { esbuildOptionsFor, FUNCTION_BUNDLE_BANNER } from "../../infra/constructs/bundling.js";
import { PINNED_LOGICAL_IDS } from "../../infra/constructs/pinned-logical-ids.js";
import { REPO_ROOT } from "../../infra/constructs/settlewatch-function.js";
import {
  readValidationReport,
  type SynthesizedDeployment,
  stackMessages,
  synthesizeDeployment,
} from "./support/synth.js";

// One synth (with esbuild bundling) for the whole file: this machine has two cores.
const deployment = loadDeployments().find((d) => d.name === "cn-example");
if (!deployment) throw new Error("the cn-example deployment is missing from infra/config/deployments.ts");

let synth: SynthesizedDeployment;
let data: Template;
let api: Template;
let notifications: Template;
let files: Template;

beforeAll(() => {
  synth = synthesizeDeployment(deployment);
  data = Template.fromStack(synth.data);
  api = Template.fromStack(synth.api);
  notifications = Template.fromStack(synth.notifications);
  files = Template.fromStack(synth.settlementFiles);
}, 180_000);

afterAll(() => synth?.cleanup());

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
const resources = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
/** Logical ID, in its stack, of an L2 construct's CloudFormation resource. */
const logicalId = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const apiId = (construct: IConstruct) => logicalId(synth.api, construct);
/** The merchant page's function and API function (cn-example leaves the page on). */
const merchantPageOf = () => {
  const { merchantApi, merchantPage } = synth.api;
  if (!merchantApi || !merchantPage) throw new Error("cn-example has the merchant page switched off");
  return { merchantApi, merchantPage };
};
const notificationsId = (construct: IConstruct) => logicalId(synth.notifications, construct);
const filesId = (construct: IConstruct) => logicalId(synth.settlementFiles, construct);
/** The stack a construct is in (API, notifications or settlement files: the stacks with functions). */
const stackOf = (construct: IConstruct): Stack =>
  [synth.notifications, synth.settlementFiles].find((stack) => construct.node.scopes.includes(stack)) ??
  synth.api;
/** The template of the stack a construct is in. */
const templateOf = (construct: IConstruct): Template =>
  stackOf(construct) === synth.notifications
    ? notifications
    : stackOf(construct) === synth.settlementFiles
      ? files
      : api;
interface DeployedFunction {
  readonly function: IConstruct;
  readonly role: IConstruct;
  readonly logGroup: IConstruct;
}
const byName =
  <T extends Record<string, unknown>>(key: keyof T) =>
  (a: T, b: T) =>
    String(a[key]).localeCompare(String(b[key]));

describe("data stack", () => {
  it("keeps the table's logical ID pinned (a new ID would orphan the table and start an empty one)", () => {
    expect(resources(data).SettlewatchTable?.Type).toBe("AWS::DynamoDB::Table");
    expect(resources(data).SettlewatchDataKey?.Type).toBe("AWS::KMS::Key");
    expect(resources(data).SettlewatchWebhookSecrets?.Type).toBe("AWS::SecretsManager::Secret");
    expect(resources(data).SettlewatchNotificationsKey?.Type).toBe("AWS::KMS::Key");
    expect(resources(data).SettlewatchSettlementFilesKey?.Type).toBe("AWS::KMS::Key");
    expect(resources(data).SettlewatchSettlementFileQueueKey?.Type).toBe("AWS::KMS::Key");
    expect(resources(data).SettlewatchSettlementFilesBucket?.Type).toBe("AWS::S3::Bucket");
    expect(resources(data).SettlewatchSettlementFilesAccessLogs?.Type).toBe("AWS::S3::Bucket");
    expect(resources(data).SettlewatchSettlementFileQueue?.Type).toBe("AWS::SQS::Queue");
    expect(resources(data).SettlewatchSettlementFileDeadLetterQueue?.Type).toBe("AWS::SQS::Queue");
    data.resourceCountIs("AWS::DynamoDB::Table", 1);
    data.resourceCountIs("AWS::KMS::Key", 4);
    data.resourceCountIs("AWS::S3::Bucket", 2);
    data.resourceCountIs("AWS::SQS::Queue", 2);
  });

  it("mirrors functions/shared/table-schema.ts tableDefinition exactly", () => {
    const table = resources(data).SettlewatchTable?.Properties ?? {};
    type Attribute = { AttributeName: string; AttributeType: string };
    type Index = { IndexName: string };
    expect(table.KeySchema).toEqual(tableDefinition.KeySchema);
    expect([...(table.AttributeDefinitions as Attribute[])].sort(byName("AttributeName"))).toEqual(
      [...tableDefinition.AttributeDefinitions].sort(byName("AttributeName")),
    );
    expect([...(table.GlobalSecondaryIndexes as Index[])].sort(byName("IndexName"))).toEqual(
      [...tableDefinition.GlobalSecondaryIndexes].sort(byName("IndexName")),
    );
    expect(table.BillingMode).toBe(tableDefinition.BillingMode);
    expect(table.StreamSpecification).toEqual({
      StreamViewType: tableDefinition.StreamSpecification.StreamViewType,
    });
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: TIME_TO_LIVE_ATTRIBUTE, Enabled: true });
    expect(table.LocalSecondaryIndexes).toBeUndefined();
  });

  it("retains the table, key and secret, with PITR, deletion protection and the customer-managed key", () => {
    for (const id of [
      "SettlewatchTable",
      "SettlewatchDataKey",
      "SettlewatchWebhookSecrets",
      "SettlewatchNotificationsKey",
      "SettlewatchSettlementFilesKey",
      "SettlewatchSettlementFileQueueKey",
      "SettlewatchSettlementFilesBucket",
      "SettlewatchSettlementFilesAccessLogs",
    ]) {
      expect(resources(data)[id]?.DeletionPolicy, id).toBe("Retain");
      expect(resources(data)[id]?.UpdateReplacePolicy, id).toBe("Retain");
    }
    expect(resources(data).SettlewatchTable?.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: {
        SSEEnabled: true,
        SSEType: "KMS",
        KMSMasterKeyId: { "Fn::GetAtt": ["SettlewatchDataKey", "Arn"] },
      },
    });
    expect(resources(data).SettlewatchDataKey?.Properties).toMatchObject({ EnableKeyRotation: true });
    for (const key of [
      "SettlewatchNotificationsKey",
      "SettlewatchSettlementFilesKey",
      "SettlewatchSettlementFileQueueKey",
    ])
      expect(resources(data)[key]?.Properties, key).toMatchObject({ EnableKeyRotation: true });
  });

  it("lets CloudWatch use the notifications key (alarms publish to the encrypted ops topic), not the data key", () => {
    type KeyPolicy = { Statement: Array<{ Principal: unknown; Action: unknown; Sid?: string }> };
    const policy = (id: string) => resources(data)[id]?.Properties.KeyPolicy as KeyPolicy;
    expect(policy("SettlewatchNotificationsKey").Statement).toContainEqual({
      Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    });
    const services = (id: string) =>
      policy(id)
        .Statement.map((statement) => JSON.stringify(statement.Principal))
        .filter((principal) => principal.includes("Service"));
    expect(services("SettlewatchNotificationsKey")).toHaveLength(1);
    expect(services("SettlewatchDataKey")).toEqual([]);
    // The files key is used by callers through IAM only (uploaders, the ingest function); S3 uses
    // the queue key to encrypt notifications (see the settlement files tests).
    expect(services("SettlewatchSettlementFilesKey")).toEqual([]);
  });

  it("creates the webhook secret under the configured name, encrypted with the data key", () => {
    expect(resources(data).SettlewatchWebhookSecrets?.Properties).toMatchObject({
      Name: deployment.webhookSecretName,
      KmsKeyId: { "Fn::GetAtt": ["SettlewatchDataKey", "Arn"] },
      // Constant, so CloudFormation never regenerates (overwrites) the value ops put in.
      GenerateSecretString: { SecretStringTemplate: "{}", GenerateStringKey: "placeholder-not-an-acquirer" },
    });
  });
});

describe("settlement files: bucket and notification queue (data stack)", () => {
  const byId = (id: string) => resources(data)[id];
  const bucketArn = { "Fn::GetAtt": [PINNED_LOGICAL_IDS.settlementFilesBucket, "Arn"] };
  const ofType = (type: string) => Object.values(resources(data)).filter((r) => r.Type === type);
  type Statement = {
    Effect: string;
    Principal?: unknown;
    Action: unknown;
    Condition?: unknown;
    Resource?: unknown;
  };
  const policyOf = (type: string, property: string, target: unknown): Statement[] => {
    const found = ofType(type).filter((r) =>
      JSON.stringify(r.Properties[property]).includes(JSON.stringify(target)),
    );
    expect(found, `${type} of ${JSON.stringify(target)}`).toHaveLength(1);
    const document = found[0]?.Properties.PolicyDocument as { Statement: Statement[] } | undefined;
    return document?.Statement ?? [];
  };
  const denyPlainTransport = (resource: unknown) => ({
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: "s3:*",
    Condition: { Bool: { "aws:SecureTransport": "false" } },
    Resource: resource,
  });

  it("encrypts the files with their own customer-managed key (bucket key on), versioned, private", () => {
    expect(byId(PINNED_LOGICAL_IDS.settlementFilesBucket)?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: "aws:kms",
              KMSMasterKeyID: { "Fn::GetAtt": [PINNED_LOGICAL_IDS.settlementFilesKey, "Arn"] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: "Enabled" },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: PINNED_LOGICAL_IDS.settlementFilesAccessLogsBucket },
        LogFilePrefix: "settlement-files/",
      },
    });
  });

  it("expires overwritten versions after the configured days and keeps current files (no retention set)", () => {
    const lifecycle = byId(PINNED_LOGICAL_IDS.settlementFilesBucket)?.Properties.LifecycleConfiguration as
      | { Rules: unknown[] }
      | undefined;
    const rules = lifecycle?.Rules;
    expect(deployment.settlementFiles.retentionDays).toBeUndefined();
    expect(rules).toEqual([
      {
        Id: "expire-noncurrent-versions",
        Status: "Enabled",
        NoncurrentVersionExpiration: { NoncurrentDays: deployment.settlementFiles.noncurrentVersionDays },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
      { Id: "remove-expired-delete-markers", Status: "Enabled", ExpiredObjectDeleteMarker: true },
    ]);
  });

  it("refuses anything but TLS 1.2+ on the files bucket and grants nothing in its policy", () => {
    const statements = policyOf("AWS::S3::BucketPolicy", "Bucket", {
      Ref: PINNED_LOGICAL_IDS.settlementFilesBucket,
    });
    const both = [bucketArn, { "Fn::Join": ["", [bucketArn, "/*"]] }];
    expect(statements).toEqual([
      denyPlainTransport(both),
      {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } },
        Resource: both,
      },
    ]);
  });

  it("logs access to a private, TLS-only, SSE-S3 bucket only S3 log delivery for this bucket may write to", () => {
    const logs = byId(PINNED_LOGICAL_IDS.settlementFilesAccessLogsBucket)?.Properties;
    expect(logs).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({
            ExpirationInDays: deployment.settlementFiles.accessLogDays,
            Status: "Enabled",
          }),
        ],
      },
    });
    const logsArn = { "Fn::GetAtt": [PINNED_LOGICAL_IDS.settlementFilesAccessLogsBucket, "Arn"] };
    const statements = policyOf("AWS::S3::BucketPolicy", "Bucket", {
      Ref: PINNED_LOGICAL_IDS.settlementFilesAccessLogsBucket,
    });
    expect(statements).toContainEqual(denyPlainTransport([logsArn, { "Fn::Join": ["", [logsArn, "/*"]] }]));
    expect(statements.filter((statement) => statement.Effect === "Allow")).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: { "Fn::Join": ["", [logsArn, "/settlement-files/*"]] },
        Condition: {
          ArnLike: { "aws:SourceArn": bucketArn },
          StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
        },
      },
    ]);
  });

  it("sends S3 'object created' events under incoming/ (and only those) to the settlement-file queue", () => {
    const notifications = ofType("Custom::S3BucketNotifications");
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.Properties).toMatchObject({
      BucketName: { Ref: PINNED_LOGICAL_IDS.settlementFilesBucket },
      Managed: true,
      SkipDestinationValidation: false,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "incoming/" }] } },
            QueueArn: { "Fn::GetAtt": [PINNED_LOGICAL_IDS.settlementFileQueue, "Arn"] },
          },
        ],
      },
    });
    expect(notifications[0]?.Properties.NotificationConfiguration).not.toHaveProperty(
      "LambdaFunctionConfigurations",
    );
    expect(notifications[0]?.Properties.NotificationConfiguration).not.toHaveProperty("TopicConfigurations");
  });

  it("lets S3 send to the queue for this bucket only, over TLS only", () => {
    const statements = policyOf("AWS::SQS::QueuePolicy", "Queues", {
      Ref: PINNED_LOGICAL_IDS.settlementFileQueue,
    });
    const queueArn = { "Fn::GetAtt": [PINNED_LOGICAL_IDS.settlementFileQueue, "Arn"] };
    expect(statements).toEqual([
      {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "sqs:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
        Resource: queueArn,
      },
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
        Condition: { ArnLike: { "aws:SourceArn": bucketArn } },
        Resource: queueArn,
      },
    ]);
    expect(
      JSON.stringify(
        policyOf("AWS::SQS::QueuePolicy", "Queues", {
          Ref: PINNED_LOGICAL_IDS.settlementFileDeadLetterQueue,
        }),
      ),
    ).toContain(JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }));
  });

  it("encrypts both queues with the queue key, whose policy lets S3 encrypt the notifications", () => {
    for (const id of [
      PINNED_LOGICAL_IDS.settlementFileQueue,
      PINNED_LOGICAL_IDS.settlementFileDeadLetterQueue,
    ])
      expect(byId(id)?.Properties.KmsMasterKeyId, id).toEqual({
        "Fn::GetAtt": [PINNED_LOGICAL_IDS.settlementFileQueueKey, "Arn"],
      });
    const keyPolicy = byId(PINNED_LOGICAL_IDS.settlementFileQueueKey)?.Properties.KeyPolicy as
      | { Statement: Statement[] }
      | undefined;
    const statements = keyPolicy?.Statement ?? [];
    const forS3 = statements.filter((statement) =>
      JSON.stringify(statement.Principal).includes("s3.amazonaws.com"),
    );
    // SqsDestination's statement (what S3 needs for an encrypted queue) and the queue's own
    // grantSendMessages to the S3 principal, held to this bucket.
    expect(forS3).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        Condition: { ArnLike: { "aws:SourceArn": bucketArn } },
        Resource: "*",
      },
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      },
    ]);
    expect(statements).toHaveLength(3); // plus the account root statement every CDK key has
  });

  it("sets the visibility timeout to six times the ingest function's timeout; parks a message after the configured deliveries", () => {
    const timeout = fnProps(synth.settlementFiles.ingestSettlementFile).Timeout as number;
    expect(timeout).toBe(deployment.settlementFiles.ingest.timeoutMinutes * 60);
    expect(byId(PINNED_LOGICAL_IDS.settlementFileQueue)?.Properties).toMatchObject({
      VisibilityTimeout: 6 * timeout,
      MessageRetentionPeriod: 4 * 24 * 3600,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [PINNED_LOGICAL_IDS.settlementFileDeadLetterQueue, "Arn"] },
        maxReceiveCount: deployment.settlementFiles.ingest.maxReceiveCount,
      },
    });
    // Every delivery can take a full visibility timeout: all of them fit in the retention period.
    expect(deployment.settlementFiles.ingest.maxReceiveCount * 6 * timeout).toBeLessThanOrEqual(
      4 * 24 * 3600,
    );
    expect(byId(PINNED_LOGICAL_IDS.settlementFileDeadLetterQueue)?.Properties.MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
  });

  it("gives CDK's notification handler only s3:PutBucketNotification on this bucket (plus its managed log policy)", () => {
    const roles = ofType("AWS::IAM::Role");
    expect(roles).toHaveLength(1);
    expect(roles[0]?.Properties.ManagedPolicyArns).toEqual([
      {
        "Fn::Join": [
          "",
          ["arn:", { Ref: "AWS::Partition" }, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        ],
      },
    ]);
    expect(
      ofType("AWS::IAM::Policy").map(
        (p) => (p.Properties.PolicyDocument as { Statement: unknown }).Statement,
      ),
    ).toEqual([[{ Effect: "Allow", Action: "s3:PutBucketNotification", Resource: bucketArn }]]);
  });
});

const fnProps = (fn: DeployedFunction) =>
  resources(templateOf(fn.function))[logicalId(stackOf(fn.function), fn.function)]?.Properties ?? {};
const variables = (fn: DeployedFunction) =>
  (fnProps(fn).Environment as { Variables: Record<string, unknown> }).Variables;

describe("functions", () => {
  const fns = (): Record<"ingest" | "operator" | "check" | "notify" | "ingestFile", DeployedFunction> => ({
    ingest: synth.api.ingestConfirmations,
    operator: synth.api.operatorApi,
    check: synth.notifications.checkOverdue,
    notify: synth.notifications.notify,
    ingestFile: synth.settlementFiles.ingestSettlementFile,
  });

  it("run nodejs24.x on arm64 with JSON logs into their own log group; untraced in cn-north-1 (no Lambda X-Ray in the China regions)", () => {
    for (const [name, fn] of Object.entries(fns())) {
      expect(fnProps(fn), name).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        LoggingConfig: {
          LogFormat: "JSON",
          LogGroup: { Ref: logicalId(stackOf(fn.function), fn.logGroup) },
        },
      });
      // Elsewhere the API path is traced (test/infra/china-regions.test.ts).
      expect(fnProps(fn).TracingConfig, name).toBeUndefined();
    }
  });

  it("set exactly the variables of each handler's env schema (plus NODE_OPTIONS for source maps)", () => {
    const ingest = variables(fns().ingest);
    const operator = variables(fns().operator);
    expect(Object.keys(ingest).sort()).toEqual([...envKeys.ingestConfirmations, "NODE_OPTIONS"].sort());
    expect(Object.keys(operator).sort()).toEqual([...envKeys.operatorApi, "NODE_OPTIONS"].sort());
    // Optional variables left out on purpose: the check reads no calendar (no SSM grant either), and
    // cn-example has no SMS sender ID (mainland China takes none). notifications-config.test.ts
    // covers a deployment that sets one.
    const without = (keys: readonly string[], left: string) => keys.filter((key) => key !== left);
    expect(Object.keys(variables(fns().check)).sort()).toEqual(
      [...without(envKeys.checkOverdue, "CALENDAR_OVERRIDES_PARAMETER"), "NODE_OPTIONS"].sort(),
    );
    expect(Object.keys(variables(fns().notify)).sort()).toEqual(
      // cn-example sends SMS through Alibaba Cloud: no SNS SMS variables, its settings in SMS_PROVIDERS.
      [
        ...envKeys.notify.filter((key) => !["SMS_SENDER_ID", "SMS_MAX_PRICE_USD"].includes(key)),
        "NODE_OPTIONS",
      ].sort(),
    );
    // The settlement-file handler reads no calendar either (no SSM grant).
    expect(Object.keys(variables(fns().ingestFile)).sort()).toEqual(
      [...without(envKeys.ingestSettlementFile, "CALENDAR_OVERRIDES_PARAMETER"), "NODE_OPTIONS"].sort(),
    );
    expect(operator).toMatchObject({ EMAIL_TOPIC_PREFIX: "settlewatch-cn-example" });
    expect(JSON.stringify(operator.EMAIL_TOPIC_KMS_KEY)).toContain("SettlewatchNotificationsKeyArn");
    expect(ingest).toMatchObject({
      DEPLOYMENT: "cn-example",
      DUE_SHARDS: String(deployment.dueShards),
      CALENDAR_OVERRIDES_PARAMETER: deployment.calendarOverridesParameter,
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(JSON.parse(String(ingest.DEFAULT_MERCHANT_TERMS))).toEqual(deployment.defaultMerchantTerms);
    expect(JSON.stringify(ingest.TABLE_NAME)).toContain("RefSettlewatchTable");
    expect(JSON.stringify(ingest.WEBHOOK_SECRETS_ID)).toContain("RefSettlewatchWebhookSecrets");
  });

  it("give every log group a retention", () => {
    const groups = [api, notifications, files].flatMap((template) =>
      Object.values(resources(template)).filter((r) => r.Type === "AWS::Logs::LogGroup"),
    );
    expect(groups).toHaveLength(13); // eleven functions (SMS reports, merchant API and page too) + API access logs + distributed-ingest executions
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(deployment.logRetentionDays);
  });

  it("ship an ES module bundle with its source map and the AWS SDK inside", () => {
    for (const fn of Object.values(fns())) {
      const code = fnProps(fn).Code as { S3Key: string };
      const dir = join(synth.outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
      expect(existsSync(join(dir, "index.mjs.map")), dir).toBe(true);
      const bundle = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(bundle.startsWith(FUNCTION_BUNDLE_BANNER)).toBe(true);
      expect(bundle).not.toMatch(/from\s*"@aws-sdk\//);
      expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    }
  });

  it("are bundled exactly as esbuildOptionsFor (what the bundle-size bench measures) bundles them", async () => {
    const fn = fns().ingest;
    const code = fnProps(fn).Code as { S3Key: string };
    const deployed = readFileSync(
      join(synth.outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`, "index.mjs"),
    );
    const options = esbuildOptionsFor(
      join(REPO_ROOT, "functions/handlers/ingest-confirmations.handler.ts"),
      join(synth.outdir, "bench-bundle"),
    );
    await build({ ...options, logLevel: "error" });
    expect(readFileSync(options.outfile).equals(deployed)).toBe(true);
  });
});

describe("least privilege", () => {
  /**
   * Every (action, resource) pair the role's inline policies allow, resources given readable names,
   * and a statement's condition appended ("if {...}").
   */
  function grants(fn: DeployedFunction): string[] {
    const stack = stackOf(fn.role);
    const template = templateOf(fn.role);
    const roleId = logicalId(stack, fn.role);
    const logGroupId = logicalId(stack, fn.logGroup);
    const label = (resource: unknown): string => {
      const text = JSON.stringify(resource);
      if (resource === "*") return "*";
      if (text === JSON.stringify({ "Fn::GetAtt": [logGroupId, "Arn"] })) return "own-log-group";
      if (text.includes("SettlewatchTableArn")) return `table${text.match(/\/index\/[\w-]+/)?.[0] ?? ""}`;
      if (text.includes("SettlewatchDataKeyArn")) return "data-key";
      if (text.includes("SettlewatchNotificationsKeyArn")) return "notifications-key";
      if (text.includes("SettlewatchSettlementFilesKeyArn")) return "files-key";
      if (text.includes("SettlewatchSettlementFileQueueKeyArn")) return "file-queue-key";
      if (text.includes("SettlewatchSettlementFileQueueArn")) return "file-queue";
      if (text.includes("SettlewatchSettlementFilesBucketArn"))
        return `files-bucket${text.match(/"(\/[^"]*)"\]\]\}$/)?.[1] ?? ""}`;
      if (text.includes("SettlewatchNoticeQueueArn")) return "notice-queue";
      if (text.includes("SettlewatchTableStreamArn")) return "table-stream";
      if (text.includes("TableStreamFailureQueue")) return "stream-failure-queue";
      if (text.includes("SettlewatchOpsTopic")) return "ops-topic";
      if (text.includes("RefSettlewatchWebhookSecrets")) return "webhook-secret";
      if (text.includes("SignInSecret")) return "sign-in-secret";
      if (text === JSON.stringify({ "Fn::GetAtt": [PINNED_LOGICAL_IDS.noticeQueue, "Arn"] }))
        return "notice-queue";
      if (text === JSON.stringify({ Ref: PINNED_LOGICAL_IDS.opsTopic })) return "ops-topic";
      if (
        text ===
        JSON.stringify({
          "Fn::Join": [
            "",
            ["arn:aws-cn:sns:cn-north-1:", { Ref: "AWS::AccountId" }, ":settlewatch-cn-example-merchant-*"],
          ],
        })
      )
        return "merchant-email-topics";
      const parameter = text.match(/:parameter(\/[^"]+)"/);
      if (parameter) return `parameter${parameter[1]}`;
      return text;
    };
    const policies = Object.values(resources(template)).filter(
      (r) =>
        r.Type === "AWS::IAM::Policy" &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const pairs: string[] = [];
    for (const policy of policies) {
      const document = policy.Properties.PolicyDocument as {
        Statement: Array<{
          Effect: string;
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }>;
      };
      for (const statement of document.Statement) {
        expect(statement.Effect).toBe("Allow");
        const actions = ([] as string[]).concat(statement.Action);
        const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        const condition = statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : "";
        for (const action of actions)
          for (const target of targets) pairs.push(`${action} ${label(target)}${condition}`);
      }
    }
    expect(resources(template)[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    return pairs.sort();
  }

  const logs = ["logs:CreateLogStream own-log-group", "logs:PutLogEvents own-log-group"];
  /** Read/write on the table, Query on the given indexes (due and order unless told otherwise), the data key. */
  const tableReadWriteOn = (indexes: readonly string[]) => [
    ...[
      "GetItem",
      "BatchGetItem",
      "Query",
      "ConditionCheckItem",
      "PutItem",
      "UpdateItem",
      "BatchWriteItem",
    ].map((action) => `dynamodb:${action} table`),
    ...indexes.map((index) => `dynamodb:Query table/index/${index}`),
    ...[
      "Decrypt",
      "DescribeKey",
      "Encrypt",
      "ReEncryptFrom",
      "ReEncryptTo",
      "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext",
    ].map((action) => `kms:${action} data-key`),
  ];
  const tableReadWrite = tableReadWriteOn(["due", "order"]);
  /** Functions that use the settlement store: its lookups query the amount index too. */
  const settlementStoreReadWrite = tableReadWriteOn(["due", "order", "amount"]);
  const calendar = "ssm:GetParameter parameter/settlewatch/cn-example/calendar-overrides";
  /** What a producer of an encrypted queue or topic needs on its key. */
  const notificationsKeyProducer = ["kms:Decrypt notifications-key", "kms:GenerateDataKey notifications-key"];

  it("ingest function: table read/write (amount index included), the one webhook secret, the one calendar parameter, nothing else", () => {
    expect(grants(synth.api.ingestConfirmations)).toEqual(
      [
        ...logs, // no X-Ray in cn-north-1: Lambda has no active tracing there
        ...settlementStoreReadWrite,
        calendar,
        "secretsmanager:GetSecretValue webhook-secret",
      ].sort(),
    );
  });

  it("operator function: table (amount index included), calendar, and creating/subscribing this deployment's merchant email topics", () => {
    expect(grants(synth.api.operatorApi)).toEqual(
      [
        ...logs, // no X-Ray in cn-north-1: Lambda has no active tracing there
        ...settlementStoreReadWrite,
        calendar,
        "sns:CreateTopic merchant-email-topics",
        "sns:Subscribe merchant-email-topics",
        "sns:TagResource merchant-email-topics",
        ...notificationsKeyProducer,
        // A profile whose number changed drops the old number's sign-in link: those items only.
        `dynamodb:DeleteItem table if ${JSON.stringify({
          "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["MPHONE#*"] },
        })}`,
      ].sort(),
    );
  });

  it("merchant page function: table (amount and merchant-open indexes only, session deletes), the calendar parameter, its sign-in secret, the SMS provider's secret, the platform-check secrets", () => {
    expect(grants(merchantPageOf().merchantApi)).toEqual(
      [
        ...logs, // no X-Ray in cn-north-1: Lambda has no active tracing there
        ...tableReadWriteOn(["amount", "merchant-open"]),
        calendar,
        `dynamodb:DeleteItem table if ${JSON.stringify({
          "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["MSESSION#*"] },
        })}`,
        "secretsmanager:GetSecretValue sign-in-secret",
        // No SNS SMS in cn-north-1: codes go through Alibaba Cloud like the alerts.
        `secretsmanager:GetSecretValue ${JSON.stringify({ "Fn::Join": ["", ["arn:aws-cn:secretsmanager:cn-north-1:", { Ref: "AWS::AccountId" }, ":secret:settlewatch/cn-example/aliyun-sms-??????"]] })}`,
        // The real-time check with the platforms: exactly the two configured secrets.
        ...["wechatpay-v3", "alipay-openapi"].map(
          (name) =>
            `secretsmanager:GetSecretValue ${JSON.stringify({ "Fn::Join": ["", ["arn:aws-cn:secretsmanager:cn-north-1:", { Ref: "AWS::AccountId" }, `:secret:settlewatch/cn-example/${name}-??????`]] })}`,
        ),
      ].sort(),
    );
  });

  it("check function: table read/write and sending to the notice queue; no SNS, no SSM, no tracing", () => {
    expect(grants(synth.notifications.checkOverdue)).toEqual(
      [...logs, ...tableReadWrite, "sqs:SendMessage notice-queue", ...notificationsKeyProducer].sort(),
    );
  });

  it("notifier: consume the queue, publish to merchant topics and the ops topic, read only its SMS provider's secret", () => {
    expect(grants(synth.notifications.notify)).toEqual(
      [
        ...logs,
        ...tableReadWrite,
        "sqs:ReceiveMessage notice-queue",
        "sqs:DeleteMessage notice-queue",
        "sqs:GetQueueAttributes notice-queue",
        "sns:Publish merchant-email-topics",
        "sns:Publish ops-topic",
        // No SNS SMS in cn-north-1: the Alibaba Cloud credentials secret, by name, read only.
        `secretsmanager:GetSecretValue ${JSON.stringify({ "Fn::Join": ["", ["arn:aws-cn:secretsmanager:cn-north-1:", { Ref: "AWS::AccountId" }, ":secret:settlewatch/cn-example/aliyun-sms-??????"]] })}`,
        // Decrypt serves both: receiving from the encrypted queue and publishing to encrypted topics.
        ...notificationsKeyProducer,
      ].sort(),
    );
  });

  it("settlement-file function: table (amount index, held-credit deletes), objects under incoming/ only, its queue, the notice queue", () => {
    expect(grants(synth.settlementFiles.ingestSettlementFile)).toEqual(
      [
        ...logs,
        ...settlementStoreReadWrite,
        // Releasing a held bank credit once its batch's acquirer file came: those items only.
        `dynamodb:DeleteItem table if ${JSON.stringify({
          "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["HELDCREDIT#*"] },
        })}`,
        // Any version of a file under incoming/, nothing else in the bucket; no list, write or delete.
        "s3:GetObject files-bucket/incoming/*",
        "s3:GetObjectVersion files-bucket/incoming/*",
        "kms:Decrypt files-key",
        // The SQS event source: receive, delete, attributes; Decrypt for the encrypted queue.
        "sqs:ReceiveMessage file-queue",
        "sqs:DeleteMessage file-queue",
        "sqs:GetQueueAttributes file-queue",
        "kms:Decrypt file-queue-key",
        // "Your money arrived" notices for late payments a file settles.
        "sqs:SendMessage notice-queue",
        ...notificationsKeyProducer,
        // A large file goes to the distributed ingest: starting executions of that one state machine.
        `states:StartExecution ${JSON.stringify({ Ref: filesId(synth.settlementFiles.distributedIngestStateMachine) })}`,
      ].sort(),
    );
  });

  it("distributed-ingest steps: what the chunk worker needs (the ingest's grants without its queue or the state machine)", () => {
    expect(grants(synth.settlementFiles.distributedIngest)).toEqual(
      [
        ...logs,
        ...settlementStoreReadWrite,
        `dynamodb:DeleteItem table if ${JSON.stringify({
          "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["HELDCREDIT#*"] },
        })}`,
        "s3:GetObject files-bucket/incoming/*",
        "s3:GetObjectVersion files-bucket/incoming/*",
        "kms:Decrypt files-key",
        "sqs:SendMessage notice-queue",
        ...notificationsKeyProducer,
      ].sort(),
    );
  });

  it("calendar check: table read/write and the one calendar parameter; no queue, no SNS, no tracing", () => {
    expect(grants(synth.notifications.checkCalendars)).toEqual([...logs, ...tableReadWrite, calendar].sort());
  });

  it("table-stream counter: the stream of this table only (ListStreams takes no resource), the table, its failure queue", () => {
    expect(grants(synth.notifications.countTableChanges)).toEqual(
      [
        ...logs,
        ...tableReadWrite,
        "dynamodb:DescribeStream table-stream",
        "dynamodb:GetRecords table-stream",
        "dynamodb:GetShardIterator table-stream",
        "dynamodb:ListStreams *",
        // Stream records are encrypted with the table's key: its Decrypt is the table grant's one.
        "sqs:SendMessage stream-failure-queue",
        ...notificationsKeyProducer,
      ].sort(),
    );
  });

  it("roles can be assumed by Lambda only", () => {
    for (const [template, count] of [
      [api, 5],
      [notifications, 4],
      [files, 2],
    ] as const) {
      const roles = Object.values(resources(template)).filter(
        (r) =>
          r.Type === "AWS::IAM::Role" &&
          !JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes("states."),
      );
      expect(roles).toHaveLength(count);
      for (const role of roles) {
        expect(role.Properties.AssumeRolePolicyDocument).toEqual({
          Statement: [
            { Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } },
          ],
          Version: "2012-10-17",
        });
      }
    }
  });
});

describe("notifications stack", () => {
  const byId = (id: string) => resources(notifications)[id];
  const notifierTimeout = () => fnProps(synth.notifications.notify).Timeout as number;
  const encryptedWithNotificationsKey = (id: string) =>
    expect(JSON.stringify(byId(id)?.Properties.KmsMasterKeyId)).toContain("SettlewatchNotificationsKeyArn");

  it("keeps the logical IDs of the queues and the ops topic pinned", () => {
    expect(byId(PINNED_LOGICAL_IDS.noticeQueue)?.Type).toBe("AWS::SQS::Queue");
    expect(byId(PINNED_LOGICAL_IDS.noticeDeadLetterQueue)?.Type).toBe("AWS::SQS::Queue");
    expect(byId(PINNED_LOGICAL_IDS.opsTopic)?.Type).toBe("AWS::SNS::Topic");
    // Plus the table-stream failure queue: it holds only stream positions, so its ID is not pinned.
    notifications.resourceCountIs("AWS::SQS::Queue", 3);
    notifications.resourceCountIs("AWS::SNS::Topic", 1);
  });

  it("has a KMS-encrypted notice queue with a redrive policy to an encrypted 14-day dead-letter queue", () => {
    encryptedWithNotificationsKey(PINNED_LOGICAL_IDS.noticeQueue);
    encryptedWithNotificationsKey(PINNED_LOGICAL_IDS.noticeDeadLetterQueue);
    expect(byId(PINNED_LOGICAL_IDS.noticeQueue)?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [PINNED_LOGICAL_IDS.noticeDeadLetterQueue, "Arn"] },
      maxReceiveCount: deployment.notifier.maxReceiveCount,
    });
    expect(byId(PINNED_LOGICAL_IDS.noticeDeadLetterQueue)?.Properties.MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
  });

  it("sets the notice queue's visibility timeout to six times the notifier's timeout", () => {
    expect(notifierTimeout()).toBe(30);
    expect(byId(PINNED_LOGICAL_IDS.noticeQueue)?.Properties.VisibilityTimeout).toBe(6 * notifierTimeout());
  });

  it("refuses anything but TLS on both queues and on the ops topic", () => {
    const denyPlain = (policyType: string, target: unknown) =>
      expect(
        Object.values(resources(notifications)).some(
          (r) =>
            r.Type === policyType &&
            JSON.stringify(r.Properties).includes(JSON.stringify(target)) &&
            JSON.stringify(r.Properties.PolicyDocument).includes(
              JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }),
            ),
        ),
        `${policyType} ${JSON.stringify(target)}`,
      ).toBe(true);
    denyPlain("AWS::SQS::QueuePolicy", { Ref: PINNED_LOGICAL_IDS.noticeQueue });
    denyPlain("AWS::SQS::QueuePolicy", { Ref: PINNED_LOGICAL_IDS.noticeDeadLetterQueue });
    denyPlain("AWS::SNS::TopicPolicy", { Ref: PINNED_LOGICAL_IDS.opsTopic });
  });

  it("has an encrypted ops topic that this account's CloudWatch alarms may publish to, with the alarm emails subscribed", () => {
    encryptedWithNotificationsKey(PINNED_LOGICAL_IDS.opsTopic);
    notifications.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: "CloudWatchAlarmsOfThisAccount",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Condition: {
              ArnLike: {
                "aws:SourceArn": {
                  "Fn::Join": [
                    "",
                    ["arn:aws-cn:cloudwatch:cn-north-1:", { Ref: "AWS::AccountId" }, ":alarm:*"],
                  ],
                },
              },
              StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
            },
          }),
        ]),
      },
    });
    const subscriptions = Object.values(resources(notifications))
      .filter((r) => r.Type === "AWS::SNS::Subscription")
      .map((r) => r.Properties);
    expect(subscriptions).toEqual(
      deployment.alarmEmails.map((email) => ({
        Protocol: "email",
        Endpoint: email,
        TopicArn: { Ref: PINNED_LOGICAL_IDS.opsTopic },
      })),
    );
    expect(deployment.alarmEmails.length).toBeGreaterThan(0);
  });

  it("runs the check on an EventBridge schedule at the configured rate, without Lambda's async retries", () => {
    const check = notificationsId(synth.notifications.checkOverdue.function);
    const rules = Object.values(resources(notifications)).filter(
      (r) => r.Type === "AWS::Events::Rule" && JSON.stringify(r.Properties.Targets).includes(check),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      ScheduleExpression: `rate(${deployment.checkSchedule.rateMinutes} minutes)`,
      State: "ENABLED",
      Targets: [{ Arn: { "Fn::GetAtt": [check, "Arn"] }, Id: "Target0" }],
    });
    notifications.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [check, "Arn"] },
      Principal: "events.amazonaws.com",
    });
    notifications.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: check },
      MaximumRetryAttempts: 0,
    });
    expect(fnProps(synth.notifications.checkOverdue).Timeout).toBe(300);
  });

  it("feeds the notifier from the queue: batches of 10, partial batch failures, bounded concurrency", () => {
    const mappings = Object.values(resources(notifications)).filter(
      (r) => r.Type === "AWS::Lambda::EventSourceMapping",
    );
    expect(mappings.map((m) => m.Properties)).toEqual([
      expect.objectContaining({
        EventSourceArn: { "Fn::GetAtt": [PINNED_LOGICAL_IDS.noticeQueue, "Arn"] },
        FunctionName: { Ref: notificationsId(synth.notifications.notify.function) },
        BatchSize: 10,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: deployment.notifier.maxConcurrency },
      }),
      expect.objectContaining({
        FunctionName: { Ref: notificationsId(synth.notifications.countTableChanges.function) },
      }),
    ]);
  });

  it("feeds the open-payment counter from the table stream: payment items and new file days only, bisect and retry, failures to its queue", () => {
    const mapping = Object.values(resources(notifications)).find(
      (r) =>
        r.Type === "AWS::Lambda::EventSourceMapping" &&
        JSON.stringify(r.Properties.FunctionName).includes(
          notificationsId(synth.notifications.countTableChanges.function),
        ),
    );
    expect(JSON.stringify(mapping?.Properties.EventSourceArn)).toContain("SettlewatchTableStreamArn");
    expect(mapping?.Properties).toMatchObject({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      // The window only makes each event name its shard (the counter's lane).
      TumblingWindowInSeconds: 60,
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: "PAY#" }] } } } }) },
          {
            Pattern: JSON.stringify({
              eventName: ["INSERT"],
              dynamodb: { Keys: { pk: { S: [{ prefix: "FILEDAY#" }] } } },
            }),
          },
        ],
      },
    });
    expect(JSON.stringify(mapping?.Properties.DestinationConfig)).toContain("TableStreamFailureQueue");
    // Its alarm is the monitoring stack's (test/infra/monitoring.test.ts).
  });

  it("gives the check an environment its handler's own config parser accepts, built from the deployment", () => {
    const env = variables(synth.notifications.checkOverdue);
    expect(env.NOTICE_QUEUE_URL).toEqual({ Ref: PINNED_LOGICAL_IDS.noticeQueue });
    const parsed = checkOverdueEnvSchema.parse({
      ...env,
      // Known at deploy only: samples of the right shape.
      TABLE_NAME: "settlewatch-table",
      NOTICE_QUEUE_URL: "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/notices",
    });
    const config = checkConfigFromEnv(parsed);
    expect(config.escalationHours).toEqual(deployment.escalationHours);
    expect(config.fileExpectations).toEqual({
      wechatpay: { expectedBy: "10:00", timeZone: "Asia/Shanghai", daysAfter: 1 },
      alipay: { expectedBy: "09:00", timeZone: "Asia/Shanghai", daysAfter: 1 },
    });
    expect(config.noticeText?.acquirers?.wechatpay).toEqual({
      names: { en: "WeChat Pay", "zh-CN": "微信支付" },
      hotline: "95017",
    });
    expect(config.noticeText?.acquirers?.unionpay).toEqual({ names: { en: "UnionPay", "zh-CN": "银联" } });
    expect(config.dueShards).toBe(deployment.dueShards);
  });

  it("gives the notifier an SNS ARN prefix that passes the handler's schema once the account is known", () => {
    const env = variables(synth.notifications.notify);
    expect(env.SNS_TOPIC_ARN_PREFIX).toEqual({
      "Fn::Join": ["", ["arn:aws-cn:sns:cn-north-1:", { Ref: "AWS::AccountId" }, ":"]],
    });
    expect(env).toMatchObject({
      EMAIL_TOPIC_PREFIX: merchantEmailTopicPrefix(deployment),
      OPS_TOPIC_ARN: { Ref: PINNED_LOGICAL_IDS.opsTopic },
    });
    const parsed = notifyEnvSchema.parse({
      ...env,
      TABLE_NAME: "settlewatch-table",
      SNS_TOPIC_ARN_PREFIX: "arn:aws-cn:sns:cn-north-1:123456789012:",
      OPS_TOPIC_ARN: "arn:aws-cn:sns:cn-north-1:123456789012:ops",
    });
    expect(parsed.EMAIL_TOPIC_PREFIX).toBe("settlewatch-cn-example");
  });
});

describe("settlement files stack", () => {
  const fn = () => synth.settlementFiles.ingestSettlementFile;
  const outputOf = (value: unknown) => JSON.stringify(value);

  it("runs the ingest function with the configured timeout and memory", () => {
    expect(fnProps(fn())).toMatchObject({
      Timeout: deployment.settlementFiles.ingest.timeoutMinutes * 60,
      MemorySize: deployment.settlementFiles.ingest.memoryMb,
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
    });
    expect(deployment.settlementFiles.ingest).toMatchObject({ timeoutMinutes: 15, memoryMb: 1024 });
  });

  it("feeds it one file per invocation from the settlement-file queue: partial batch failures, bounded concurrency", () => {
    const mappings = Object.values(resources(files)).filter(
      (r) => r.Type === "AWS::Lambda::EventSourceMapping",
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      FunctionName: { Ref: filesId(fn().function) },
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: deployment.settlementFiles.ingest.maxConcurrency },
    });
    expect(deployment.settlementFiles.ingest.maxConcurrency).toBe(5);
    expect(outputOf(mappings[0]?.Properties.EventSourceArn)).toContain("SettlewatchSettlementFileQueueArn");
    expect(mappings[0]?.Properties).not.toHaveProperty("MaximumBatchingWindowInSeconds");
  });

  it("gives it an environment its handler's schema and CSV-mapping parser accept, built from the deployment", () => {
    const env = variables(fn());
    expect(outputOf(env.SETTLEMENT_BUCKET)).toContain("RefSettlewatchSettlementFilesBucket");
    expect(outputOf(env.NOTICE_QUEUE_URL)).toContain("RefSettlewatchNoticeQueue");
    expect(outputOf(env.TABLE_NAME)).toContain("RefSettlewatchTable");
    expect(outputOf(env.DISTRIBUTED_INGEST_STATE_MACHINE_ARN)).toContain("DistributedIngestStateMachine");
    expect(env.DISTRIBUTED_THRESHOLD_BYTES).toBe(
      String(deployment.settlementFiles.distributedThresholdBytes),
    );
    const parsed = ingestSettlementFileEnvSchema.parse({
      ...env,
      // Known at deploy only: samples of the right shape.
      DISTRIBUTED_INGEST_STATE_MACHINE_ARN: "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:ingest",
      TABLE_NAME: "settlewatch-table",
      SETTLEMENT_BUCKET: "settlewatch-settlement-files",
      NOTICE_QUEUE_URL: "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/notices",
    });
    // cn-example's acquirers are read by built-in parsers: no CSV mapping configured.
    expect(parsed.ACQUIRER_CSV_MAPPINGS).toBe("[]");
    expect(parsed.DEPLOYMENT).toBe("cn-example");
    expect(JSON.parse(parsed.DEFAULT_MERCHANT_TERMS)).toEqual(deployment.defaultMerchantTerms);
  });
});

describe("distributed ingest (Step Functions)", () => {
  const definition = () => {
    const [machine] = Object.values(resources(files)).filter(
      (r) => r.Type === "AWS::StepFunctions::StateMachine",
    );
    const body = machine?.Properties.DefinitionString as { "Fn::Join": [string, unknown[]] };
    // The definition with its tokens (function ARNs) as placeholders: the states' shape is what counts.
    const text = body["Fn::Join"][1].map((part) => (typeof part === "string" ? part : "<token>")).join("");
    return {
      machine,
      states: (JSON.parse(text) as { States: Record<string, Record<string, unknown>> }).States,
    };
  };

  it("plans, runs the chunk workers in a Distributed Map of bounded concurrency, then merges", () => {
    const { machine, states } = definition();
    // X-Ray only on the API path: the batch state machine is not traced.
    expect(
      (machine?.Properties as { TracingConfiguration?: { Enabled?: boolean } } | undefined)
        ?.TracingConfiguration?.Enabled ?? false,
    ).toBe(false);
    expect(Object.keys(states)).toEqual(["Plan", "Chunks", "Merge"]);
    expect(states.Plan?.Next).toBe("Chunks");
    expect(states.Chunks).toMatchObject({
      Type: "Map",
      ItemsPath: "$.ranges",
      MaxConcurrency: deployment.settlementFiles.distributedMaxConcurrency,
      ResultPath: null, // no ToleratedFailureCount: one failed chunk fails the map (the default)
      Next: "Merge",
      ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" } },
    });
    const processor = states.Chunks?.ItemProcessor as { States: Record<string, Record<string, unknown>> };
    const chunk = processor.States.Chunk;
    // A chunk worker that stopped at its deadline is retried, and resumes from its checkpoint.
    expect(chunk?.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: ["IngestInterruptedError"], MaxAttempts: 10 }),
      ]),
    );
    expect(states.Merge?.End).toBe(true);
  });

  it("its role is assumed by Step Functions only, and it alarms to ops when an execution fails", () => {
    const roles = Object.values(resources(files)).filter(
      (r) =>
        r.Type === "AWS::IAM::Role" &&
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes("states."),
    );
    expect(roles).toHaveLength(1);
  });
});

describe("HTTP API", () => {
  const integrationTarget = (functionLogicalId: string) => {
    const [integrationId] = Object.entries(resources(api)).find(
      ([, r]) =>
        r.Type === "AWS::ApiGatewayV2::Integration" &&
        JSON.stringify(r.Properties.IntegrationUri) ===
          JSON.stringify({ "Fn::GetAtt": [functionLogicalId, "Arn"] }),
    ) ?? [""];
    return { "Fn::Join": ["", ["integrations/", { Ref: integrationId }]] };
  };

  it("has the webhook route public and the operator routes IAM-authorized, each on its function", () => {
    const ingest = integrationTarget(apiId(synth.api.ingestConfirmations.function));
    const operator = integrationTarget(apiId(synth.api.operatorApi.function));
    const merchant = integrationTarget(apiId(merchantPageOf().merchantApi.function));
    const page = integrationTarget(apiId(merchantPageOf().merchantPage.function.function));
    const routes = Object.values(resources(api))
      .filter((r) => r.Type === "AWS::ApiGatewayV2::Route")
      .map((r) => ({
        route: r.Properties.RouteKey,
        auth: r.Properties.AuthorizationType,
        target: r.Properties.Target,
      }))
      .sort(byName("route"));
    expect(routes).toEqual(
      [
        { route: "POST /v1/confirmations", auth: "NONE", target: ingest },
        // SMS delivery reports: public, the function checks the URL's token (cn-example names its secret).
        {
          route: "POST /v1/sms-reports/{provider}",
          auth: "NONE",
          target: integrationTarget(apiId((synth.api.smsReports as DeployedFunction).function)),
        },
        { route: "PUT /v1/merchants/{merchantId}", auth: "AWS_IAM", target: operator },
        { route: "GET /v1/merchants/{merchantId}", auth: "AWS_IAM", target: operator },
        { route: "GET /v1/payments/{acquirer}/{paymentId}", auth: "AWS_IAM", target: operator },
        { route: "GET /v1/settlement-files/{fileId}", auth: "AWS_IAM", target: operator },
        { route: "GET /m", auth: "NONE", target: page },
        { route: "GET /m/{file}", auth: "NONE", target: page },
        // The merchant page: public (merchants have no AWS credentials), session cookie + CSRF in the function.
        { route: "POST /m/api/{action}", auth: "NONE", target: merchant },
        { route: "GET /m/api/{action}", auth: "NONE", target: merchant },
      ].sort(byName("route")),
    );
    api.resourceCountIs("AWS::ApiGatewayV2::Authorizer", 0); // IAM needs no authorizer resource
  });

  it("serves the merchant page from a function whose bundle carries the page's built files", () => {
    const fn = merchantPageOf().merchantPage.function;
    const code = fnProps(fn).Code as { S3Key: string };
    const dir = join(synth.outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`, "merchant-page");
    const html = readFileSync(join(dir, "index.html"), "utf8");
    for (const [, file] of html.matchAll(/(?:src|href)="\/m\/([^"]+)"/g)) {
      expect(existsSync(join(dir, String(file))), String(file)).toBe(true);
    }
    expect(fnProps(fn)).toMatchObject({ MemorySize: 256, Architectures: ["arm64"] });
    expect(Object.keys(variables(fn)).sort()).toEqual(
      ["DEPLOYMENT", "NODE_OPTIONS", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME"].sort(),
    );
  });

  it("throttles the merchant page's POSTs (sign-in, verify, sign-out) below the stage", () => {
    const { rateLimit, burstLimit } = deployment.merchantPageThrottle.signIn;
    api.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      RouteSettings: {
        "POST /m/api/{action}": { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit },
      },
    });
    expect(rateLimit).toBeLessThan(deployment.api.throttle.rateLimit);
  });

  it("logs access as JSON and throttles the stage as configured", () => {
    api.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: deployment.api.throttle.rateLimit,
        ThrottlingBurstLimit: deployment.api.throttle.burstLimit,
      },
      AccessLogSettings: {
        DestinationArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^AccessLogs"), "Arn"] },
        Format: Match.serializedJson(
          Match.objectLike({ requestId: "$context.requestId", caller: "$context.identity.userArn" }),
        ),
      },
    });
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("reports no unacknowledged finding (cdk-nag 3 runs as a policy-validation plugin)", () => {
    const report = readValidationReport(synth.outdir);
    const nag = report.pluginReports.find((r) => r.pluginName === "AwsSolutions");
    expect(nag?.conclusion).toBe("success");
    expect(nag?.violations).toEqual([]);
  });

  it("has exactly the expected acknowledgments, each with a specific reason", () => {
    const nag = readValidationReport(synth.outdir).pluginReports.find((r) => r.pluginName === "AwsSolutions");
    const acknowledged = (nag?.suppressedViolations ?? []).flatMap((v) =>
      v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`),
    );
    expect(acknowledged.sort()).toEqual(
      [
        "AwsSolutions-SMG4 Settlewatch-cn-example-Data/WebhookSecrets/Resource",
        "AwsSolutions-APIG4 Settlewatch-cn-example-Api/HttpApi/POST--v1--confirmations/Resource",
        "AwsSolutions-APIG4 Settlewatch-cn-example-Api/HttpApi/GET--m/Resource",
        "AwsSolutions-APIG4 Settlewatch-cn-example-Api/HttpApi/GET--m--{file}/Resource",
        "AwsSolutions-APIG4 Settlewatch-cn-example-Api/HttpApi/POST--v1--sms-reports--{provider}/Resource",
        "AwsSolutions-SMG4 Settlewatch-cn-example-Api/SignInSecret/Resource",
        "AwsSolutions-APIG4 Settlewatch-cn-example-Api/HttpApi/POST--m--api--{action}/Resource",
        "AwsSolutions-APIG4 Settlewatch-cn-example-Api/HttpApi/GET--m--api--{action}/Resource",
        "AwsSolutions-IAM5[Resource::arn:aws-cn:sns:cn-north-1:<AWS::AccountId>:settlewatch-cn-example-merchant-*] Settlewatch-cn-example-Api/OperatorApi/Role/DefaultPolicy/Resource",
        "AwsSolutions-IAM5[Resource::*] Settlewatch-cn-example-Notifications/CountTableChanges/Role/DefaultPolicy/Resource",
        "AwsSolutions-SQS3 Settlewatch-cn-example-Notifications/TableStreamFailureQueue/Resource",
        "AwsSolutions-IAM5[Resource::arn:aws-cn:sns:cn-north-1:<AWS::AccountId>:settlewatch-cn-example-merchant-*] Settlewatch-cn-example-Notifications/Notify/Role/DefaultPolicy/Resource",
        // The files bucket's objects under incoming/, a cross-stack reference as cdk-nag renders it.
        `AwsSolutions-IAM5[Resource::${JSON.stringify({
          "Fn::GetStackOutput": {
            StackName: "Settlewatch-cn-example-Data",
            Region: "cn-north-1",
            OutputName: "PublishOutputFnGetAttSettlewatchSettlementFilesBucketArnE1E4E10D",
          },
        })}/incoming/*] Settlewatch-cn-example-SettlementFiles/IngestSettlementFile/Role/DefaultPolicy/Resource`,
        `AwsSolutions-IAM5[Resource::${JSON.stringify({
          "Fn::GetStackOutput": {
            StackName: "Settlewatch-cn-example-Data",
            Region: "cn-north-1",
            OutputName: "PublishOutputFnGetAttSettlewatchSettlementFilesBucketArnE1E4E10D",
          },
        })}/incoming/*] Settlewatch-cn-example-SettlementFiles/DistributedIngest/Role/DefaultPolicy/Resource`,
        // The distributed-ingest state machine: no X-Ray (kept to the API path), log delivery
        // (Resource *), its function's versions, and the Distributed Map's child executions.
        "AwsSolutions-SF2 Settlewatch-cn-example-SettlementFiles/DistributedIngestStateMachine/Resource",
        "AwsSolutions-IAM5[Resource::*] Settlewatch-cn-example-SettlementFiles/DistributedIngestStateMachine/Role/DefaultPolicy/Resource",
        `AwsSolutions-IAM5[Resource::<${filesId(synth.settlementFiles.distributedIngest.function)}.Arn>:*] Settlewatch-cn-example-SettlementFiles/DistributedIngestStateMachine/Role/DefaultPolicy/Resource`,
        ...[":*", "/*:*"].map(
          (suffix) =>
            `AwsSolutions-IAM5[Resource::arn:aws-cn:states:cn-north-1:<AWS::AccountId>:execution:${JSON.stringify({ "Fn::Select": [6, { "Fn::Split": [":", { Ref: filesId(synth.settlementFiles.distributedIngestStateMachine) }] }] })}${suffix}] Settlewatch-cn-example-SettlementFiles/DistributedIngestStateMachine/DistributedMapPolicy/Resource`,
        ),
        // CDK's own custom resource that writes the bucket's notification configuration.
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] Settlewatch-cn-example-Data/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource",
      ].sort(),
    );
    for (const violation of nag?.suppressedViolations ?? [])
      expect(violation.reason.length).toBeGreaterThan(80);
  });

  it("leaves no error annotation on any stack", () => {
    for (const stack of [synth.data, synth.api, synth.notifications, synth.settlementFiles])
      expect(stackMessages(stack, "error")).toEqual([]);
  });
});

describe("calendar check (notifications stack)", () => {
  it("runs on its own EventBridge schedule at the configured rate, without async retries, with its horizon", () => {
    const fn = notificationsId(synth.notifications.checkCalendars.function);
    expect(
      resources(notifications)[notificationsId(synth.notifications.calendarCheckSchedule)],
    ).toMatchObject({
      Properties: {
        // CDK writes whole hours as "rate(1 hour)".
        ScheduleExpression: Schedule.rate(Duration.minutes(deployment.calendarCheck.rateMinutes))
          .expressionString,
        State: "ENABLED",
        Targets: [{ Arn: { "Fn::GetAtt": [fn, "Arn"] }, Id: "Target0" }],
      },
    });
    expect(Schedule.rate(Duration.minutes(60)).expressionString).toBe("rate(1 hour)");
    notifications.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [fn, "Arn"] },
      Principal: "events.amazonaws.com",
    });
    notifications.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: fn },
      MaximumRetryAttempts: 0,
    });
    const environment = (
      fnProps(synth.notifications.checkCalendars).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(Object.keys(environment).sort()).toEqual([...envKeys.checkCalendars, "NODE_OPTIONS"].sort());
    expect(environment).toMatchObject({
      CALENDAR_HORIZON_DAYS: String(deployment.calendarCheck.horizonDays),
      CALENDAR_OVERRIDES_PARAMETER: deployment.calendarOverridesParameter,
      DEPLOYMENT: deployment.name,
    });
  });
});
