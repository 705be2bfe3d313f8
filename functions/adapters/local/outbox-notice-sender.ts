import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { NoticeChannel } from "../../domain/notification/channels.js";
import { maskEmail, maskPhone } from "../../domain/notification/mask.js";
import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import type { NoticeSender, SmsToSend } from "../../use-cases/ports.js";
import { systemClock } from "../clock/system-clock.js";
import {
  type ProviderRequest,
  type ProviderSettings,
  previewProviderRequest,
} from "../sms/provider-requests.js";

export interface SentNotice {
  at: string;
  channel: NoticeChannel;
  /** Masked address: the outbox is read by people and may be shared. */
  to: string;
  subject?: string;
  text: string;
  noticeId: string;
  /** SMS: the provider, and exactly the request it would get (phone masked). */
  provider?: SmsProviderId;
  request?: ProviderRequest["request"];
}

/** Local stand-in for SNS: prints each notice and appends it to an outbox file (JSON Lines). */
export class OutboxNoticeSender implements NoticeSender {
  readonly sent: SentNotice[] = [];

  constructor(
    private readonly outboxFile: string | undefined,
    private readonly print: (line: string) => void = () => undefined,
    private readonly clock: () => Date = systemClock.now,
    /** Local provider settings (sign names, template codes), to show the requests as configured. */
    private readonly smsSettings: Readonly<Partial<Record<SmsProviderId, ProviderSettings>>> = {},
  ) {}

  async sendSms(input: SmsToSend & { provider: SmsProviderId }): Promise<void> {
    const masked = { ...input, phone: maskPhone(input.phone) };
    const { request } = previewProviderRequest(input.provider, masked, this.smsSettings[input.provider]);
    await this.record({
      channel: "sms",
      to: maskPhone(input.phone),
      text: input.text,
      noticeId: input.noticeId,
      provider: input.provider,
      request,
    });
  }

  async sendEmail(input: { email: string; subject: string; text: string; noticeId: string }): Promise<void> {
    await this.record({
      channel: "email",
      to: maskEmail(input.email),
      subject: input.subject,
      text: input.text,
      noticeId: input.noticeId,
    });
  }

  async sendOps(input: { subject: string; text: string; noticeId: string }): Promise<void> {
    await this.record({
      channel: "ops",
      to: "ops",
      subject: input.subject,
      text: input.text,
      noticeId: input.noticeId,
    });
  }

  private async record(notice: Omit<SentNotice, "at">): Promise<void> {
    const entry: SentNotice = { at: this.clock().toISOString(), ...notice };
    this.sent.push(entry);
    this.print(
      `notice ${entry.channel} → ${entry.to}: ${entry.subject ? `[${entry.subject}] ` : ""}${entry.text}`,
    );
    if (this.outboxFile) {
      await mkdir(dirname(this.outboxFile), { recursive: true });
      await appendFile(this.outboxFile, `${JSON.stringify(entry)}\n`, "utf8");
    }
  }
}
