import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as logs from "aws-cdk-lib/aws-logs";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { parseAcquirerCsvMappings } from "../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { ingestSettlementFileEnvSchema } from "../../functions/shared/env.js";
import { keys } from "../../functions/shared/table-schema.js";
import type { Deployment } from "../config/deployment-schema.js";
import {
  INCOMING_PREFIX,
  SETTLEMENT_FILE_DEAD_LETTER_RETENTION,
  settlementFileIngestTimeout,
} from "../constructs/settlement-file-store.js";
import {
  type BindableBucket,
  type BindableQueue,
  type BindableTable,
  SETTLEMENT_STORE_INDEXES,
  SettlewatchFunction,
} from "../constructs/settlewatch-function.js";

/**
 * The only items the ingest deletes: a bank credit held until the acquirer file of its payout batch
 * came (settlement-store.ts releaseCredit), partition `HELDCREDIT#<currency>`.
 */
export const DELETABLE_PARTITIONS = [`${keys.heldCredit("", "", "").pk}*`] as const;

/** Files ingested per invocation: one, so a run's deadline and resume concern a single file. */
export const SETTLEMENT_FILE_BATCH_SIZE = 1;

export interface SettlementFilesStackProps extends StackProps {
  readonly deployment: Deployment;
  readonly table: BindableTable;
  /** The data stack's settlement-files bucket (SSE-KMS), read under incoming/ only. */
  readonly bucket: BindableBucket;
  /** The data stack's queue of the bucket's "object created" notifications, and its dead-letter queue. */
  readonly queue: BindableQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** The notifications stack's notice queue: "your money arrived" notices for late payments a file settles. */
  readonly noticeQueue: BindableQueue;
  /** The notifications stack's ops topic: the dead-letter alarm goes there. */
  readonly opsTopic: sns.ITopic;
}

/**
 * The settlement-file ingest: S3 "object created" under incoming/ → SQS (data stack) → this
 * function, one file per invocation, bounded concurrency, partial batch responses; a run that nears
 * its timeout stops and hands the file back, to be resumed from its checkpoint when the message is
 * delivered again. Alarms to the ops topic when a file's message lands in the dead-letter queue.
 *
 * Stateless, and its own stack: it depends on the data stack (table, bucket, queue) and on the
 * notifications stack (notice queue, ops topic) and nothing depends on it, so there is no cycle.
 * The queue cannot live here: the bucket's notification names it (see SettlementFileStore).
 */
export class SettlementFilesStack extends Stack {
  readonly ingestSettlementFile: SettlewatchFunction<typeof ingestSettlementFileEnvSchema>;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SettlementFilesStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    const ingest = deployment.settlementFiles.ingest;

    this.ingestSettlementFile = new SettlewatchFunction(this, "IngestSettlementFile", {
      entry: "functions/handlers/ingest-settlement-file.handler.ts",
      description: `settlewatch ${deployment.name}: ingest settlement files dropped under s3://<bucket>/${INCOMING_PREFIX}`,
      envSchema: ingestSettlementFileEnvSchema,
      // CALENDAR_OVERRIDES_PARAMETER (optional in the schema) is left out: the handler reads no
      // calendar, so it gets no SSM grant either.
      environment: {
        DEPLOYMENT: deployment.name,
        DUE_SHARDS: String(deployment.dueShards),
        DEFAULT_MERCHANT_TERMS: JSON.stringify(deployment.defaultMerchantTerms),
        POWERTOOLS_SERVICE_NAME: "settlewatch",
        POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
        ...settlementFileEnvironment(deployment),
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

    this.deadLetterAlarm = new cloudwatch.Alarm(this, "SettlementFileDeadLetterAlarm", {
      alarmDescription: `settlewatch ${deployment.name}: a settlement file was not ingested after ${ingest.maxReceiveCount} deliveries (resumptions included); its S3 notification waits in the dead-letter queue (kept ${SETTLEMENT_FILE_DEAD_LETTER_RETENTION.toDays()} days from upload). See the ingest-settlement-file function's logs for the object key and error, fix the cause, then redrive the dead-letter queue to the settlement-file queue.`,
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const toOps = new SnsAction(props.opsTopic);
    this.deadLetterAlarm.addAlarmAction(toOps);
    this.deadLetterAlarm.addOkAction(toOps);

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
