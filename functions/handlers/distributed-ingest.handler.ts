import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { S3Client } from "@aws-sdk/client-s3";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { lambdaRunBudget } from "../adapters/clock/lambda-run-budget.js";
import { openObject, openObjectRange } from "../adapters/s3/s3-settlement-files.js";
import { isRecordRange } from "../domain/settlement-files/decoding/record-ranges.js";
import type { SettlementFormat } from "../domain/settlement-files/settlement-record.js";
import { distributedIngestEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import {
  type ChunkRange,
  ingestSettlementFile,
  mergeSettlementFileChunks,
  planSettlementFile,
} from "../use-cases/ingest-settlement-file.js";
import { awsSettlementDependencies } from "./settlement-dependencies.js";

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
  /** Set by the plan for the chunk workers: the format and the text encoding it read the file as. */
  format?: SettlementFormat | undefined;
  encoding?: string | undefined;
}

export type DistributedIngestEvent =
  | { step: "plan"; file: DistributedFile }
  | { step: "chunk"; file: DistributedFile; range: ChunkRange }
  | { step: "merge"; file: DistributedFile; chunks: number };

const env = distributedIngestEnvSchema.parse(process.env);
const s3 = new S3Client({});
const deps = awsSettlementDependencies(env);
const businessMetrics = deps.metrics;

function inputOf(file: DistributedFile) {
  return {
    fileId: file.fileId,
    acquirer: file.acquirer,
    fileName: file.fileName,
    fileDay: file.fileDay,
    format: file.format,
    encoding: file.encoding,
    open: openObject(s3, file.bucket, file.key, file.versionId),
    openRange: openObjectRange(s3, file.bucket, file.key, file.versionId),
  };
}

/**
 * The three steps of the distributed-ingest state machine. plan: one read of the file, the ranges
 * (the Map's items) and the format and encoding it found (added to `file`, which every chunk gets);
 * chunk: one chunk worker (ingestSettlementFile over a range, with ranged GETs of the prefix and
 * the range; a run that nears the timeout stops at a checkpoint and throws, and the state
 * machine's retry resumes it); merge: the chunk records into the file record, once.
 */
const distributedIngest = async (event: DistributedIngestEvent, context: Context) => {
  try {
    switch (event.step) {
      case "plan": {
        const plan = await planSettlementFile(inputOf(event.file), deps, {
          size: event.file.size,
          chunkBytes: env.DISTRIBUTED_CHUNK_BYTES,
        });
        if (!plan.splittable) {
          throw new Error(`file ${event.file.fileId} (${plan.format}) cannot be split: ${plan.reason}`);
        }
        logger.info("settlement file planned", { fileId: event.file.fileId, chunks: plan.ranges.length });
        const file: DistributedFile = { ...event.file, format: plan.format, encoding: plan.encoding };
        return { file, chunks: plan.ranges.length, ranges: plan.ranges };
      }
      case "chunk": {
        if (!isRecordRange(event.range)) {
          // An item of an older plan (byte ranges without line offsets) cannot be read as a record range.
          throw new Error(
            `file ${event.file.fileId}: ${JSON.stringify(event.range)} is not a record range of this version's plan; start the file's execution again`,
          );
        }
        const result = await ingestSettlementFile(
          { ...inputOf(event.file), range: event.range },
          { ...deps, budget: lambdaRunBudget(context, 30_000) },
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
