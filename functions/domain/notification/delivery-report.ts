import { createHash } from "node:crypto";
import * as z from "zod";
import type { MerchantProfile } from "../merchant/merchant-profile.js";
import { channelAddress, type MerchantChannel } from "./channels.js";
import type { SmsProviderId } from "./sms-providers.js";

// Delivery reports from the SMS providers, in one shape: the provider's push (Alibaba Cloud
// SmsReport over HTTP, Tencent Cloud's status callback) or log record (SNS delivery-status logs)
// becomes DELIVERED or FAILED for one notice, and a failed text may fall back to email once.

/** Final delivery states: once one is recorded on a notice it never changes. */
export const DELIVERY_STATES = ["DELIVERED", "FAILED"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryReport {
  provider: SmsProviderId;
  /** Our notice id as the provider echoes it (Alibaba Cloud out_id, Tencent ext / SessionContext). */
  noticeId?: string | undefined;
  /** The provider's own id of the text (Alibaba Cloud BizId, Tencent SerialNo/sid, SNS MessageId). */
  providerMessageId?: string | undefined;
  state: DeliveryState;
  /** The provider's status code (err_code, errmsg, SNS providerResponse), at most 100 characters. */
  errorCode?: string | undefined;
}

/** Items of one push that could not be read: skipped and counted, so one bad item never blocks the rest. */
export interface ReportBatch {
  reports: DeliveryReport[];
  skipped: Array<{ index: number; reason: string }>;
}

/** Most items one push may carry; Alibaba Cloud and Tencent batch far fewer. */
export const MAX_REPORTS_PER_PUSH = 1000;

const NOTICE_ID = /^[0-9a-f]{64}$/;
const shortText = z.string().max(512);
const code = (value: string | undefined) => (value ? value.slice(0, 100) : undefined);
const noticeIdOf = (value: string | undefined) => (value && NOTICE_ID.test(value) ? value : undefined);

const aliyunItem = z.object({
  success: z.boolean(),
  err_code: shortText.optional(),
  biz_id: shortText.optional(),
  out_id: shortText.optional(),
});

const tencentItem = z.object({
  report_status: z.enum(["SUCCESS", "FAIL"]),
  errmsg: shortText.optional(),
  sid: shortText.optional(),
  // Not in the documented push fields; the pull API returns SessionContext. Read when present.
  ext: shortText.optional(),
  SessionContext: shortText.optional(),
});

const snsRecord = z.object({
  notification: z.object({ messageId: shortText }),
  delivery: z.object({ providerResponse: z.string().optional() }).optional(),
  status: z.enum(["SUCCESS", "FAILURE"]),
});

function batchOf<T>(
  body: unknown,
  schema: z.ZodType<T>,
  toReport: (item: T) => DeliveryReport,
): ReportBatch | { error: string } {
  if (!Array.isArray(body)) return { error: "body must be a JSON array of delivery reports" };
  if (body.length > MAX_REPORTS_PER_PUSH)
    return { error: `at most ${MAX_REPORTS_PER_PUSH} reports per request, got ${body.length}` };
  const batch: ReportBatch = { reports: [], skipped: [] };
  body.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      batch.skipped.push({ index, reason: `${issue?.path.join(".") || "(item)"}: ${issue?.message}` });
      return;
    }
    const report = toReport(parsed.data);
    if (!report.noticeId && !report.providerMessageId)
      batch.skipped.push({ index, reason: "no notice id and no provider message id" });
    else batch.reports.push(report);
  });
  return batch;
}

/** Alibaba Cloud SmsReport (HTTP batch push): a JSON array; out_id is the OutId we sent (the notice id). */
export function aliyunReports(body: unknown): ReportBatch | { error: string } {
  return batchOf(body, aliyunItem, (item) => ({
    provider: "aliyun",
    noticeId: noticeIdOf(item.out_id),
    providerMessageId: item.biz_id || undefined,
    state: item.success ? "DELIVERED" : "FAILED",
    errorCode: code(item.err_code),
  }));
}

/** Tencent Cloud SMS status callback: a JSON array; sid is the SerialNo SendSms answered. */
export function tencentReports(body: unknown): ReportBatch | { error: string } {
  return batchOf(body, tencentItem, (item) => ({
    provider: "tencent",
    noticeId: noticeIdOf(item.ext) ?? noticeIdOf(item.SessionContext),
    providerMessageId: item.sid || undefined,
    state: item.report_status === "SUCCESS" ? "DELIVERED" : "FAILED",
    errorCode: code(item.errmsg),
  }));
}

/** SNS SMS delivery-status log records (DirectPublishToPhoneNumber[/Failure]); messageId is Publish's MessageId. */
export function snsReports(records: unknown[]): ReportBatch | { error: string } {
  return batchOf(records, snsRecord, (record) => ({
    provider: "sns",
    providerMessageId: record.notification.messageId,
    state: record.status === "SUCCESS" ? "DELIVERED" : "FAILED",
    errorCode: record.status === "FAILURE" ? code(record.delivery?.providerResponse) : undefined,
  }));
}

/** What happens after a text failed: an email under a derived notice id, or nothing, and why. */
export type FallbackDecision =
  | { channel: MerchantChannel; noticeId: string }
  | { channel: "none"; reason: string };

/**
 * The id of the fallback notice of `originalNoticeId` on `channel`: derived, so every report of the
 * same failure names the same record and the record-before-send condition lets only one exist.
 */
export function fallbackNoticeId(originalNoticeId: string, channel: MerchantChannel): string {
  const canonical = JSON.stringify(["settlewatch-fallback/v1", originalNoticeId, channel]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * A failed SMS goes to email once, when the merchant has an email address and did not already get
 * this notice by email (a merchant with both channels got both at once).
 */
export function decideFallback(
  noticeId: string,
  merchant: Pick<MerchantProfile, "contact"> | undefined,
): FallbackDecision {
  if (!merchant) return { channel: "none", reason: "merchant profile not found" };
  if (merchant.contact.channels.includes("email"))
    return { channel: "none", reason: "the notice already went by email" };
  if (!channelAddress("email", merchant.contact))
    return { channel: "none", reason: "merchant has no other channel (no email address)" };
  return { channel: "email", noticeId: fallbackNoticeId(noticeId, "email") };
}

/** The subject of a fallback email, per notice language. */
export const FALLBACK_SUBJECT: Readonly<Record<"zh-CN" | "en", string>> = {
  "zh-CN": "结算提醒（短信未能送达，改以邮件发送）",
  en: "settlewatch notice (our text message could not be delivered)",
};
