import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { DynamoDbSettlementStore } from "../adapters/dynamodb/settlement-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { openObject } from "../adapters/s3/s3-settlement-files.js";
import { SqsNoticeQueue } from "../adapters/sqs/sqs-notice-queue.js";
import { parseAcquirerCsvMappings } from "../domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { distributedIngestEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import {
  type ChunkRange,
  ingestSettlementFile,
  mergeSettlementFileChunks,
  planSettlementFile,
} from "../use-cases/ingest-settlement-file.js";
import { systemClock } from "../use-cases/ports.js";
import { scheduleArrivedNotices } from "../use-cases/run-overdue-check.js";

/** The file an execution is about: what the SQS-triggered ingest handler starts it with. */
export interface DistributedFile {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  fileId: string;
  acquirer: string;
  fileName: string;
  fileDay?: string | undefined;
  size: number;
}

export type DistributedIngestEvent =
  | { step: "plan"; file: DistributedFile }
  | { step: "chunk"; file: DistributedFile; range: ChunkRange }
  | { step: "merge"; file: DistributedFile; chunks: number };

const env = distributedIngestEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const s3 = new S3Client({});
const businessMetrics = new EmfBusinessMetrics(metrics);
const acquirerCsvJson = JSON.parse(env.ACQUIRER_CSV_MAPPINGS) as unknown[];
const merchants = new DynamoDbMerchantRepository(db, env.TABLE_NAME);
const noticeDeps = {
  merchants,
  notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
  queue: new SqsNoticeQueue(new SQSClient({}), env.NOTICE_QUEUE_URL),
  clock: systemClock,
  config: { dueShards: env.DUE_SHARDS },
};
const deps = {
  store: new DynamoDbSettlementStore(db, env.TABLE_NAME),
  merchants,
  fileDays: new DynamoDbFileDayLedger(db, env.TABLE_NAME),
  clock: systemClock,
  metrics: businessMetrics,
  acquirerCsv: acquirerCsvJson.length > 0 ? parseAcquirerCsvMappings(acquirerCsvJson) : [],
  onSettledLate: (payments: Parameters<typeof scheduleArrivedNotices>[0]) =>
    scheduleArrivedNotices(payments, noticeDeps),
};

function inputOf(file: DistributedFile) {
  return {
    fileId: file.fileId,
    acquirer: file.acquirer,
    fileName: file.fileName,
    fileDay: file.fileDay,
    open: openObject(s3, file.bucket, file.key, file.versionId),
  };
}

/**
 * The three steps of the distributed-ingest state machine. plan: the byte ranges (the Map's
 * items); chunk: one chunk worker (ingestSettlementFile over a range; a run that nears the
 * timeout stops at a checkpoint and throws, and the state machine's retry resumes it); merge:
 * the chunk records into the file record, once.
 */
const distributedIngest = async (event: DistributedIngestEvent, context: Context) => {
  try {
    switch (event.step) {
      case "plan": {
        const plan = await planSettlementFile(inputOf(event.file), deps, {
          size: event.file.size,
          chunkBytes: env.DISTRIBUTED_CHUNK_BYTES,
        });
        if (!plan.splittable) throw new Error(`file ${event.file.fileId} (${plan.format}) cannot be split`);
        logger.info("settlement file planned", { fileId: event.file.fileId, chunks: plan.ranges.length });
        return { file: event.file, chunks: plan.ranges.length, ranges: plan.ranges };
      }
      case "chunk": {
        const deadline = Date.now() + context.getRemainingTimeInMillis() - 30_000;
        const result = await ingestSettlementFile(
          { ...inputOf(event.file), range: event.range },
          { ...deps, deadline },
        );
        return { index: event.range.index, duplicate: result.duplicate, counts: result.file.counts };
      }
      case "merge": {
        const result = await mergeSettlementFileChunks(
          { ...inputOf(event.file), chunks: event.chunks },
          deps,
        );
        logger.info("settlement file done", {
          fileId: event.file.fileId,
          key: event.file.key,
          chunks: event.chunks,
          duplicate: result.duplicate,
          counts: result.file.counts,
        });
        return { fileId: event.file.fileId, status: result.file.status, counts: result.file.counts };
      }
    }
  } finally {
    businessMetrics.flush();
  }
};

export const handler = middy(distributedIngest).use(injectLambdaContext(logger)).use(logMetrics(metrics));
