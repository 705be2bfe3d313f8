import type { BusinessCalendar } from "../domain/calendar/business-calendar.js";
import type { StoredLine } from "../domain/matching/pending-lines.js";
import type { ReversalClaim, ReversalUpdate } from "../domain/matching/reversal-confirmations.js";
import type { MerchantProfile } from "../domain/merchant/merchant-profile.js";
import type { NoticeChannel } from "../domain/notification/channels.js";
import type { DeliveryState } from "../domain/notification/delivery-report.js";
import type { outboxShardOf } from "../domain/notification/notice-id.js";
import type { QuotaWindow } from "../domain/notification/sms-pacing.js";
import type { SmsProviderId } from "../domain/notification/sms-providers.js";
import type { TemplatedSms } from "../domain/notification/sms-templates.js";
import type { dueShardOf, Payment, PaymentNoticeEntry } from "../domain/payment/payment.js";

/** What the use cases need from storage and the outside world. Adapters implement these. */

export type InsertPaymentResult =
  | {
      outcome: "created";
      /** Settlement lines that came before the confirmation and waited on its key. */
      pendingLines?: StoredLine[];
      /** Reversals that came before the confirmation and waited on its key (already applied to `stored`). */
      heldReversals?: ReversalClaim[];
      /** What was stored: the payment, or what `withHeldReversals` made of it. */
      stored: Payment;
    }
  | { outcome: "exists"; existing: Payment };

/** Whether a reversal now waits on its original's key, or the original turned out to be there. */
export type HoldReversalResult = "held" | "already-held" | "original-exists";

export interface PaymentRepository {
  /**
   * Stores a new payment in one conditional write; an existing one is returned untouched. When
   * reversals wait on its key, `withHeldReversals` says what to store instead (in the same write).
   */
  insert(
    payment: Payment,
    withHeldReversals?: (payment: Payment, held: readonly ReversalClaim[]) => Payment,
  ): Promise<InsertPaymentResult>;
  get(acquirer: string, paymentId: string): Promise<Payment | undefined>;
  /** Applies a reversal to its original in one conditional write; false when the condition failed. */
  applyReversal(update: ReversalUpdate): Promise<boolean>;
  /** Keeps a reversal on its original's key until the original's confirmation arrives. */
  holdReversal(claim: ReversalClaim): Promise<HoldReversalResult>;
}

export interface MerchantRepository {
  get(merchantId: string): Promise<MerchantProfile | undefined>;
  /** Creates or replaces the profile; says which. */
  put(profile: MerchantProfile): Promise<{ created: boolean }>;
}

export interface WebhookSecretStore {
  /** Current secrets of an acquirer (several during a rotation); empty when the acquirer is unknown. */
  secretsFor(acquirer: string): Promise<readonly string[]>;
}

export interface CalendarProvider {
  /** Throws UnknownCalendarError for a region it has no calendar for. */
  calendarFor(region: string): Promise<BusinessCalendar>;
  has(region: string): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

/**
 * Wall time left in this run (a Lambda's remaining time), apart from the business clock: `--as-of`
 * fixes the clock, never how long a run may take. Long use cases stop at a checkpoint when past it.
 */
export interface RunBudget {
  pastDeadline(): boolean;
}

/** Local runs, the CLI and tests: no deadline. */
export const unlimitedRun: RunBudget = { pastDeadline: () => false };

/** Structured operational logs (Powertools Logger in AWS). Never phone numbers, emails or card numbers. */
export interface OperationLog {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** Business metrics (EMF in AWS). Dimensions are kept few: acquirer only, never merchant or payment. */
export type BusinessMetricName =
  | "ConfirmationsAccepted"
  | "ConfirmationsDuplicate"
  | "ConfirmationsConflict"
  | "ConfirmationsRejected"
  | "RequestsRejected"
  | "UnregisteredMerchantConfirmations"
  | "CalendarNotCovered"
  | "PaymentsOverdue"
  | "PaymentsAwaitingFile"
  | "PaymentsSettledLate"
  | "PaymentsReversed"
  | "MerchantsUnreachable"
  | "NoticesScheduled"
  | "NoticesSent"
  | "NoticesFailed"
  | "SmsCredentialsFailed"
  | "SmsThrottled"
  | "SmsDeferred"
  | "SettlementFilesLate"
  | "SettlementFilesReceived"
  | "SettlementLinesMatched"
  | "SettlementLinesMismatched"
  | "SettlementLinesUnmatched"
  | "SettlementLinesRejected"
  | "SettlementFileControlMismatch"
  | "SettlementFilesUnreadable";

export interface BusinessMetrics {
  count(name: BusinessMetricName, value: number, acquirer?: string): void;
}

export const noMetrics: BusinessMetrics = { count: () => undefined };

/**
 * Levels measured now (not counted per event): open payments and their amounts. Dimensions: the
 * acquirer, and the currency for amounts (minor units of different currencies never add up).
 */
export type GaugeMetricName =
  | "PendingPayments"
  | "OverduePayments"
  | "PendingAmountMinor"
  | "OverdueAmountMinor";

export interface GaugeMetrics {
  /** The latest value wins within an invocation. */
  level(name: GaugeMetricName, value: number, dimensions: { acquirer: string; currency?: string }): void;
}

/** A payment's identity as read from an index. */
export interface PaymentRef {
  acquirer: string;
  paymentId: string;
}

/**
 * The overdue check's two work lists, each spread over `dueShards` shards: PENDING payments by the
 * instant they turn overdue ("due"), and OVERDUE payments by the instant of their next reminder
 * ("escalation"). A payment's shard is {@link dueShardOf} its identity.
 */
export interface DueList {
  kind: "due" | "escalation";
  shard: number;
}

/** Where an OVERDUE payment waits for its next reminder: its escalation shard, from the instant `at`. */
export interface NextEscalation {
  shard: number;
  /** ISO 8601 UTC instant. */
  at: string;
}

/** A page of the due list read forward from a watermark, and the watermark it moves that to. */
export interface DuePage {
  /** Payments with their own due entry on this page. */
  refs: PaymentRef[];
  /**
   * Payments of a merchant's day whose due marker is on this page: every payment of that day, so
   * only those overdue by now are this entry's; the others have a later marker (or entry) of their own.
   */
  covered: PaymentRef[];
  /**
   * Opaque: the position after this page's last entry, to pass back as `after` or to save;
   * undefined while a marker's day is read over several pages and nothing before it was.
   */
  through: string | undefined;
}

/** The overdue check's view of the table: the due and escalation lists (a sparse index in DynamoDB). */
export interface OverdueStore {
  /** Refs on one work list whose instant is at or before `nowIso`, a page at a time. */
  indexedUpTo(list: DueList, nowIso: string): AsyncIterable<PaymentRef[]>;
  /**
   * Refs on one due shard after the watermark `after` (from the start when undefined) up to
   * `nowIso`, a page at a time: payments' own entries, and the payments of each due marker's
   * merchant day. Each entry (and each payment a marker stands for) comes due at least a lag margin
   * after it was written, so an entry behind a watermark saved at an earlier run was visible to that run.
   */
  dueAfter(shard: number, after: string | undefined, nowIso: string): AsyncIterable<DuePage>;
  /** The position {@link dueAfter} reaches when it reads everything up to `nowIso`. */
  dueThrough(nowIso: string): string;
  /** The shard's saved watermark (undefined before the first run). */
  dueWatermark(shard: number): Promise<string | undefined>;
  /** Moves the shard's watermark forward to `through` (never back: a slower concurrent run loses). */
  saveDueWatermark(shard: number, through: string): Promise<void>;
  /**
   * Files a PENDING payment on its due shard again, at `at` or a lag margin after `nowIso` when
   * that is later: a payment held for its acquirer's file (or not due after all) is read again
   * then, by an entry of its own (also when a due marker found it). False when it is no longer
   * PENDING or is on another list.
   */
  deferDue(payment: Payment, shard: number, at: { at: string; nowIso: string }): Promise<boolean>;
  /**
   * Current items. `consistent: false` (half the read cost) is for the due list: a stale PENDING is
   * harmless there because marking it overdue is conditional on its status.
   */
  getPayments(refs: readonly PaymentRef[], options?: { consistent: boolean }): Promise<Payment[]>;
  /** PENDING → OVERDUE, leaving the due list for the escalation list; false if it moved meanwhile. */
  markOverdue(payment: Payment, nowIso: string, escalation: NextEscalation): Promise<boolean>;
  /**
   * Appends a notice to the payment's history and sets (or clears) its next escalation, on
   * condition that nobody appended one since `payment` was read; false if somebody did.
   */
  recordPaymentNotice(
    payment: Payment,
    entry: PaymentNoticeEntry,
    next: NextEscalation | null,
  ): Promise<boolean>;
}

export type NoticeStatus = "SCHEDULED" | "QUEUED" | "SENT";

/** A notice decided by the check: the text is fixed when it is decided, so a retry sends the same words. */
export interface NoticeRecord {
  noticeId: string;
  channel: NoticeChannel;
  /** A merchant id, or "ops#<acquirer>". The address is looked up when sending, never stored here. */
  recipientId: string;
  kind: "overdue" | "escalation" | "arrived" | "file-late" | "calendar";
  level: number;
  language: "zh-CN" | "en";
  subject?: string | undefined;
  text: string;
  /** SMS only: the template and variables every provider's request is built from, and the provider. */
  sms?: TemplatedSms | undefined;
  provider?: SmsProviderId | undefined;
  payments: PaymentRef[];
  /** Not before this instant (quiet hours). */
  sendAfter: string;
  status: NoticeStatus;
  createdAt: string;
  attempts: number;
  sentAt?: string | undefined;
  /** SMS: the provider's id of the text (BizId, SerialNo, SNS MessageId), recorded after the send. */
  providerMessageId?: string | undefined;
  /** SMS: the provider's delivery report, once one came (final: never changes afterwards). */
  deliveryStatus?: DeliveryState | undefined;
  deliveryErrorCode?: string | undefined;
  deliveryReportedAt?: string | undefined;
  /** After a FAILED report: the fallback notice's id, or why there is none. */
  fallbackNoticeId?: string | undefined;
  fallbackNone?: string | undefined;
  /** On a fallback notice: the notice whose failed text it replaces. */
  fallbackOf?: string | undefined;
}

/** A delivery report to record on a sent SMS notice (one conditional write). */
export interface DeliveryRecord {
  noticeId: string;
  state: DeliveryState;
  errorCode?: string | undefined;
  reportedAt: string;
  fallback?: { noticeId: string } | { none: string } | undefined;
}

/**
 * "recorded": this report set the final state; "already-final": an earlier report did (the notice
 * is returned as stored); "not-sent": no such SMS notice, or it was never handed to a provider.
 */
export type RecordDeliveryResult =
  | { outcome: "recorded"; notice: NoticeRecord }
  | { outcome: "already-final"; notice: NoticeRecord }
  | { outcome: "not-sent" };

export interface NoticeStore {
  /**
   * Writes the record unless one with the same id and channel exists; says whether it wrote. It
   * waits for its send time in outbox shard `outboxShard` ({@link outboxShardOf} its id).
   */
  create(notice: NoticeRecord, outboxShard: number): Promise<boolean>;
  /** Scheduled notices whose send time has come, from one outbox shard. */
  dueForSending(
    outboxShard: number,
    nowIso: string,
  ): AsyncIterable<Array<{ noticeId: string; channel: string }>>;
  /** SCHEDULED → QUEUED once it is on the queue; false when already queued or sent. */
  markQueued(noticeId: string, channel: string): Promise<boolean>;
  /** Claims the notice for sending (SCHEDULED/QUEUED → SENT) before publishing; undefined if already sent. */
  claim(noticeId: string, channel: string, nowIso: string): Promise<NoticeRecord | undefined>;
  /** Gives a claimed notice back after a failed publish, so the queue's retry can send it. */
  release(noticeId: string, channel: string, reason: string): Promise<void>;
  get(noticeId: string, channel: string): Promise<NoticeRecord | undefined>;
  /**
   * Sets DELIVERED / FAILED on a SENT SMS notice in one conditional write that holds only while no
   * final state is recorded: duplicates and late contradicting reports change nothing.
   */
  recordDelivery(record: DeliveryRecord): Promise<RecordDeliveryResult>;
  /** Remembers which notice a provider message id belongs to (providers that echo no notice id). */
  recordProviderMessage(input: {
    provider: SmsProviderId;
    providerMessageId: string;
    noticeId: string;
    at: string;
  }): Promise<void>;
  /** The notice a provider message id was recorded for. */
  noticeOfProviderMessage(provider: SmsProviderId, providerMessageId: string): Promise<string | undefined>;
}

/**
 * Per-number SMS counters shared by every notifier instance (DynamoDB in AWS): a text counts in every
 * window it falls in, all or none, so two instances never both take the last slot.
 */
export interface SmsSendQuota {
  /** Counts one text to `phone` in each window unless one is full; returns the full ones (none: counted). */
  take(provider: SmsProviderId, phone: string, windows: readonly QuotaWindow[]): Promise<QuotaWindow[]>;
  /** Uncounts a text that was not handed to the provider. */
  giveBack(provider: SmsProviderId, phone: string, windows: readonly QuotaWindow[]): Promise<void>;
}

/** Puts a notice back to wait in the outbox until `sendAfter` (the check queues it again then). */
export interface NoticeDeferrals {
  /** QUEUED/SCHEDULED → SCHEDULED not before `sendAfter`; false if it was sent meanwhile. */
  defer(noticeId: string, channel: string, sendAfter: string): Promise<boolean>;
}

/** Which days' settlement files have been received, per acquirer. */
export interface FileDayLedger {
  latestFileDay(acquirer: string): Promise<string | undefined>;
  recordFileDay(acquirer: string, day: string): Promise<void>;
}

export interface NoticeQueue {
  enqueue(messages: ReadonlyArray<{ noticeId: string; channel: string }>): Promise<void>;
}

/** One text for one provider: the rendered text (SNS) and the template it came from (mainland providers). */
export interface SmsToSend {
  phone: string;
  text: string;
  /** The idempotency key: Alibaba Cloud OutId, Tencent SessionContext. */
  noticeId: string;
  /** Absent only on notices recorded before templates were stored: such a notice is sent as text (SNS). */
  sms?: TemplatedSms | undefined;
}

/** What a provider answered for a text it took: its own id of it, which its delivery reports carry. */
export interface SmsReceipt {
  providerMessageId?: string | undefined;
}

/** An SMS provider (functions/adapters/sms). Throws SmsProviderError when the text was not taken. */
export interface SmsProvider {
  readonly id: SmsProviderId;
  // biome-ignore lint/suspicious/noConfusingVoidType: adapters that learn no message id return nothing
  send(input: SmsToSend): Promise<SmsReceipt | void>;
}

/** Delivers a rendered notice (SNS in AWS; console and outbox file locally). */
export interface NoticeSender {
  // biome-ignore lint/suspicious/noConfusingVoidType: senders that learn no message id return nothing
  sendSms(input: SmsToSend & { provider: SmsProviderId }): Promise<SmsReceipt | void>;
  sendEmail(input: {
    merchantId: string;
    email: string;
    subject: string;
    text: string;
    noticeId: string;
  }): Promise<void>;
  sendOps(input: { subject: string; text: string; noticeId: string }): Promise<void>;
}

/** Email notices go to a per-merchant SNS topic the merchant's address subscribes to (and confirms). */
export interface EmailSubscriptions {
  ensureSubscribed(merchantId: string, email: string): Promise<void>;
}

/** SMS counts per provider (dimension `provider`): what the delivery-rate alarm divides. */
export type SmsMetricName = "SmsSent" | "SmsDelivered" | "SmsFailed" | "SmsReportsIgnored";

export interface SmsMetrics {
  count(name: SmsMetricName, provider: SmsProviderId, value?: number): void;
}

export const noSmsMetrics: SmsMetrics = { count: () => undefined };

/** The secret token delivery-report pushes must carry (several during a rotation). */
export interface SmsReportTokens {
  current(): Promise<readonly string[]>;
}
