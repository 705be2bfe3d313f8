import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CfnElement } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envKeys } from "../../functions/shared/env.js";
import { tableDefinition } from "../../functions/shared/table-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { esbuildOptionsFor, FUNCTION_BUNDLING } from "../../infra/constructs/bundling.js";
import { REPO_ROOT } from "../../infra/constructs/settlewatch-function.js";
import { readValidationReport, type SynthesizedDeployment, synthesizeDeployment } from "./support/synth.js";

// One synth (with esbuild bundling) for the whole file: this machine has two cores.
const deployment = loadDeployments().find((d) => d.name === "cn-example");
if (!deployment) throw new Error("the cn-example deployment is missing from infra/config/deployments.ts");

let synth: SynthesizedDeployment;
let data: Template;
let api: Template;

beforeAll(() => {
  synth = synthesizeDeployment(deployment);
  data = Template.fromStack(synth.data);
  api = Template.fromStack(synth.api);
}, 120_000);

afterAll(() => synth?.cleanup());

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
const resources = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
/** Logical ID, in the API stack, of an L2 construct's CloudFormation resource. */
const apiId = (construct: IConstruct) => synth.api.getLogicalId(construct.node.defaultChild as CfnElement);
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
    data.resourceCountIs("AWS::DynamoDB::Table", 1);
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
    expect(table.LocalSecondaryIndexes).toBeUndefined();
  });

  it("retains the table, key and secret, with PITR, deletion protection and the customer-managed key", () => {
    for (const id of ["SettlewatchTable", "SettlewatchDataKey", "SettlewatchWebhookSecrets"]) {
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

describe("functions", () => {
  const fns = (): Record<"ingest" | "operator", DeployedFunction> => ({
    ingest: synth.api.ingestConfirmations,
    operator: synth.api.operatorApi,
  });
  const fnProps = (fn: DeployedFunction) => resources(api)[apiId(fn.function)]?.Properties ?? {};

  it("run nodejs24.x on arm64 with JSON logs into their own log group, traced (API path)", () => {
    for (const fn of Object.values(fns())) {
      expect(fnProps(fn)).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
        LoggingConfig: {
          LogFormat: "JSON",
          LogGroup: { Ref: apiId(fn.logGroup) },
        },
      });
    }
  });

  it("set exactly the variables of each handler's env schema (plus NODE_OPTIONS for source maps)", () => {
    const variables = (fn: DeployedFunction) =>
      (fnProps(fn).Environment as { Variables: Record<string, unknown> }).Variables;
    const ingest = variables(fns().ingest);
    const operator = variables(fns().operator);
    expect(Object.keys(ingest).sort()).toEqual([...envKeys.ingestConfirmations, "NODE_OPTIONS"].sort());
    expect(Object.keys(operator).sort()).toEqual([...envKeys.operatorApi, "NODE_OPTIONS"].sort());
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
    const groups = Object.values(resources(api)).filter((r) => r.Type === "AWS::Logs::LogGroup");
    expect(groups).toHaveLength(3); // two functions + API access logs
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(deployment.logRetentionDays);
  });

  it("ship an ES module bundle with its source map and the AWS SDK inside", () => {
    for (const fn of Object.values(fns())) {
      const code = fnProps(fn).Code as { S3Key: string };
      const dir = join(synth.outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
      expect(existsSync(join(dir, "index.mjs.map")), dir).toBe(true);
      const bundle = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(bundle.startsWith(FUNCTION_BUNDLING.banner)).toBe(true);
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
  /** Every (action, resource) pair the role's inline policies allow, resources given readable names. */
  function grants(fn: DeployedFunction): string[] {
    const roleId = apiId(fn.role);
    const logGroupId = apiId(fn.logGroup);
    const label = (resource: unknown): string => {
      const text = JSON.stringify(resource);
      if (resource === "*") return "*";
      if (text === JSON.stringify({ "Fn::GetAtt": [logGroupId, "Arn"] })) return "own-log-group";
      if (text.includes("SettlewatchTableArn")) return `table${text.match(/\/index\/\w+/)?.[0] ?? ""}`;
      if (text.includes("SettlewatchDataKeyArn")) return "data-key";
      if (text.includes("RefSettlewatchWebhookSecrets")) return "webhook-secret";
      const parameter = text.match(/:parameter(\/[^"]+)"/);
      if (parameter) return `parameter${parameter[1]}`;
      return text;
    };
    const policies = Object.values(resources(api)).filter(
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
        for (const action of actions) for (const target of targets) pairs.push(`${action} ${label(target)}`);
      }
    }
    expect(resources(api)[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    return pairs.sort();
  }

  const common = [
    "logs:CreateLogStream own-log-group",
    "logs:PutLogEvents own-log-group",
    "xray:PutTelemetryRecords *",
    "xray:PutTraceSegments *",
    ...[
      "GetItem",
      "BatchGetItem",
      "Query",
      "ConditionCheckItem",
      "PutItem",
      "UpdateItem",
      "BatchWriteItem",
    ].map((action) => `dynamodb:${action} table`),
    "dynamodb:Query table/index/due",
    "dynamodb:Query table/index/order",
    ...[
      "Decrypt",
      "DescribeKey",
      "Encrypt",
      "ReEncryptFrom",
      "ReEncryptTo",
      "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext",
    ].map((action) => `kms:${action} data-key`),
    "ssm:GetParameter parameter/settlewatch/cn-example/calendar-overrides",
  ];

  it("ingest function: table read/write, the one webhook secret, the one calendar parameter, nothing else", () => {
    expect(grants(synth.api.ingestConfirmations)).toEqual(
      [...common, "secretsmanager:GetSecretValue webhook-secret"].sort(),
    );
  });

  it("operator function: the same without the webhook secret", () => {
    expect(grants(synth.api.operatorApi)).toEqual([...common].sort());
  });

  it("roles can be assumed by Lambda only", () => {
    const roles = Object.values(resources(api)).filter((r) => r.Type === "AWS::IAM::Role");
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Statement: [
          { Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } },
        ],
        Version: "2012-10-17",
      });
    }
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
        { route: "PUT /v1/merchants/{merchantId}", auth: "AWS_IAM", target: operator },
        { route: "GET /v1/merchants/{merchantId}", auth: "AWS_IAM", target: operator },
        { route: "GET /v1/payments/{acquirer}/{paymentId}", auth: "AWS_IAM", target: operator },
      ].sort(byName("route")),
    );
    api.resourceCountIs("AWS::ApiGatewayV2::Authorizer", 0); // IAM needs no authorizer resource
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
        "AwsSolutions-IAM5[Resource::*] Settlewatch-cn-example-Api/IngestConfirmations/Role/DefaultPolicy/Resource",
        "AwsSolutions-IAM5[Resource::*] Settlewatch-cn-example-Api/OperatorApi/Role/DefaultPolicy/Resource",
      ].sort(),
    );
    for (const violation of nag?.suppressedViolations ?? [])
      expect(violation.reason.length).toBeGreaterThan(80);
  });

  it("leaves no error annotation on either stack", () => {
    expect(Annotations.fromStack(synth.data).findError("*", Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(synth.api).findError("*", Match.anyValue())).toEqual([]);
  });
});
