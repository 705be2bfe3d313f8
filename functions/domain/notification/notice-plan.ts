import type { MerchantProfile } from "../merchant/merchant-profile.js";
import type { LateFile } from "../overdue/settlement-file-expectation.js";
import type { Digest } from "./digest.js";
import { maskEmail, maskPhone } from "./mask.js";
import { type NoticeKind, noticeId, opsRecipient, type PaymentRef } from "./notice-id.js";
import { type NoticeTextOptions, renderNotice } from "./notice-text.js";
import { nextSendTime } from "./quiet-hours.js";
import { type SmsProviderId, SNS_ONLY, smsLimitsFor, smsProviderFor } from "./sms-providers.js";
import type { SmsEncoding } from "./sms-segments.js";
import type { TemplatedSms } from "./sms-templates.js";
import { DEFAULT_TEMPLATES, renderTemplate, type TemplateRegistry } from "./templates.js";

// From a digest to what the notifier publishes: one message per channel the merchant chose, in
// its language, the SMS held to the end of its quiet hours, all under one notice id.

export type OutgoingMessage =
  | {
      channel: "sms";
      /** E.164 number. Never log it: log `toMasked`. */
      to: string;
      toMasked: string;
      /** Not before this instant (quiet hours). */
      sendAt: Date;
      text: string;
      /** The provider that sends it (chosen by the number's calling code). */
      provider: SmsProviderId;
      /** The template and its variables, as every provider's request is built from them. */
      sms: TemplatedSms;
      encoding: SmsEncoding;
      segments: number;
      /** False when the text needs more parts than allowed even with no payment listed. */
      fits: boolean;
    }
  | {
      channel: "email";
      to: string;
      toMasked: string;
      sendAt: Date;
      subject: string;
      body: string;
    };

export interface PlannedNotice {
  /** See notice-id.ts: the record key that makes publishing at-most-once per decision. */
  noticeId: string;
  recipientId: string;
  kind: NoticeKind;
  level: number;
  payments: PaymentRef[];
  /** Empty when the merchant chose no channel (the notice is still recorded, so it is not retried). */
  messages: OutgoingMessage[];
}

/** The profile fields a plan needs. */
export type PlanMerchant = Pick<MerchantProfile, "merchantId" | "timeZone"> & {
  contact: Pick<MerchantProfile["contact"], "phone" | "email" | "channels" | "quietHours">;
};

/**
 * Plans one merchant notice: renders the digest, addresses it to each channel in the profile
 * (SMS to `contact.phone`, email to `contact.email`; a channel without an address is skipped),
 * and holds the SMS to the end of the merchant's quiet hours. Email goes at `now`.
 */
export function planMerchantNotice(
  digest: Digest,
  merchant: PlanMerchant,
  now: Date,
  options: NoticeTextOptions = {},
): PlannedNotice {
  if (digest.merchantId !== merchant.merchantId) {
    throw new RangeError(`digest of ${digest.merchantId} planned for ${merchant.merchantId}`);
  }
  const payments = digest.lines.map(({ acquirer, paymentId }) => ({ acquirer, paymentId }));
  const text = renderNotice(digest, now, options);
  const messages: OutgoingMessage[] = [];
  const { phone, email, channels, quietHours } = merchant.contact;
  const delivery = options.smsDelivery ?? SNS_ONLY;
  const provider = phone === undefined ? undefined : smsProviderFor(phone, delivery.routing);
  // A number no provider covers was refused at registration; if the config changed since, no SMS.
  if (channels.includes("sms") && phone !== undefined && provider !== undefined) {
    const limits = smsLimitsFor(provider, delivery);
    const sms = renderNotice(digest, now, {
      ...options,
      providerSignature: limits.signature,
      smsMaxVariableLength: limits.maxVariableLength,
    }).sms;
    messages.push({
      channel: "sms",
      to: phone,
      toMasked: maskPhone(phone),
      sendAt: nextSendTime(now, merchant.timeZone, quietHours),
      text: sms.text,
      provider,
      sms: sms.template,
      encoding: sms.encoding,
      segments: sms.segments,
      fits: sms.fits,
    });
  }
  if (channels.includes("email") && email !== undefined) {
    messages.push({
      channel: "email",
      to: email,
      toMasked: maskEmail(email),
      sendAt: new Date(now.getTime()),
      subject: text.email.subject,
      body: text.email.body,
    });
  }
  return {
    noticeId: noticeId(digest.merchantId, digest.kind, digest.level, { payments }),
    recipientId: digest.merchantId,
    kind: digest.kind,
    level: digest.level,
    payments,
    messages,
  };
}

export interface PlannedOpsAlert {
  noticeId: string;
  recipientId: string;
  subject: string;
  body: string;
}

/** The ops alert for a late settlement file: one per acquirer and day, whatever the number of runs. */
export function planFileLateAlert(
  file: LateFile,
  templates: TemplateRegistry = DEFAULT_TEMPLATES,
): PlannedOpsAlert {
  const variables = {
    acquirer: file.acquirer,
    day: file.day,
    expectedAt: file.expectedAt.toISOString(),
    timeZone: file.timeZone,
    payments: file.heldPayments,
  };
  const recipientId = opsRecipient(file.acquirer);
  return {
    noticeId: noticeId(recipientId, "file-late", 0, { day: file.day }),
    recipientId,
    subject: renderTemplate(templates.ops.fileLateSubject, variables),
    body: renderTemplate(templates.ops.fileLateBody, variables),
  };
}
