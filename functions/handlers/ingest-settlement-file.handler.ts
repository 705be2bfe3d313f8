import { S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { lambdaRunBudget } from "../adapters/clock/lambda-run-budget.js";
import { settlementObjectsOf } from "../adapters/s3/s3-settlement-notifications.js";
import { ingestSettlementFileEnvSchema } from "../shared/env.js";
import { logger } from "../shared/observability.js";
import { receiveSettlementObject } from "../use-cases/settlement-file/receive-settlement-object.js";
import { settlewatchHandler } from "./middy-stack.js";
import { awsDistributedIngestStarter, awsSettlementDependencies } from "./settlement-dependencies.js";
import { sqsPartialBatch } from "./sqs-partial-batch.js";

const env = ingestSettlementFileEnvSchema.parse(process.env);
const s3 = new S3Client({});
const deps = awsSettlementDependencies(env);
const distributed = awsDistributedIngestStarter(env);

/**
 * S3 "object created" notifications delivered through SQS (retries, DLQ, resume on redelivery);
 * a failed message is reported as a partial batch failure. Stops 30 s before the timeout: the
 * message comes back after its visibility timeout and resumes from its checkpoint.
 */
const ingestSettlementFiles = async (event: SQSEvent, context: Context) => {
  const run = { ...deps, distributed, log: logger, budget: lambdaRunBudget(context, 30_000) };
  const recordHandler = async (record: SQSRecord) => {
    for await (const received of settlementObjectsOf(record.body, { s3, limits: deps.inputLimits })) {
      await receiveSettlementObject(received, run);
    }
  };
  return await sqsPartialBatch(event, recordHandler);
};

export const handler = settlewatchHandler(ingestSettlementFiles, { businessMetrics: deps.metrics });
