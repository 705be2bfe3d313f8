import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context, S3Event, SQSEvent, SQSRecord } from "aws-lambda";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { DynamoDbSettlementStore } from "../adapters/dynamodb/settlement-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import {
  openObject,
  parseSettlementObjectKey,
  SettlementKeyError,
  sha256Of,
} from "../adapters/s3/s3-settlement-files.js";
import { SqsNoticeQueue } from "../adapters/sqs/sqs-notice-queue.js";
import { parseAcquirerCsvMappings } from "../domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { UnreadableFileError } from "../domain/settlement-files/settlement-record.js";
import { ingestSettlementFileEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { ingestSettlementFile } from "../use-cases/ingest-settlement-file.js";
import { systemClock } from "../use-cases/ports.js";
import { scheduleArrivedNotices } from "../use-cases/run-overdue-check.js";

const env = ingestSettlementFileEnvSchema.parse(process.env);
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

const processor = new BatchProcessor(EventType.SQS);
let deadline = 0;

/** One S3 "object created" notification, delivered through SQS (retries, DLQ, resume on redelivery). */
async function recordHandler(record: SQSRecord): Promise<void> {
  const event = JSON.parse(record.body) as Partial<S3Event> & { Event?: string };
  if (event.Event === "s3:TestEvent") return;
  for (const notification of event.Records ?? []) {
    const { bucket, object } = notification.s3;
    let where: ReturnType<typeof parseSettlementObjectKey>;
    try {
      where = parseSettlementObjectKey(object.key);
    } catch (error) {
      // A key outside the layout (a console "folder" object, a typo) cannot succeed on a retry.
      if (!(error instanceof SettlementKeyError)) throw error;
      logger.error("settlement file ignored: key outside the layout", {
        key: object.key,
        reason: error.message,
      });
      businessMetrics.count("SettlementFilesUnreadable", 1);
      continue;
    }
    const open = openObject(
      s3,
      bucket.name,
      decodeURIComponent(object.key.replace(/\+/g, " ")),
      object.versionId,
    );
    const fileId = await sha256Of(open());
    try {
      const result = await ingestSettlementFile(
        { fileId, acquirer: where.acquirer, fileName: where.fileName, fileDay: where.fileDay, open },
        { ...deps, deadline },
      );
      logger.info("settlement file done", {
        fileId,
        key: object.key,
        duplicate: result.duplicate,
        resumed: result.resumed,
        counts: result.file.counts,
        control: result.file.control,
      });
    } catch (error) {
      // An unreadable file is kept FAILED with its reason and reported; retrying it cannot help.
      if (error instanceof UnreadableFileError) {
        logger.error("settlement file unreadable", { fileId, key: object.key, reason: error.message });
        businessMetrics.count("SettlementFilesUnreadable", 1, where.acquirer);
        return;
      }
      logger.error("settlement file not finished; the message will be retried", {
        fileId,
        key: object.key,
        error: error as Error,
      });
      throw error;
    }
  }
}

const ingestSettlementFiles = async (event: SQSEvent, context: Context) => {
  // Stop 30 s before the timeout; the message comes back after its visibility timeout and resumes.
  deadline = Date.now() + context.getRemainingTimeInMillis() - 30_000;
  try {
    return await processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    businessMetrics.flush();
  }
};

export const handler = middy(ingestSettlementFiles).use(injectLambdaContext(logger)).use(logMetrics(metrics));
