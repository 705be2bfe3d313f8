import type { SmsProviderId } from "../../domain/notification/sms-providers.js";
import type { NoticeSender, SmsProvider, SmsReceipt, SmsToSend } from "../../use-cases/ports.js";

/** SMS through the notice's provider; email and ops alerts through the topic sender (SNS). */
export class ProviderNoticeSender implements NoticeSender {
  constructor(
    private readonly topics: Pick<NoticeSender, "sendEmail" | "sendOps">,
    private readonly providers: { get(id: SmsProviderId): SmsProvider },
  ) {}

  // biome-ignore lint/suspicious/noConfusingVoidType: a provider may learn no message id
  async sendSms(input: SmsToSend & { provider: SmsProviderId }): Promise<SmsReceipt | void> {
    const { provider, ...sms } = input;
    return await this.providers.get(provider).send(sms);
  }

  sendEmail(input: Parameters<NoticeSender["sendEmail"]>[0]): Promise<void> {
    return this.topics.sendEmail(input);
  }

  sendOps(input: Parameters<NoticeSender["sendOps"]>[0]): Promise<void> {
    return this.topics.sendOps(input);
  }
}
