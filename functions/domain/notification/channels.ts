// The notice channels, in one place. A merchant channel names the contact field that addresses it;
// "ops" is the operators' channel (a topic, no merchant address). Adding a channel (a WeChat
// template message, a webhook) starts here: the profile schema, the notice record, the queue
// message and the notifier's dispatch all read these lists.

export const MERCHANT_CHANNELS = ["sms", "email"] as const;
export type MerchantChannel = (typeof MERCHANT_CHANNELS)[number];

export const NOTICE_CHANNELS = [...MERCHANT_CHANNELS, "ops"] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

/** The merchant contact field each merchant channel is sent to. */
export const CHANNEL_ADDRESS_FIELD = {
  sms: "phone",
  email: "email",
} as const satisfies Record<MerchantChannel, string>;
export type ChannelAddressField = (typeof CHANNEL_ADDRESS_FIELD)[MerchantChannel];

export function isMerchantChannel(channel: string): channel is MerchantChannel {
  return (MERCHANT_CHANNELS as readonly string[]).includes(channel);
}

/** The address of `channel` in a contact, if the contact has one. */
export function channelAddress(
  channel: MerchantChannel,
  contact: Partial<Record<ChannelAddressField, string | undefined>>,
): string | undefined {
  return contact[CHANNEL_ADDRESS_FIELD[channel]];
}
