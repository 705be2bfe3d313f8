import type { SmsProviderId } from "../../../functions/domain/notification/sms-providers.js";
import type {
  DeliveryRecord,
  NoticeRecord,
  NoticeStore,
  RecordDeliveryResult,
} from "../../../functions/use-cases/ports.js";

interface Entry {
  record: NoticeRecord;
  /** The outbox index entry while the notice is SCHEDULED: its shard and sort key. */
  outbox?: { shard: number; sortKey: string } | undefined;
}

/** Stored records drop absent optional fields, as DynamoDB does with removeUndefinedValues. */
function copy(record: NoticeRecord): NoticeRecord {
  const copied = structuredClone(record);
  for (const [name, value] of Object.entries(copied))
    if (value === undefined) delete (copied as unknown as Record<string, unknown>)[name];
  return copied;
}

/**
 * NoticeStore in memory: the exactly-once ledger's conditions (create once, SCHEDULED → QUEUED,
 * claim once, release a claim) without DynamoDB, held to the adapter by
 * test/integration/port-contracts.test.ts.
 */
export class InMemoryNoticeStore implements NoticeStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly pageSize = 500) {}

  async create(notice: NoticeRecord, outboxShard: number): Promise<boolean> {
    const key = `${notice.noticeId}\u0000${notice.channel}`;
    if (this.entries.has(key)) return false;
    this.entries.set(key, {
      record: copy(notice),
      outbox: {
        shard: outboxShard,
        sortKey: `${notice.sendAfter}#${notice.noticeId}#${notice.channel}`,
      },
    });
    return true;
  }

  async *dueForSending(
    outboxShard: number,
    nowIso: string,
  ): AsyncIterable<Array<{ noticeId: string; channel: string }>> {
    // The adapter queries sort keys up to `${nowIso}#\uffff`: every instant at or before now.
    const upTo = `${nowIso}#\uffff`;
    const due = [...this.entries.values()]
      .filter((entry) => entry.outbox?.shard === outboxShard && entry.outbox.sortKey <= upTo)
      .sort((a, b) => ((a.outbox?.sortKey ?? "") < (b.outbox?.sortKey ?? "") ? -1 : 1))
      .map(({ record }) => ({ noticeId: record.noticeId, channel: record.channel }));
    for (let start = 0; start < due.length; start += this.pageSize)
      yield due.slice(start, start + this.pageSize);
  }

  async markQueued(noticeId: string, channel: string): Promise<boolean> {
    const entry = this.entries.get(`${noticeId}\u0000${channel}`);
    if (entry?.record.status !== "SCHEDULED") return false;
    entry.record.status = "QUEUED";
    entry.outbox = undefined;
    return true;
  }

  async claim(noticeId: string, channel: string, nowIso: string): Promise<NoticeRecord | undefined> {
    const entry = this.entries.get(`${noticeId}\u0000${channel}`);
    if (!entry || (entry.record.status !== "SCHEDULED" && entry.record.status !== "QUEUED")) return undefined;
    entry.record = { ...entry.record, status: "SENT", sentAt: nowIso, attempts: entry.record.attempts + 1 };
    entry.outbox = undefined;
    return copy(entry.record);
  }

  async release(noticeId: string, channel: string, _reason: string): Promise<void> {
    const entry = this.entries.get(`${noticeId}\u0000${channel}`);
    if (entry?.record.status !== "SENT") return;
    // The reason is kept by the adapter for operators (lastError) but never read back through the port.
    const { sentAt: _sentAt, ...rest } = entry.record;
    entry.record = { ...rest, status: "QUEUED" };
  }

  async get(noticeId: string, channel: string): Promise<NoticeRecord | undefined> {
    const entry = this.entries.get(`${noticeId}\u0000${channel}`);
    return entry ? copy(entry.record) : undefined;
  }

  async recordDelivery(record: DeliveryRecord): Promise<RecordDeliveryResult> {
    const entry = this.entries.get(`${record.noticeId}\u0000sms`);
    if (!entry) return { outcome: "not-sent" };
    if (entry.record.deliveryStatus) return { outcome: "already-final", notice: copy(entry.record) };
    if (entry.record.status !== "SENT") return { outcome: "not-sent" };
    const fallback = record.fallback;
    entry.record = {
      ...entry.record,
      deliveryStatus: record.state,
      deliveryReportedAt: record.reportedAt,
      ...(record.errorCode ? { deliveryErrorCode: record.errorCode } : {}),
      ...(fallback && "noticeId" in fallback ? { fallbackNoticeId: fallback.noticeId } : {}),
      ...(fallback && "none" in fallback ? { fallbackNone: fallback.none } : {}),
    };
    return { outcome: "recorded", notice: copy(entry.record) };
  }

  private readonly providerMessages = new Map<string, string>();

  async recordProviderMessage(input: {
    provider: SmsProviderId;
    providerMessageId: string;
    noticeId: string;
    at: string;
  }): Promise<void> {
    const entry = this.entries.get(`${input.noticeId}\u0000sms`);
    // The adapter's update is conditional on the notice existing, and throws otherwise.
    if (!entry) throw new Error(`no SMS notice ${input.noticeId}`);
    entry.record = { ...entry.record, providerMessageId: input.providerMessageId };
    this.providerMessages.set(`${input.provider}\u0000${input.providerMessageId}`, input.noticeId);
  }

  async noticeOfProviderMessage(
    provider: SmsProviderId,
    providerMessageId: string,
  ): Promise<string | undefined> {
    return this.providerMessages.get(`${provider}\u0000${providerMessageId}`);
  }
}
