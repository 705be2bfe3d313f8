import { S3Client } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { lambdaRunBudget } from "../adapters/clock/lambda-run-budget.js";
import { s3SettlementFileReader } from "../adapters/s3/s3-settlement-files.js";
import { distributedIngestEnvSchema } from "../shared/env.js";
import { logger } from "../shared/observability.js";
import {
  type DistributedIngestEvent,
  ingestDistributedChunk,
  mergeDistributedFile,
  planDistributedFile,
} from "../use-cases/settlement-file/distributed-ingest-steps.js";
import { settlewatchHandler } from "./middy-stack.js";
import { awsSettlementDependencies } from "./settlement-dependencies.js";

export type { DistributedIngestEvent } from "../use-cases/settlement-file/distributed-ingest-steps.js";
export type { DistributedFile } from "../use-cases/settlement-ports.js";

const env = distributedIngestEnvSchema.parse(process.env);
const deps = {
  ...awsSettlementDependencies(env),
  files: s3SettlementFileReader(new S3Client({})),
  log: logger,
};

/** The three steps of the distributed-ingest state machine (see distributed-ingest-steps.ts). */
const distributedIngest = async (event: DistributedIngestEvent, context: Context) => {
  switch (event.step) {
    case "plan":
      return await planDistributedFile(event.file, { ...deps, chunkBytes: env.DISTRIBUTED_CHUNK_BYTES });
    case "chunk":
      return await ingestDistributedChunk(event, { ...deps, budget: lambdaRunBudget(context, 30_000) });
    case "merge":
      return await mergeDistributedFile(event, deps);
  }
};

export const handler = settlewatchHandler(distributedIngest, { businessMetrics: deps.metrics });
