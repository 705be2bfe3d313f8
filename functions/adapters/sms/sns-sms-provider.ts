import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { SmsProvider, SmsReceipt, SmsToSend } from "../../use-cases/ports.js";
import { SmsProviderError } from "../../use-cases/sms-errors.js";
import { type ProviderSettings, snsPublishSmsRequest } from "./provider-requests.js";
import { type RetryOptions, retryThrottled } from "./retry.js";

const THROTTLED = new Set(["Throttled", "ThrottledException", "Throttling", "ThrottlingException"]);
const CREDENTIALS = new Set(["AuthorizationErrorException", "InvalidClientTokenId", "AccessDeniedException"]);

/** Amazon SNS Publish to a phone number (where the region has SNS SMS): the rendered text, no template. */
export class SnsSmsProvider implements SmsProvider {
  readonly id = "sns" as const;

  constructor(
    private readonly sns: SNSClient,
    private readonly settings: ProviderSettings,
    private readonly retry: RetryOptions = {},
  ) {}

  async send(input: SmsToSend): Promise<SmsReceipt> {
    const request = snsPublishSmsRequest(input, this.settings);
    return await retryThrottled(async () => {
      try {
        // SNS's delivery-status logs name the text by this MessageId only.
        const { MessageId } = await this.sns.send(new PublishCommand(request));
        return { providerMessageId: MessageId };
      } catch (error) {
        const name = (error as Error).name;
        const kind = THROTTLED.has(name) ? "throttled" : CREDENTIALS.has(name) ? "credentials" : undefined;
        if (kind)
          throw new SmsProviderError({
            provider: "sns",
            kind,
            code: name,
            message: (error as Error).message,
          });
        throw error;
      }
    }, this.retry);
  }
}
