import { OverridableCalendarProvider } from "../../../functions/adapters/calendars/calendar-provider.js";
import { StaticWebhookSecretStore } from "../../../functions/adapters/secrets/static-webhook-secrets.js";
import type { DeliverNoticeDeps } from "../../../functions/use-cases/deliver-notice.js";
import type { IngestConfirmationsDeps } from "../../../functions/use-cases/ingest-confirmations.js";
import type { NoticeSender } from "../../../functions/use-cases/ports.js";
import { ROTATED_SECRET, TEST_ACQUIRER, TEST_SECRET } from "../confirmations.js";
import { RecordingMetrics } from "../recording-metrics.js";
import { TestClock } from "../test-clock.js";
import { InMemoryFileDayLedger } from "./in-memory-file-day-ledger.js";
import { InMemoryMerchantRepository } from "./in-memory-merchant-repository.js";
import { InMemoryNoticeStore } from "./in-memory-notice-store.js";
import { InMemoryPaymentRepository } from "./in-memory-payment-repository.js";

export { InMemoryFileDayLedger, InMemoryMerchantRepository, InMemoryNoticeStore, InMemoryPaymentRepository };

/** The ingest use case on in-memory ports (the unit tier); test/support/ingest-deps.ts wires DynamoDB Local. */
export function fakeIngestDeps(now: Date, metrics = new RecordingMetrics()) {
  const payments = new InMemoryPaymentRepository();
  const merchants = new InMemoryMerchantRepository();
  const deps: IngestConfirmationsDeps = {
    payments,
    merchants,
    secrets: new StaticWebhookSecretStore({ [TEST_ACQUIRER]: [TEST_SECRET, ROTATED_SECRET] }),
    calendars: new OverridableCalendarProvider(async () => undefined),
    clock: { now: () => now },
    metrics,
    defaultTerms: {
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
    },
  };
  return { deps, payments, merchants, metrics };
}

/** What a sender was asked to send, in order; `fail` makes the next sends throw. */
export class RecordingNoticeSender implements NoticeSender {
  readonly sent: Array<{ channel: "sms" | "email" | "ops"; noticeId: string; to: string; text: string }> = [];
  failWith: Error | undefined;

  async sendSms(input: Parameters<NoticeSender["sendSms"]>[0]): Promise<void> {
    this.record("sms", input.noticeId, input.phone, input.text);
  }
  async sendEmail(input: Parameters<NoticeSender["sendEmail"]>[0]): Promise<void> {
    this.record("email", input.noticeId, input.email, input.text);
  }
  async sendOps(input: Parameters<NoticeSender["sendOps"]>[0]): Promise<void> {
    this.record("ops", input.noticeId, "ops", input.text);
  }
  private record(channel: "sms" | "email" | "ops", noticeId: string, to: string, text: string): void {
    if (this.failWith) throw this.failWith;
    this.sent.push({ channel, noticeId, to, text });
  }
}

/** The notifier's use case on in-memory ports, with a settable clock. */
export function fakeDeliverDeps(clock = new TestClock(new Date("2026-10-08T12:00:00Z"))) {
  const sender = new RecordingNoticeSender();
  const metrics = new RecordingMetrics();
  const deps: DeliverNoticeDeps = {
    notices: new InMemoryNoticeStore(),
    merchants: new InMemoryMerchantRepository(),
    sender,
    clock,
    metrics,
  };
  return { deps, sender, metrics, clock };
}
