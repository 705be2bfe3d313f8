import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { systemClock } from "../adapters/clock/system-clock.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { DynamoDbSettlementStore } from "../adapters/dynamodb/settlement-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { SfnDistributedIngest } from "../adapters/sfn/sfn-distributed-ingest.js";
import { SqsNoticeQueue } from "../adapters/sqs/sqs-notice-queue.js";
import { parseAcquirerCsvMappings } from "../domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { inputLimitsSchema } from "../domain/validation/input-limits.js";
import type { DistributedIngestEnv, IngestSettlementFileEnv } from "../shared/env.js";
import { metrics } from "../shared/observability.js";
import type { IngestSettlementFileDeps } from "../use-cases/ingest-settlement-file.js";
import { scheduleArrivedNotices } from "../use-cases/run-overdue-check.js";

type SettlementEnv = Pick<
  IngestSettlementFileEnv & DistributedIngestEnv,
  "TABLE_NAME" | "DUE_SHARDS" | "ACQUIRER_CSV_MAPPINGS" | "NOTICE_QUEUE_URL" | "INPUT_LIMITS"
>;

/**
 * Wires the settlement-file use case to AWS, once per Lambda container: the single-file ingest
 * and the distributed chunk worker use the same ports. Late payments that settle get their
 * "arrived" notice queued for the notifier.
 */
export function awsSettlementDependencies(env: SettlementEnv): IngestSettlementFileDeps & {
  metrics: EmfBusinessMetrics;
} {
  const db = documentClient(new DynamoDBClient({}));
  const acquirerCsvJson = JSON.parse(env.ACQUIRER_CSV_MAPPINGS) as unknown[];
  const merchants = new DynamoDbMerchantRepository(db, env.TABLE_NAME);
  const noticeDeps = {
    merchants,
    notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
    queue: new SqsNoticeQueue(new SQSClient({}), env.NOTICE_QUEUE_URL),
    clock: systemClock,
    config: { dueShards: env.DUE_SHARDS },
  };
  return {
    store: new DynamoDbSettlementStore(db, env.TABLE_NAME),
    merchants,
    fileDays: new DynamoDbFileDayLedger(db, env.TABLE_NAME),
    clock: systemClock,
    metrics: new EmfBusinessMetrics(metrics),
    inputLimits: inputLimitsSchema.parse(JSON.parse(env.INPUT_LIMITS)),
    acquirerCsv: acquirerCsvJson.length > 0 ? parseAcquirerCsvMappings(acquirerCsvJson) : [],
    onSettledLate: (payments) => scheduleArrivedNotices(payments, noticeDeps),
  };
}

/** Large files go to the distributed ingest (Step Functions) when the deployment configures one. */
export function awsDistributedIngestStarter(
  env: Pick<IngestSettlementFileEnv, "DISTRIBUTED_INGEST_STATE_MACHINE_ARN" | "DISTRIBUTED_THRESHOLD_BYTES">,
) {
  const stateMachineArn = env.DISTRIBUTED_INGEST_STATE_MACHINE_ARN;
  if (!stateMachineArn || env.DISTRIBUTED_THRESHOLD_BYTES === undefined) return undefined;
  return {
    starter: new SfnDistributedIngest(new SFNClient({}), stateMachineArn),
    thresholdBytes: env.DISTRIBUTED_THRESHOLD_BYTES,
  };
}
