import {
  nextAllowedAt,
  pacingFor,
  quotaWindows,
  type SmsPacingSettings,
} from "../domain/notification/sms-pacing.js";
import type { SmsProviderId } from "../domain/notification/sms-providers.js";
import type { NoticeDeferrals, NoticeRecord, SmsSendQuota } from "./ports.js";
import { SmsProviderError } from "./sms-errors.js";

export interface SmsPacingDeps {
  quota: SmsSendQuota;
  deferrals: NoticeDeferrals;
  /** Per provider, over its defaults (SMS_PACING_DEFAULTS). */
  pacing: Readonly<Partial<Record<SmsProviderId, SmsPacingSettings>>>;
}

/** A text counted against its number's caps; given back when it did not reach the provider. */
export interface SmsSlot {
  /** Uncounts the text unless `error` says it may have gone out (a timeout). */
  release(error?: unknown): Promise<void>;
}

export type PacedSms = { slot: SmsSlot } | { deferredUntil: string };

/**
 * Counts an SMS notice against its number's per-minute/hour/day caps before it is claimed. Over a
 * cap, the notice is not sent and not marked sent: it goes back to the outbox until the full window
 * ends, and the check queues it again then.
 */
export async function paceSms(
  notice: Pick<NoticeRecord, "noticeId" | "channel" | "provider">,
  phone: string,
  now: Date,
  deps: SmsPacingDeps,
): Promise<PacedSms> {
  const provider = notice.provider ?? "sns";
  const windows = quotaWindows(now, pacingFor(provider, deps.pacing).perNumber);
  if (windows.length === 0) return { slot: { release: async () => undefined } };
  const full = await deps.quota.take(provider, phone, windows);
  const until = nextAllowedAt(full);
  if (until !== undefined) {
    await deps.deferrals.defer(notice.noticeId, notice.channel, until);
    return { deferredUntil: until };
  }
  return {
    slot: {
      release: async (error?: unknown) => {
        // A timed-out request may have been taken by the provider: it keeps counting.
        if (error instanceof SmsProviderError && error.kind === "timeout") return;
        await deps.quota.giveBack(provider, phone, windows);
      },
    },
  };
}
