import { channelAddress, isMerchantChannel, type NoticeChannel } from "../domain/notification/channels.js";
import type {
  BusinessMetrics,
  Clock,
  MerchantRepository,
  NoticeRecord,
  NoticeSender,
  NoticeStore,
  SmsMetrics,
  SmsReceipt,
} from "./ports.js";
import { SmsProviderError } from "./sms-errors.js";
import { paceSms, type SmsPacingDeps } from "./sms-pacing.js";

export interface DeliverNoticeDeps {
  notices: NoticeStore;
  merchants: MerchantRepository;
  sender: NoticeSender;
  clock: Clock;
  metrics: BusinessMetrics;
  /** SmsSent per provider (the delivery rate's denominator); absent: not counted. */
  smsMetrics?: SmsMetrics | undefined;
  /** Per-number SMS caps (absent: none, as locally). */
  smsPacing?: SmsPacingDeps | undefined;
}

export type DeliveryOutcome = "sent" | "already-sent" | "unknown-notice" | "no-address" | "deferred";

/** How each channel hands a claimed notice to the sender: one entry per channel, no if/else chain. */
const SEND_BY_CHANNEL: Readonly<
  Record<
    NoticeChannel,
    // biome-ignore lint/suspicious/noConfusingVoidType: only SMS senders answer with a receipt
    (notice: NoticeRecord, address: string, sender: NoticeSender) => Promise<SmsReceipt | void>
  >
> = {
  sms: (notice, phone, sender) =>
    sender.sendSms({
      phone,
      text: notice.text,
      noticeId: notice.noticeId,
      sms: notice.sms,
      provider: notice.provider ?? "sns",
    }),
  email: (notice, email, sender) =>
    sender.sendEmail({
      merchantId: notice.recipientId,
      email,
      subject: notice.subject ?? "settlewatch",
      text: notice.text,
      noticeId: notice.noticeId,
    }),
  ops: (notice, _address, sender) =>
    sender.sendOps({
      subject: notice.subject ?? "settlewatch",
      text: notice.text,
      noticeId: notice.noticeId,
    }),
};

/**
 * Sends one notice at most once. The notice record is claimed (a conditional write) before
 * publishing, so a redelivered queue message or a concurrent notifier finds it taken and sends
 * nothing. If publishing fails, the claim is released and the error thrown, so the queue retries
 * (and parks the message in the DLQ after its last try). The trade-off: a crash between the claim
 * and the publish loses that one notice rather than risking a duplicate text.
 */
export async function deliverNotice(
  message: { noticeId: string; channel: string },
  deps: DeliverNoticeDeps,
): Promise<DeliveryOutcome> {
  const existing = await deps.notices.get(message.noticeId, message.channel);
  if (!existing) return "unknown-notice";
  if (existing.status === "SENT") return "already-sent";

  let address = "";
  if (isMerchantChannel(existing.channel)) {
    const profile = await deps.merchants.get(existing.recipientId);
    const found = profile ? channelAddress(existing.channel, profile.contact) : undefined;
    if (!found) {
      // The merchant removed the contact after the notice was decided: nothing to send it to.
      deps.metrics.count("MerchantsUnreachable", 1);
      return "no-address";
    }
    address = found;
  }

  // Over its number's cap, an SMS waits in the outbox (not sent, not marked sent) until allowed.
  const paced =
    existing.channel === "sms" && deps.smsPacing
      ? await paceSms(existing, address, deps.clock.now(), deps.smsPacing)
      : undefined;
  if (paced && "deferredUntil" in paced) {
    deps.metrics.count("SmsDeferred", 1);
    return "deferred";
  }
  const notice = await deps.notices.claim(message.noticeId, message.channel, deps.clock.now().toISOString());
  if (!notice) {
    await paced?.slot.release();
    return "already-sent";
  }
  const acquirer = notice.payments[0]?.acquirer;
  let receipt: SmsReceipt | undefined;
  try {
    receipt = (await SEND_BY_CHANNEL[notice.channel](notice, address, deps.sender)) ?? undefined;
  } catch (error) {
    await deps.notices.release(message.noticeId, message.channel, (error as Error).message);
    // Best effort after the notice is safe: a count not given back only delays that number's next text.
    await paced?.slot.release(error).catch(() => undefined);
    deps.metrics.count("NoticesFailed", 1, acquirer);
    if (error instanceof SmsProviderError && error.kind === "credentials") {
      deps.metrics.count("SmsCredentialsFailed", 1);
    }
    if (error instanceof SmsProviderError && error.kind === "throttled")
      deps.metrics.count("SmsThrottled", 1);
    throw error;
  }
  deps.metrics.count("NoticesSent", 1, acquirer);
  if (notice.channel === "sms") await afterSmsSent(notice, receipt, deps);
  return "sent";
}

/**
 * Counts the text per provider and remembers the provider's id of it, which is all SNS's
 * delivery-status logs (and Tencent's callback) carry. The notice is already SENT: if this write
 * fails, the queue's retry finds it sent and sends nothing (its reports are then ignored, counted).
 */
async function afterSmsSent(
  notice: NoticeRecord,
  receipt: SmsReceipt | undefined,
  deps: DeliverNoticeDeps,
): Promise<void> {
  const provider = notice.provider ?? "sns";
  deps.smsMetrics?.count("SmsSent", provider);
  if (!receipt?.providerMessageId) return;
  await deps.notices.recordProviderMessage({
    provider,
    providerMessageId: receipt.providerMessageId,
    noticeId: notice.noticeId,
    at: deps.clock.now().toISOString(),
  });
}
