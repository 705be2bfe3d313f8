import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { S3Client } from "@aws-sdk/client-s3";
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import middy from "@middy/core";
import type { Context, S3Event, SQSEvent, SQSRecord } from "aws-lambda";
import { lambdaRunBudget } from "../adapters/clock/lambda-run-budget.js";
import {
  openObject,
  parseSettlementObjectKey,
  SettlementKeyError,
  sha256Of,
} from "../adapters/s3/s3-settlement-files.js";
import { UnreadableFileError } from "../domain/settlement-files/settlement-record.js";
import { ingestSettlementFileEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { ingestSettlementFile, planSettlementFile } from "../use-cases/ingest-settlement-file.js";
import { type RunBudget, unlimitedRun } from "../use-cases/ports.js";
import type { DistributedFile } from "./distributed-ingest.handler.js";
import { awsSettlementDependencies } from "./settlement-dependencies.js";

const env = ingestSettlementFileEnvSchema.parse(process.env);
const s3 = new S3Client({});
const deps = awsSettlementDependencies(env);
const businessMetrics = deps.metrics;

const sfn = new SFNClient({});

/**
 * A file too big for one run goes to the distributed-ingest state machine when it can be split
 * (plain text of a line-based format, see line-ranges.ts): true when handed over (or already
 * handed over: the execution is named after the file's sha256, so a re-delivery does not start a
 * second one). Everything else (XML, BAI2, MT940, WeChat/Alipay bills, gzip, zip) stays here.
 */
async function handedToStateMachine(
  file: DistributedFile,
  open: () => AsyncIterable<Uint8Array>,
): Promise<boolean> {
  const stateMachineArn = env.DISTRIBUTED_INGEST_STATE_MACHINE_ARN;
  const threshold = env.DISTRIBUTED_THRESHOLD_BYTES;
  if (!stateMachineArn || threshold === undefined || !(file.size > threshold)) return false;
  if ((await deps.store.getFile(file.fileId))?.status === "DONE") return false; // the single path says "duplicate"
  let plan: Awaited<ReturnType<typeof planSettlementFile>>;
  try {
    plan = await planSettlementFile({ open, fileName: file.fileName }, deps, {
      size: file.size,
      chunkBytes: file.size,
    });
  } catch (error) {
    if (error instanceof UnreadableFileError) return false; // the single path reports it
    throw error;
  }
  if (!plan.splittable) {
    logger.info("large settlement file read by one run: it cannot be split", {
      fileId: file.fileId,
      format: plan.format,
    });
    return false;
  }
  try {
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: file.fileId, input: JSON.stringify({ file }) }),
    );
    logger.info("large settlement file handed to the distributed ingest", {
      fileId: file.fileId,
      size: file.size,
    });
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    logger.info("large settlement file already handed over", { fileId: file.fileId });
  }
  return true;
}

const processor = new BatchProcessor(EventType.SQS);
let budget: RunBudget = unlimitedRun;

/** One S3 "object created" notification, delivered through SQS (retries, DLQ, resume on redelivery). */
async function recordHandler(record: SQSRecord): Promise<void> {
  const event = JSON.parse(record.body) as Partial<S3Event> & { Event?: string };
  if (event.Event === "s3:TestEvent") return;
  for (const notification of event.Records ?? []) {
    const { bucket, object } = notification.s3;
    let where: ReturnType<typeof parseSettlementObjectKey>;
    try {
      where = parseSettlementObjectKey(object.key, { limits: deps.inputLimits });
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
    const distributed: DistributedFile = {
      bucket: bucket.name,
      key: decodeURIComponent(object.key.replace(/\+/g, " ")),
      versionId: object.versionId,
      fileId,
      acquirer: where.acquirer,
      fileName: where.fileName,
      fileDay: where.fileDay,
      size: object.size,
    };
    if (await handedToStateMachine(distributed, open)) continue;
    try {
      const result = await ingestSettlementFile(
        { fileId, acquirer: where.acquirer, fileName: where.fileName, fileDay: where.fileDay, open },
        { ...deps, budget },
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
  budget = lambdaRunBudget(context, 30_000);
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
