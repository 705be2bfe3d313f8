import { ArnFormat, CfnOutput, Duration, Fn, Stack, type StackProps } from "aws-cdk-lib";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as logsLib from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
import { SETTLEMENT_INGEST_DELETABLE_PARTITIONS } from "../../functions/adapters/dynamodb/deletable-partitions.js";
import { parseAcquirerCsvMappings } from "../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { distributedIngestEnvSchema, ingestSettlementFileEnvSchema } from "../../functions/shared/env.js";
import type { Deployment } from "../config/deployment-schema.js";
import { INCOMING_PREFIX, settlementFileIngestTimeout } from "../constructs/settlement-file-store.js";
import {
  type BindableBucket,
  type BindableQueue,
  type BindableTable,
  nagResource,
  SETTLEMENT_STORE_INDEXES,
  SettlewatchFunction,
} from "../constructs/settlewatch-function.js";
import { acknowledgeNagFinding } from "../nag.js";

/**
 * The only items the ingest deletes: a bank credit held until the acquirer file of its payout batch
 * came (settlement-store.ts releaseCredit), partition `HELDCREDIT#<currency>`.
 */
export const DELETABLE_PARTITIONS = SETTLEMENT_INGEST_DELETABLE_PARTITIONS;

/** Files ingested per invocation: one, so a run's deadline and resume concern a single file. */
export const SETTLEMENT_FILE_BATCH_SIZE = 1;

export interface SettlementFilesStackProps extends StackProps {
  readonly deployment: Deployment;
  readonly table: BindableTable;
  /** The data stack's settlement-files bucket (SSE-KMS), read under incoming/ only. */
  readonly bucket: BindableBucket;
  /** The data stack's queue of the bucket's "object created" notifications. */
  readonly queue: BindableQueue;
  /** The notifications stack's notice queue: "your money arrived" notices for late payments a file settles. */
  readonly noticeQueue: BindableQueue;
}

/**
 * The settlement-file ingest: S3 "object created" under incoming/ → SQS (data stack) → this
 * function, one file per invocation, bounded concurrency, partial batch responses; a run that nears
 * its timeout stops and hands the file back, to be resumed from its checkpoint when the message is
 * delivered again. Its alarms (dead-letter queue, failed distributed executions) are the
 * monitoring stack's.
 *
 * Stateless, and its own stack: it depends on the data stack (table, bucket, queue) and on the
 * notifications stack (notice queue) and nothing but monitoring depends on it, so there is no cycle.
 * The queue cannot live here: the bucket's notification names it (see SettlementFileStore).
 */
export class SettlementFilesStack extends Stack {
  readonly ingestSettlementFile: SettlewatchFunction<typeof ingestSettlementFileEnvSchema>;
  /** Plan, chunk workers and merge of the distributed path: one function, the state machine passes the step. */
  readonly distributedIngest: SettlewatchFunction<typeof distributedIngestEnvSchema>;
  readonly distributedIngestStateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: SettlementFilesStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    const ingest = deployment.settlementFiles.ingest;

    const files = deployment.settlementFiles;
    this.ingestSettlementFile = new SettlewatchFunction(this, "IngestSettlementFile", {
      entry: "functions/handlers/ingest-settlement-file.handler.ts",
      description: `settlewatch ${deployment.name}: ingest settlement files dropped under s3://<bucket>/${INCOMING_PREFIX}`,
      envSchema: ingestSettlementFileEnvSchema,
      // CALENDAR_OVERRIDES_PARAMETER (optional in the schema) is left out: the handler reads no
      // calendar, so it gets no SSM grant either.
      environment: {
        ...settlementFunctionEnvironment(deployment),
        DISTRIBUTED_THRESHOLD_BYTES: String(files.distributedThresholdBytes),
      },
      logRetention: deployment.logRetentionDays as logs.RetentionDays,
      timeout: settlementFileIngestTimeout(deployment),
      memorySize: ingest.memoryMb,
    })
      .bindTable(props.table, "RW", {
        indexes: SETTLEMENT_STORE_INDEXES,
        deletablePartitions: DELETABLE_PARTITIONS,
      })
      .bindBucketReader("SETTLEMENT_BUCKET", props.bucket, INCOMING_PREFIX)
      .bindQueueSender("NOTICE_QUEUE_URL", props.noticeQueue)
      .consumeQueue(props.queue, {
        batchSize: SETTLEMENT_FILE_BATCH_SIZE,
        maxConcurrency: ingest.maxConcurrency,
      });

    this.distributedIngest = new SettlewatchFunction(this, "DistributedIngest", {
      entry: "functions/handlers/distributed-ingest.handler.ts",
      description: `settlewatch ${deployment.name}: distributed ingest of large settlement files (plan, chunk worker, merge)`,
      envSchema: distributedIngestEnvSchema,
      environment: {
        ...settlementFunctionEnvironment(deployment),
        DISTRIBUTED_CHUNK_BYTES: String(files.distributedChunkBytes),
      },
      logRetention: deployment.logRetentionDays as logs.RetentionDays,
      timeout: settlementFileIngestTimeout(deployment),
      memorySize: ingest.memoryMb,
    })
      .bindTable(props.table, "RW", {
        indexes: SETTLEMENT_STORE_INDEXES,
        deletablePartitions: DELETABLE_PARTITIONS,
      })
      .bindBucketReader("SETTLEMENT_BUCKET", props.bucket, INCOMING_PREFIX)
      .bindQueueSender("NOTICE_QUEUE_URL", props.noticeQueue);
    this.distributedIngestStateMachine = distributedIngestStateMachine(
      this,
      this.distributedIngest,
      files.distributedMaxConcurrency,
      deployment.logRetentionDays as logs.RetentionDays,
    );

    this.ingestSettlementFile.bindStateMachineStarter(
      "DISTRIBUTED_INGEST_STATE_MACHINE_ARN",
      this.distributedIngestStateMachine,
    );

    new CfnOutput(this, "IngestSettlementFileLogGroup", {
      value: this.ingestSettlementFile.logGroup.logGroupName,
    });
  }
}

/**
 * ACQUIRER_CSV_MAPPINGS from the deployment: every acquirer's CSV mappings, in configuration order,
 * as the config wrote them (the function fills in the defaults when it parses them at init). Checked
 * here with that same parser, so a mapping the function would refuse fails synth.
 */
export function settlementFileEnvironment(deployment: Deployment): { ACQUIRER_CSV_MAPPINGS: string } {
  const mappings = deployment.acquirers.flatMap((acquirer) => acquirer.csvMappings ?? []);
  if (mappings.length === 0) return { ACQUIRER_CSV_MAPPINGS: "[]" };
  parseAcquirerCsvMappings(mappings);
  return { ACQUIRER_CSV_MAPPINGS: JSON.stringify(mappings) };
}

/** What both settlement-file functions (single-file ingest and distributed chunk worker) are given. */
function settlementFunctionEnvironment(deployment: Deployment) {
  return {
    DEPLOYMENT: deployment.name,
    DUE_SHARDS: String(deployment.dueShards),
    DEFAULT_MERCHANT_TERMS: JSON.stringify(deployment.defaultMerchantTerms),
    INPUT_LIMITS: JSON.stringify(deployment.inputLimits),
    POWERTOOLS_SERVICE_NAME: "settlewatch",
    POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
    ...settlementFileEnvironment(deployment),
  };
}

/** The error a chunk worker throws when it stops at its deadline: retried, it resumes from its checkpoint. */
export const CHUNK_RESUME_ERROR = "IngestInterruptedError";
/** Retries of a chunk worker that ran out of time (each one a full run of the function's timeout). */
export const CHUNK_RESUME_ATTEMPTS = 10;

/**
 * Plan → Distributed Map over the plan's byte ranges (one chunk worker per range, at most
 * `maxConcurrency` at once, no failure tolerated) → merge. Each step is the same function with
 * `step` set; a chunk worker that reaches its deadline throws IngestInterruptedError and the retry
 * resumes it from its checkpoint. Started by the ingest function with the file's sha256 as the
 * execution name, so a file is handed over once.
 */
function distributedIngestStateMachine(
  scope: Construct,
  steps: SettlewatchFunction<typeof distributedIngestEnvSchema>,
  maxConcurrency: number,
  logRetention: logs.RetentionDays,
): sfn.StateMachine {
  const invoke = (id: string, payload: Record<string, unknown>) =>
    new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: steps.function,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    });
  const plan = invoke("Plan", { step: "plan", file: sfn.JsonPath.objectAt("$.file") }).addRetry({
    errors: [sfn.Errors.ALL],
    maxAttempts: 3,
    interval: Duration.seconds(5),
    backoffRate: 2,
  });
  const chunk = invoke("Chunk", {
    step: "chunk",
    file: sfn.JsonPath.objectAt("$.file"),
    range: sfn.JsonPath.objectAt("$.range"),
  })
    .addRetry({
      errors: [CHUNK_RESUME_ERROR],
      maxAttempts: CHUNK_RESUME_ATTEMPTS,
      interval: Duration.seconds(1),
      backoffRate: 1,
    })
    .addRetry({ errors: [sfn.Errors.ALL], maxAttempts: 3, interval: Duration.seconds(10), backoffRate: 2 });
  const chunks = new sfn.DistributedMap(scope, "Chunks", {
    itemsPath: sfn.JsonPath.stringAt("$.ranges"),
    itemSelector: {
      file: sfn.JsonPath.objectAt("$.file"),
      range: sfn.JsonPath.objectAt("$$.Map.Item.Value"),
    },
    maxConcurrency,
    toleratedFailureCount: 0,
    resultPath: sfn.JsonPath.DISCARD,
  });
  chunks.itemProcessor(chunk);
  const merge = invoke("Merge", {
    step: "merge",
    file: sfn.JsonPath.objectAt("$.file"),
    chunks: sfn.JsonPath.numberAt("$.chunks"),
  }).addRetry({ errors: [sfn.Errors.ALL], maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });

  const logGroup = new logsLib.LogGroup(scope, "DistributedIngestExecutions", { retention: logRetention });
  const stateMachine = new sfn.StateMachine(scope, "DistributedIngestStateMachine", {
    comment: "settlewatch: a large settlement file read in chunks (plan, chunk workers, merge)",
    definitionBody: sfn.DefinitionBody.fromChainable(plan.next(chunks).next(merge)),
    timeout: Duration.hours(24),
    // X-Ray stays on the API path only; executions are observed through their history, these logs
    // and the failed-executions alarm.
    tracingEnabled: false,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
  acknowledgeNagFinding(
    stateMachine,
    "AwsSolutions-SF2",
    "X-Ray is kept to the request path (the HTTP API functions) by design; this batch state machine is observed through its execution history, its CloudWatch log group (level ALL) and the failed-executions alarm.",
  );
  acknowledgeNagFinding(
    stateMachine,
    "AwsSolutions-IAM5[Resource::*]",
    "Step Functions needs CloudWatch Logs delivery (CreateLogDelivery, GetLogDelivery, ...) on Resource *: these actions support no resource-level permissions. Everything else names this state machine's own function and executions.",
  );
  // Findings on tokens are named as cdk-nag sees them in the template: written once the app is prepared.
  stateMachine.node.addValidation({
    validate: () => {
      const stack = Stack.of(stateMachine);
      acknowledgeNagFinding(
        stateMachine,
        `AwsSolutions-IAM5[Resource::${nagResource(stack, `${steps.function.functionArn}:*`)}]`,
        "LambdaInvoke grants invoking the step function and its versions/aliases (<arn>:*); it is this state machine's one function.",
      );
      const name = Fn.select(6, Fn.split(":", stateMachine.stateMachineArn));
      for (const resourceName of [`${name}:*`, `${name}/*:*`]) {
        const executions = stack.formatArn({
          service: "states",
          resource: "execution",
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          resourceName,
        });
        acknowledgeNagFinding(
          stateMachine,
          `AwsSolutions-IAM5[Resource::${nagResource(stack, executions)}]`,
          "A Distributed Map runs its items as child executions of this state machine and must describe/stop them; their names are generated at run time, so only this state machine's executions (<name>:*, <name>/*:*) are granted.",
        );
      }
      return [];
    },
  });
  return stateMachine;
}
