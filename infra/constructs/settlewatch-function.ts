import { fileURLToPath } from "node:url";
import { Duration, Stack, Token } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { z } from "zod";
import {
  AMOUNT_INDEX,
  DUE_INDEX,
  ORDER_INDEX,
  type tableDefinition,
} from "../../functions/shared/table-schema.js";
import { acknowledgeNagFinding } from "../nag.js";
import { FUNCTION_HANDLER, FUNCTION_NODE_OPTIONS, FUNCTION_RUNTIME, functionCode } from "./bundling.js";

/** The repository root: entries, package-lock.json and node_modules are resolved from here. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Variables that name a resource. They are not given as plain props: each comes with its grant,
 * through a bind method (`bindTable`, `bindSecret`, `bindParameter`, `bindQueueSender`,
 * `bindTopicPublisher`, `bindMerchantEmailTopics`, `bindBucketReader`, `bindStateMachineStarter`), so a variable and its permission cannot drift
 * apart. A forgotten bind fails synth (see the validation in the constructor).
 */
export type ResourceEnvKey =
  | "TABLE_NAME"
  | "WEBHOOK_SECRETS_ID"
  | "SIGN_IN_SECRET_ID"
  | "CALENDAR_OVERRIDES_PARAMETER"
  | "NOTICE_QUEUE_URL"
  | "OPS_TOPIC_ARN"
  | "EMAIL_TOPIC_PREFIX"
  | "EMAIL_TOPIC_KMS_KEY"
  | "SNS_TOPIC_ARN_PREFIX"
  | "SETTLEMENT_BUCKET"
  | "DISTRIBUTED_INGEST_STATE_MACHINE_ARN";

type Output<S extends z.ZodObject> = z.output<S>;
/** Keys the schema declares `.optional()` (a default does not make a key optional here: it is still set). */
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T] & string;
/**
 * Every variable a function's env schema declares, as a string (CDK tokens included). Variables the
 * schema marks optional (SMS_SENDER_ID...) may be left out: an empty string would be a value.
 */
export type FunctionEnvironment<S extends z.ZodObject> = {
  [K in Exclude<keyof Output<S> & string, OptionalKeys<Output<S>>>]: string;
} & { [K in OptionalKeys<Output<S>>]?: string };

/** Variables set for the runtime itself, beyond the handler's schema. */
const RUNTIME_ENV_KEYS = new Set(["NODE_OPTIONS"]);

export type TableAccess = "RO" | "RW";
/** A global secondary index of the table (functions/shared/table-schema.ts). */
export type TableIndexName = (typeof tableDefinition.GlobalSecondaryIndexes)[number]["IndexName"];
/** What bindTable grants Query on unless told otherwise: the due index and the order lookup. */
export const DEFAULT_TABLE_INDEXES: readonly TableIndexName[] = [DUE_INDEX.name, ORDER_INDEX.name];
/**
 * Functions that use the settlement store (functions/adapters/dynamodb/settlement-store.ts): its
 * lookups query the order and the amount index as well.
 */
export const SETTLEMENT_STORE_INDEXES: readonly TableIndexName[] = [
  DUE_INDEX.name,
  ORDER_INDEX.name,
  AMOUNT_INDEX.name,
];

/** Lambda's limit on a function's environment: all keys and values together. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
/** Bytes counted for a value only known at deploy (a queue URL, a bucket name, an ARN). */
const UNRESOLVED_VALUE_BYTES = 128;

// What the bind methods read from a table or secret. Structural, so a Table, an imported ITable or
// a Secret fits (CDK's own interfaces clash with exactOptionalPropertyTypes).
export interface BindableTable {
  readonly tableName: string;
  readonly tableArn: string;
  readonly encryptionKey?: IKey | undefined;
  /** Set when the table has a stream (the settlewatch table always has). */
  readonly tableStreamArn?: string | undefined;
}
export interface BindableSecret {
  readonly secretArn: string;
  readonly encryptionKey?: IKey | undefined;
}
export interface BindableQueue {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly encryptionMasterKey?: IKey | undefined;
}
/** A bucket; `encryptionKey` is its default SSE-KMS key. */
export interface BindableBucket {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly encryptionKey?: IKey | undefined;
}
export interface BindableTopic {
  readonly topicArn: string;
  readonly masterKey?: IKey | undefined;
}
/** The merchant email topics: created at run time by the operator API, `<prefix>-merchant-<id>`. */
export interface MerchantEmailTopics {
  /** EMAIL_TOPIC_PREFIX; see functions/adapters/sns/merchant-email-topics.ts. */
  readonly prefix: string;
  /** The key every merchant topic is created with. */
  readonly key: IKey;
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
/** What a producer needs on the key of an encrypted SQS queue or SNS topic (AWS docs: GenerateDataKey, Decrypt). */
const KEY_PRODUCER_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];
/** What the Lambda SQS event source needs (the AWSLambdaSQSQueueExecutionRole actions), plus Decrypt on an encrypted queue. */
const QUEUE_CONSUMER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/**
 * Samples for CloudFormation pseudo parameters, so a value built from them (the SNS ARN prefix
 * `arn:${AWS::Partition}:sns:<region>:${AWS::AccountId}:`) is still checked against its schema at
 * synth. A value that refers to a resource (a queue URL, a topic ARN) is known at deploy only: its
 * bind method vouches for its shape instead.
 */
const PSEUDO_PARAMETER_SAMPLES: Readonly<Record<string, string>> = {
  "AWS::AccountId": "123456789012",
  "AWS::Partition": "aws",
  "AWS::Region": "us-east-1",
  "AWS::URLSuffix": "amazonaws.com",
};

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
  /** Run at synth after esbuild, to add files to the bundle in `outputDir` (the merchant page's). */
  readonly afterBundling?: (outputDir: string) => void;
}

export interface TableStreamConsumerOptions {
  /** Records per invocation. */
  readonly batchSize: number;
  /** Which records invoke the function at all (Lambda event filtering; the rest cost nothing). */
  readonly filters: ReadonlyArray<Record<string, unknown>>;
  /** Retries of a failing batch (halved on each error) before its position goes to `onFailure`. */
  readonly retryAttempts: number;
  /** Where the event source sends the position of records it gave up on. */
  readonly onFailure: BindableQueue;
  /** A tumbling window: the event then names its stream shard (`shardId`); its state is unused. */
  readonly tumblingWindow?: Duration;
}

export interface QueueConsumerOptions {
  /** Messages per invocation (1-10 for a standard queue without a batching window). */
  readonly batchSize: number;
  /** Most function instances the event source invokes at once (2-1000). */
  readonly maxConcurrency: number;
}

/**
 * The project-wide Lambda function: Node 24 on arm64, ESM bundle (minified, source maps, AWS SDK
 * included), its own log group with a retention, its own role with no managed policies (log
 * permissions on its log group only), and an environment checked against the handler's zod schema.
 */
export class SettlewatchFunction<S extends z.ZodObject> extends Construct {
  readonly function: lambda.Function;
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

    this.function = new lambda.Function(this, "Function", {
      code: functionCode({
        repoRoot: REPO_ROOT,
        entry: `${REPO_ROOT}${props.entry}`,
        afterBundling: props.afterBundling,
      }),
      handler: FUNCTION_HANDLER,
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
      environment: { NODE_OPTIONS: FUNCTION_NODE_OPTIONS },
    });

    if (props.tracing) {
      acknowledgeNagFinding(
        this.role,
        "AwsSolutions-IAM5[Resource::*]",
        "Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource must be *). Every other statement of this role names exact ARNs.",
      );
    }

    for (const [key, value] of Object.entries(props.environment) as Array<[string, string | undefined]>) {
      if (value !== undefined) this.setEnv(key, value);
    }
    this.node.addValidation({ validate: () => this.validateEnvironment() });
  }

  /**
   * Sets TABLE_NAME and grants exactly the table (and index, and key) actions the access level needs:
   * Query on the `indexes` the function's adapters query (default: due and order), and DeleteItem
   * only on items whose partition key matches one of `deletablePartitions` (IAM StringLike
   * patterns on dynamodb:LeadingKeys, e.g. "HELDCREDIT#*"); no DeleteItem without them.
   */
  bindTable(
    table: BindableTable,
    access: TableAccess,
    options: {
      readonly indexes?: readonly TableIndexName[];
      readonly deletablePartitions?: readonly string[];
    } = {},
  ): this {
    this.setEnv("TABLE_NAME", table.tableName);
    const indexes = options.indexes ?? DEFAULT_TABLE_INDEXES;
    if (indexes.length === 0 || new Set(indexes).size !== indexes.length) {
      throw new Error(`${this.node.path}: bindTable needs distinct index names, got ${indexes.join(", ")}`);
    }
    const indexArns = indexes.map((index) => `${table.tableArn}/index/${index}`);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: access === "RW" ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : TABLE_READ_ACTIONS,
        resources: [table.tableArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["dynamodb:Query"], resources: indexArns }),
    );
    const deletable = options.deletablePartitions ?? [];
    if (deletable.length > 0) {
      if (access !== "RW") throw new Error(`${this.node.path}: deletablePartitions needs "RW" access`);
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["dynamodb:DeleteItem"],
          resources: [table.tableArn],
          conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...deletable] } },
        }),
      );
    }
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

  /** Sets `key` to the queue's URL and grants sending to that one queue (and its key, if encrypted). */
  bindQueueSender(key: keyof z.output<S> & ResourceEnvKey, queue: BindableQueue): this {
    this.setEnv(key, queue.queueUrl);
    // sqs:SendMessage also authorizes SendMessageBatch.
    this.allow(["sqs:SendMessage"], [queue.queueArn]);
    if (queue.encryptionMasterKey) this.allow(KEY_PRODUCER_ACTIONS, [queue.encryptionMasterKey.keyArn]);
    return this;
  }

  /** Sets `key` to the state machine's ARN and grants starting executions of that one state machine. */
  bindStateMachineStarter(
    key: keyof z.output<S> & ResourceEnvKey,
    stateMachine: { readonly stateMachineArn: string },
  ): this {
    this.setEnv(key, stateMachine.stateMachineArn);
    this.allow(["states:StartExecution"], [stateMachine.stateMachineArn]);
    return this;
  }

  /**
   * Feeds the function from the queue: an SQS event source with partial batch responses (the
   * handler reports failed records, only those are retried) and bounded concurrency. The grant is
   * written out rather than taken from `SqsEventSource`, which adds ChangeMessageVisibility and
   * GetQueueUrl that the event source never calls.
   */
  consumeQueue(queue: BindableQueue, options: QueueConsumerOptions): this {
    this.function.addEventSourceMapping("QueueEventSource", {
      eventSourceArn: queue.queueArn,
      batchSize: options.batchSize,
      maxConcurrency: options.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.allow(QUEUE_CONSUMER_ACTIONS, [queue.queueArn]);
    if (queue.encryptionMasterKey) this.allow(["kms:Decrypt"], [queue.encryptionMasterKey.keyArn]);
    return this;
  }

  /**
   * Feeds the function from the table's change stream, from the oldest record, with failing
   * batches split in half (bisect) and retried, and the batches given up on sent to `onFailure`.
   * Grants the stream reads on this table's stream (ListStreams has no resource-level permission),
   * Decrypt on the table's key (stream records are encrypted with it) and sending to the queue.
   */
  consumeTableStream(table: BindableTable, options: TableStreamConsumerOptions): this {
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error(`${this.node.path}: the table has no stream`);
    this.function.addEventSourceMapping("TableStreamEventSource", {
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: options.batchSize,
      bisectBatchOnError: true,
      retryAttempts: options.retryAttempts,
      // A tumbling window puts the batch's shardId in the event: the counter's watermark per shard.
      ...(options.tumblingWindow ? { tumblingWindow: options.tumblingWindow } : {}),
      // The destination only; the grant is written out below (SqsDlq's would add KMS wildcards).
      onFailure: { bind: () => ({ destination: options.onFailure.queueArn }) },
      filters: [...options.filters],
    });
    this.allow(["sqs:SendMessage"], [options.onFailure.queueArn]);
    if (options.onFailure.encryptionMasterKey)
      this.allow(KEY_PRODUCER_ACTIONS, [options.onFailure.encryptionMasterKey.keyArn]);
    this.allow(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [streamArn]);
    this.allow(["dynamodb:ListStreams"], ["*"]);
    if (table.encryptionKey) this.allow(["kms:Decrypt"], [table.encryptionKey.keyArn]);
    acknowledgeNagFinding(
      this.role,
      "AwsSolutions-IAM5[Resource::*]",
      "dynamodb:ListStreams, which the DynamoDB stream event source calls, supports no resource-level permissions (Resource must be *); it lists stream ARNs only. The stream reads themselves are granted on this table's stream ARN.",
    );
    return this;
  }

  /**
   * Sets `key` to the bucket's name and grants reading (any version of) the objects under `prefix`
   * only, and decrypting with the bucket's key. Nothing else: no listing, no writing, no deleting.
   */
  bindBucketReader(key: keyof z.output<S> & ResourceEnvKey, bucket: BindableBucket, prefix: string): this {
    if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/.test(prefix)) {
      throw new Error(`${this.node.path}: bucket prefix must be a folder path ending in "/": ${prefix}`);
    }
    this.setEnv(key, bucket.bucketName);
    const objects = `${bucket.bucketArn}/${prefix}*`;
    // GetObject with a VersionId is authorized as s3:GetObjectVersion.
    this.allow(["s3:GetObject", "s3:GetObjectVersion"], [objects]);
    if (bucket.encryptionKey) this.allow(["kms:Decrypt"], [bucket.encryptionKey.keyArn]);
    // The finding names the resource as cdk-nag sees it in the template. A bucket of another stack
    // is only rendered as a cross-stack reference once the app is prepared for synthesis, so the
    // acknowledgment is written then (validation runs after that, and before cdk-nag).
    this.node.addValidation({
      validate: () => {
        acknowledgeNagFinding(
          this.role,
          `AwsSolutions-IAM5[Resource::${nagResource(Stack.of(this), objects)}]`,
          `Object keys are chosen by whoever uploads a file (${prefix}<acquirer>/[<day>/]<file name>), so no template can list them. The wildcard covers only the objects under ${prefix} of this one bucket, and only for GetObject and GetObjectVersion (no list, write or delete).`,
        );
        return [];
      },
    });
    return this;
  }

  /** Sets `key` to the topic's ARN and grants publishing to that one topic (and its key, if encrypted). */
  bindTopicPublisher(key: keyof z.output<S> & ResourceEnvKey, topic: BindableTopic): this {
    this.setEnv(key, topic.topicArn);
    this.allow(["sns:Publish"], [topic.topicArn]);
    if (topic.masterKey) this.allow(KEY_PRODUCER_ACTIONS, [topic.masterKey.keyArn]);
    return this;
  }

  /**
   * The merchant email topics (`<prefix>-merchant-*` in this account and region), created by the
   * operator API at merchant registration and published to by the notifier.
   * - "register": EMAIL_TOPIC_PREFIX and EMAIL_TOPIC_KMS_KEY; CreateTopic (with tags, hence
   *   TagResource) and Subscribe on those topics.
   * - "publish": EMAIL_TOPIC_PREFIX and SNS_TOPIC_ARN_PREFIX; Publish on those topics.
   * Both get the producer actions on the topics' key: the topics are created encrypted with it.
   */
  bindMerchantEmailTopics(topics: MerchantEmailTopics, access: "register" | "publish"): this {
    const stack = Stack.of(this);
    const arnPrefix = `arn:${stack.partition}:sns:${stack.region}:${stack.account}:`;
    const pattern = `${arnPrefix}${topics.prefix}-merchant-*`;
    this.setEnv("EMAIL_TOPIC_PREFIX", topics.prefix);
    if (access === "register") {
      this.setEnv("EMAIL_TOPIC_KMS_KEY", topics.key.keyArn);
      this.allow(["sns:CreateTopic", "sns:Subscribe", "sns:TagResource"], [pattern]);
    } else {
      this.setEnv("SNS_TOPIC_ARN_PREFIX", arnPrefix);
      this.allow(["sns:Publish"], [pattern]);
    }
    this.allow(KEY_PRODUCER_ACTIONS, [topics.key.keyArn]);
    acknowledgeNagFinding(
      this.role,
      `AwsSolutions-IAM5[Resource::${nagResource(stack, pattern)}]`,
      `Merchant email topics are created at run time, one per merchant (${topics.prefix}-merchant-<merchant id>), so no template can list their ARNs. The wildcard covers exactly this deployment's merchant topics in this account and region (deployment names cannot contain a "-merchant" segment, so no other deployment's topics match), and only for ${access === "register" ? "CreateTopic, Subscribe and TagResource" : "Publish"}.`,
    );
    return this;
  }

  /**
   * SMS by SNS Publish with PhoneNumber. SMS has no resource ARN: IAM authorizes the request against
   * the phone number itself, so only Resource "*" allows it. The statement is held to this stack's
   * region (aws:RequestedRegion), where the account's SMS settings (spend limit, sender IDs) apply.
   */
  allowSmsToPhoneNumbers(): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["sns:Publish"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:RequestedRegion": Stack.of(this).region } },
      }),
    );
    acknowledgeNagFinding(
      this.role,
      "AwsSolutions-IAM5[Resource::*]",
      "SNS Publish to a phone number (SMS) has no resource ARN; IAM authorizes it against the phone number, so Resource must be \"*\". The statement is limited to sns:Publish and to this deployment's region (aws:RequestedRegion); topic publishes are granted separately on exact ARNs. Spend is capped by AWS.SNS.SMS.MaxPrice per text and the account's SNS MonthlySpendLimit, alarmed on SMSMonthToDateSpentUSD.",
    );
    return this;
  }

  /**
   * Read one secret that ops create (not the stacks), by name: its ARN ends in "-" and six random
   * characters, so the grant is the name followed by "-??????" (exactly that secret, no other).
   */
  allowSecretByName(secretName: string): this {
    const stack = Stack.of(this);
    const arn = `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${secretName}-??????`;
    this.allow(["secretsmanager:GetSecretValue"], [arn]);
    return this;
  }

  private allow(actions: string[], resources: string[]): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
  }

  private setEnv(key: string, value: string): void {
    if (key in this.env) throw new Error(`${this.node.path}: ${key} is set twice`);
    this.env[key] = value;
    this.function.addEnvironment(key, value);
  }

  /**
   * Synth fails unless the environment has exactly the schema's variables (optional ones may be left
   * out) and each value passes its schema. Values with tokens: pseudo parameters (account,
   * partition) are replaced by samples and the value is checked; a value that names a resource (a
   * queue URL, a topic ARN) is known at deploy only and is vouched for by its bind method.
   */
  private validateEnvironment(): string[] {
    const shape = this.envSchema.shape as Record<string, z.ZodType>;
    const errors = Object.entries(shape)
      .filter(([key, schema]) => !(key in this.env) && schema.def.type !== "optional")
      .map(([key]) => `${key} is not set (resource variables need their bind method)`);
    for (const [key, value] of Object.entries(this.env)) {
      const schema = shape[key];
      if (!schema) {
        if (!RUNTIME_ENV_KEYS.has(key)) errors.push(`${key} is not in the env schema`);
        continue;
      }
      const sample = Token.isUnresolved(value) ? sampleValue(Stack.of(this).resolve(value)) : value;
      if (sample === undefined) continue;
      const parsed = schema.safeParse(sample);
      if (!parsed.success) {
        const shown = sample === value ? "" : ` (checked as ${JSON.stringify(sample)})`;
        errors.push(...parsed.error.issues.map((issue) => `${key}: ${issue.message}${shown}`));
      }
    }
    const bytes = this.environmentBytes();
    if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      errors.push(
        `${bytes} bytes of variables (values known at deploy only counted as ${UNRESOLVED_VALUE_BYTES}); Lambda takes ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} in all`,
      );
    }
    return errors.map((error) => `environment of ${this.node.id}: ${error}`);
  }

  /** Size of the environment as Lambda counts it (keys and values), NODE_OPTIONS included. */
  private environmentBytes(): number {
    const variables = { ...this.env, NODE_OPTIONS: FUNCTION_NODE_OPTIONS };
    return Object.entries(variables).reduce((total, [key, value]) => {
      const known = Token.isUnresolved(value) ? undefined : value;
      return (
        total +
        Buffer.byteLength(key) +
        (known === undefined ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(known))
      );
    }, 0);
  }
}

/**
 * A resolved value with its pseudo parameters replaced by samples; undefined when it refers to a
 * resource (Ref or GetAtt of a resource, or anything else only CloudFormation can compute).
 */
function sampleValue(resolved: unknown): string | undefined {
  if (typeof resolved === "string") return resolved;
  if (typeof resolved !== "object" || resolved === null) return undefined;
  const entries = Object.entries(resolved);
  const [intrinsic, argument] = entries[0] ?? [];
  if (entries.length !== 1) return undefined;
  if (intrinsic === "Ref" && typeof argument === "string") return PSEUDO_PARAMETER_SAMPLES[argument];
  if (intrinsic === "Fn::Join" && Array.isArray(argument)) {
    const [separator, parts] = argument as [unknown, unknown];
    if (typeof separator !== "string" || !Array.isArray(parts)) return undefined;
    const samples = parts.map(sampleValue);
    return samples.every((part) => part !== undefined) ? samples.join(separator) : undefined;
  }
  return undefined;
}

/**
 * How cdk-nag names a resource in a finding (its flattenCfnReference): tokens resolved, Ref as <X>,
 * GetAtt as <X.Attr>, anything else (a cross-stack Fn::GetStackOutput) as its JSON.
 */
export function nagResource(stack: Stack, value: string): string {
  const render = (resolved: unknown): string => {
    if (typeof resolved === "string") return resolved.replace(/\$\{/g, "<").replace(/\}/g, ">");
    const [intrinsic, argument] = Object.entries(resolved as object)[0] ?? [];
    if (intrinsic === "Ref") return `<${render(argument)}>`;
    if (intrinsic === "Fn::GetAtt" && Array.isArray(argument)) {
      const [resource, attribute] = argument as [unknown, unknown];
      return `<${render(resource)}.${render(attribute)}>`;
    }
    if ((intrinsic === "Fn::Sub" || intrinsic === "Fn::ImportValue") && argument !== undefined)
      return render(argument);
    if (intrinsic === "Fn::Join" && Array.isArray(argument)) {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    return JSON.stringify(resolved);
  };
  return render(stack.resolve(value));
}
