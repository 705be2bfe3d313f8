import { fileURLToPath } from "node:url";
import { Duration, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { z } from "zod";
import { DUE_INDEX, ORDER_INDEX } from "../../functions/shared/table-schema.js";
import { acknowledgeNagFinding } from "../nag.js";
import { FUNCTION_BUNDLING, FUNCTION_NODE_OPTIONS, FUNCTION_RUNTIME } from "./bundling.js";

/** The repository root: entries, package-lock.json and node_modules are resolved from here. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Variables that name a resource. They are not given as plain props: each comes with its grant,
 * through `bindTable`, `bindSecret` or `bindParameter`, so a variable and its permission cannot
 * drift apart. A forgotten bind fails synth (see the validation in the constructor).
 */
export type ResourceEnvKey = "TABLE_NAME" | "WEBHOOK_SECRETS_ID" | "CALENDAR_OVERRIDES_PARAMETER";

/** Every variable a function's env schema declares, as a string (CDK tokens included). */
export type FunctionEnvironment<S extends z.ZodObject> = Record<keyof z.output<S> & string, string>;

/** Variables set for the runtime itself, beyond the handler's schema. */
const RUNTIME_ENV_KEYS = new Set(["NODE_OPTIONS"]);

export type TableAccess = "RO" | "RW";

// What the bind methods read from a table or secret. Structural, so a Table, an imported ITable or
// a Secret fits (CDK's own interfaces clash with exactOptionalPropertyTypes).
export interface BindableTable {
  readonly tableName: string;
  readonly tableArn: string;
  readonly encryptionKey?: IKey | undefined;
}
export interface BindableSecret {
  readonly secretArn: string;
  readonly encryptionKey?: IKey | undefined;
}

/** Reads: items by key, queries on the table and on its two indexes. No Scan: nothing should scan. */
const TABLE_READ_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:ConditionCheckItem",
];
/** Writes: conditional puts and updates carry the state machine. No DeleteItem until a use case needs it. */
const TABLE_WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"];
/** What DynamoDB needs from the caller on a customer-managed key (CDK's grants, wildcards spelled out). */
const KEY_READ_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"];
const KEY_WRITE_ACTIONS = [
  "kms:Encrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
];

export interface SettlewatchFunctionProps<S extends z.ZodObject> {
  /** Handler file, relative to the repository root (e.g. "functions/handlers/x.handler.ts"). */
  readonly entry: string;
  readonly description: string;
  /** The handler's env schema (functions/shared/env.ts): the construct sets exactly its variables. */
  readonly envSchema: S;
  /** Plain variables; a missing or unknown key is a compile error. Resource variables come from bind*(). */
  readonly environment: Omit<FunctionEnvironment<S>, ResourceEnvKey>;
  readonly logRetention: logs.RetentionDays;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** Active X-Ray tracing: on for functions behind the API (request path), off elsewhere. @default false */
  readonly tracing?: boolean;
}

/**
 * The project-wide Lambda function: Node 24 on arm64, ESM bundle (minified, source maps, AWS SDK
 * included), its own log group with a retention, its own role with no managed policies (log
 * permissions on its log group only), and an environment checked against the handler's zod schema.
 */
export class SettlewatchFunction<S extends z.ZodObject> extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly env: Record<string, string> = {};
  private readonly envSchema: S;

  constructor(scope: Construct, id: string, props: SettlewatchFunctionProps<S>) {
    super(scope, id);
    this.envSchema = props.envSchema;

    this.logGroup = new logs.LogGroup(this, "Logs", { retention: props.logRetention });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `settlewatch ${id}: execution role`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): this log group only.
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, "Function", {
      entry: `${REPO_ROOT}${props.entry}`,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      bundling: FUNCTION_BUNDLING,
      environment: { NODE_OPTIONS: FUNCTION_NODE_OPTIONS },
    });

    if (props.tracing) {
      acknowledgeNagFinding(
        this.role,
        "AwsSolutions-IAM5[Resource::*]",
        "Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource must be *). Every other statement of this role names exact ARNs.",
      );
    }

    for (const [key, value] of Object.entries(props.environment) as Array<[string, string]>) {
      this.setEnv(key, value);
    }
    this.node.addValidation({ validate: () => this.validateEnvironment() });
  }

  /** Sets TABLE_NAME and grants exactly the table (and index, and key) actions the access level needs. */
  bindTable(table: BindableTable, access: TableAccess): this {
    this.setEnv("TABLE_NAME", table.tableName);
    const indexArns = [DUE_INDEX.name, ORDER_INDEX.name].map((index) => `${table.tableArn}/index/${index}`);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: access === "RW" ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : TABLE_READ_ACTIONS,
        resources: [table.tableArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["dynamodb:Query"], resources: indexArns }),
    );
    if (table.encryptionKey) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: access === "RW" ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : KEY_READ_ACTIONS,
          resources: [table.encryptionKey.keyArn],
        }),
      );
    }
    return this;
  }

  /** Sets `key` to the secret's ARN and grants reading that one secret (and decrypting it). */
  bindSecret(key: keyof z.output<S> & ResourceEnvKey, secret: BindableSecret): this {
    this.setEnv(key, secret.secretArn);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["secretsmanager:GetSecretValue"], resources: [secret.secretArn] }),
    );
    if (secret.encryptionKey) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ["kms:Decrypt"], resources: [secret.encryptionKey.keyArn] }),
      );
    }
    return this;
  }

  /** Sets `key` to a String parameter's name ("/a/b") and grants reading that one parameter. */
  bindParameter(key: keyof z.output<S> & ResourceEnvKey, parameterName: string): this {
    if (!parameterName.startsWith("/")) {
      throw new Error(`${this.node.path}: parameter name must be fully qualified ("/..."): ${parameterName}`);
    }
    this.setEnv(key, parameterName);
    const arn = Stack.of(this).formatArn({
      service: "ssm",
      resource: "parameter",
      resourceName: parameterName.slice(1),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["ssm:GetParameter"], resources: [arn] }),
    );
    return this;
  }

  private setEnv(key: string, value: string): void {
    if (key in this.env) throw new Error(`${this.node.path}: ${key} is set twice`);
    this.env[key] = value;
    this.function.addEnvironment(key, value);
  }

  /** Synth fails unless the environment has exactly the schema's variables and the schema accepts them. */
  private validateEnvironment(): string[] {
    const expected = Object.keys(this.envSchema.shape);
    const errors = expected
      .filter((key) => !(key in this.env))
      .map((key) => `${key} is not set (resource variables need bindTable/bindSecret/bindParameter)`);
    for (const key of Object.keys(this.env)) {
      if (!expected.includes(key) && !RUNTIME_ENV_KEYS.has(key))
        errors.push(`${key} is not in the env schema`);
    }
    if (errors.length === 0) {
      // Tokens (ARNs, names) are strings here, so this checks the literal values: shards, terms JSON...
      const parsed = this.envSchema.safeParse(this.env);
      if (!parsed.success) {
        errors.push(...parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
      }
    }
    return errors.map((error) => `environment of ${this.node.id}: ${error}`);
  }
}
