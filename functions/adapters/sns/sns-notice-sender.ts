import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { NoticeSender, SmsToSend } from "../../use-cases/ports.js";
import { snsPublishSmsRequest } from "../sms/provider-requests.js";
import { merchantEmailTopicName } from "./merchant-email-topics.js";

export interface SnsNoticeSenderOptions {
  /** Alphanumeric sender ID where the destination country allows one (not China, not the US). */
  smsSenderId?: string | undefined;
  /** Monthly spend guard: SNS stops sending past the account's limit; this is per message. */
  maxPriceUsd?: string | undefined;
  /** arn:<partition>:sns:<region>:<account>: — topic names are appended. */
  topicArnPrefix: string;
  topicNamePrefix: string;
  opsTopicArn: string;
}

/** SMS by SNS Publish to the phone number; email and ops alerts by Publish to their topic. */
export class SnsNoticeSender implements NoticeSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly options: SnsNoticeSenderOptions,
  ) {}

  async sendSms(input: SmsToSend): Promise<void> {
    await this.sns.send(
      new PublishCommand(
        snsPublishSmsRequest(input, {
          senderId: this.options.smsSenderId,
          maxPriceUsd: this.options.maxPriceUsd,
        }),
      ),
    );
  }

  async sendEmail(input: {
    merchantId: string;
    subject: string;
    text: string;
    noticeId: string;
  }): Promise<void> {
    const topicArn = `${this.options.topicArnPrefix}${merchantEmailTopicName(this.options.topicNamePrefix, input.merchantId)}`;
    await this.sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: input.subject, Message: input.text }),
    );
  }

  async sendOps(input: { subject: string; text: string; noticeId: string }): Promise<void> {
    await this.sns.send(
      new PublishCommand({ TopicArn: this.options.opsTopicArn, Subject: input.subject, Message: input.text }),
    );
  }
}
