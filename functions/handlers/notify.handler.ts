import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { logger } from "../shared/observability.js";
import { deliverNotice } from "../use-cases/deliver-notice.js";
import { settlewatchHandler } from "./middy-stack.js";
import { noticeMessageSchema, notifyDependencies } from "./notify-dependencies.js";

const { deps, flushMetrics } = notifyDependencies();
const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = noticeMessageSchema.parse(JSON.parse(record.body));
  const outcome = await deliverNotice(message, deps);
  logger.info("notice handled", { noticeId: message.noticeId, channel: message.channel, outcome });
}

/** SQS → notice senders. A failed record is reported back (partial batch response) and retried. */
const notify = async (event: SQSEvent, context: Context) =>
  await processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });

export const handler = settlewatchHandler(notify, { businessMetrics: { flush: flushMetrics } });
