import { CreateTopicCommand, type SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";

/**
 * SNS topic names allow letters, digits, "-" and "_" only; merchant ids may also have ".". Escaping
 * "_" as "_u" and "." as "__" keeps distinct ids distinct. The name is derived, never stored: the
 * notifier and the registration compute the same one.
 */
export function merchantEmailTopicName(prefix: string, merchantId: string): string {
  return `${prefix}-merchant-${merchantId.replace(/_/g, "_u").replace(/\./g, "__")}`;
}

/** A topic per merchant with the merchant's email subscribed; SNS asks the merchant to confirm. */
export class SnsMerchantEmailSubscriptions {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicNamePrefix: string,
    private readonly kmsKeyId: string | undefined,
  ) {}

  /** Idempotent: CreateTopic returns the existing topic, Subscribe the existing subscription. */
  async ensureSubscribed(merchantId: string, email: string): Promise<void> {
    const { TopicArn } = await this.sns.send(
      new CreateTopicCommand({
        Name: merchantEmailTopicName(this.topicNamePrefix, merchantId),
        ...(this.kmsKeyId ? { Attributes: { KmsMasterKeyId: this.kmsKeyId } } : {}),
        Tags: [{ Key: "settlewatch:merchant", Value: merchantId }],
      }),
    );
    await this.sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: email }));
  }
}
