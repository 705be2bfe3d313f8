import type { NoticeQueue } from "../../use-cases/ports.js";

/** Local stand-in for SQS: messages wait in memory until the local runtime drains them. */
export class InProcessNoticeQueue implements NoticeQueue {
  private messages: Array<{ noticeId: string; channel: string }> = [];

  async enqueue(messages: ReadonlyArray<{ noticeId: string; channel: string }>): Promise<void> {
    this.messages.push(...messages);
  }

  /** Takes every waiting message. */
  drain(): Array<{ noticeId: string; channel: string }> {
    const taken = this.messages;
    this.messages = [];
    return taken;
  }
}
