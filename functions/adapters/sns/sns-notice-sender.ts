import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { NoticeSender } from "../../use-cases/ports.js";
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

  async sendSms(input: { phone: string; text: string; noticeId: string }): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        PhoneNumber: input.phone,
        Message: input.text,
        MessageAttributes: {
          "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
          ...(this.options.smsSenderId
            ? { "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: this.options.smsSenderId } }
            : {}),
          ...(this.options.maxPriceUsd
            ? { "AWS.SNS.SMS.MaxPrice": { DataType: "Number", StringValue: this.options.maxPriceUsd } }
            : {}),
        },
      }),
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
