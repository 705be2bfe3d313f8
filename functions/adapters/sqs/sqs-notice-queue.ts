import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { NoticeQueue } from "../../use-cases/ports.js";

/** Notices to send, ten per SendMessageBatch; a partly failed batch is an error (the check retries). */
export class SqsNoticeQueue implements NoticeQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messages: ReadonlyArray<{ noticeId: string; channel: string }>): Promise<void> {
    for (let start = 0; start < messages.length; start += 10) {
      const chunk = messages.slice(start, start + 10);
      const { Failed } = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
          })),
        }),
      );
      if (Failed && Failed.length > 0) {
        throw new Error(
          `SQS refused ${Failed.length} notice message(s): ${Failed[0]?.Code} ${Failed[0]?.Message ?? ""}`,
        );
      }
    }
  }
}
