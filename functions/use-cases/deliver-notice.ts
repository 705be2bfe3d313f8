import type { BusinessMetrics, Clock, MerchantRepository, NoticeSender, NoticeStore } from "./ports.js";

export interface DeliverNoticeDeps {
  notices: NoticeStore;
  merchants: MerchantRepository;
  sender: NoticeSender;
  clock: Clock;
  metrics: BusinessMetrics;
}

export type DeliveryOutcome = "sent" | "already-sent" | "unknown-notice" | "no-address";

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

  let address: { phone?: string | undefined; email?: string | undefined } = {};
  if (existing.channel !== "ops") {
    const profile = await deps.merchants.get(existing.recipientId);
    address = { phone: profile?.contact.phone, email: profile?.contact.email };
    const needed = existing.channel === "sms" ? address.phone : address.email;
    if (!needed) {
      // The merchant removed the contact after the notice was decided: nothing to send it to.
      deps.metrics.count("MerchantsUnreachable", 1);
      return "no-address";
    }
  }

  const notice = await deps.notices.claim(message.noticeId, message.channel, deps.clock.now().toISOString());
  if (!notice) return "already-sent";
  const acquirer = notice.payments[0]?.acquirer;
  try {
    if (notice.channel === "sms") {
      await deps.sender.sendSms({
        phone: address.phone as string,
        text: notice.text,
        noticeId: notice.noticeId,
      });
    } else if (notice.channel === "email") {
      await deps.sender.sendEmail({
        merchantId: notice.recipientId,
        email: address.email as string,
        subject: notice.subject ?? "settlewatch",
        text: notice.text,
        noticeId: notice.noticeId,
      });
    } else {
      await deps.sender.sendOps({
        subject: notice.subject ?? "settlewatch",
        text: notice.text,
        noticeId: notice.noticeId,
      });
    }
  } catch (error) {
    await deps.notices.release(message.noticeId, message.channel, (error as Error).message);
    deps.metrics.count("NoticesFailed", 1, acquirer);
    throw error;
  }
  deps.metrics.count("NoticesSent", 1, acquirer);
  return "sent";
}
