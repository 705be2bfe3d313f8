/**
 * Notifier throughput: notices per second through the deliver-notice use case (claim in DynamoDB
 * Local, merchant lookup, SNS Publish), with the SNS client stubbed at the SDK boundary, next to the
 * SMS rate SNS allows. Run: node bin/run-ts.js bench/notifier.bench.ts [notices]
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import pMap from "p-map";
import { systemClock } from "../functions/adapters/clock/system-clock.js";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../functions/adapters/dynamodb/notice-store.js";
import { SnsNoticeSender } from "../functions/adapters/sns/sns-notice-sender.js";
import { merchantProfileSchema } from "../functions/domain/merchant/merchant-profile.js";
import { deliverNotice } from "../functions/use-cases/deliver-notice.js";
import { noMetrics } from "../functions/use-cases/ports.js";
import { localDynamoDbClient, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { ensureTable } from "../local/table-setup.js";

const NOTICES = Number(process.argv[2] ?? 2_000);
/** SNS's default transactional SMS rate in most regions (messages per second, per account). */
const SNS_SMS_RATE = 20;

const sns = mockClient(SNSClient);
sns.on(PublishCommand).resolves({ MessageId: "bench" });

const dynamo = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamo.endpoint);
const db = documentClient(client);
const figures: Array<[string, number]> = [];
try {
  for (const concurrency of [1, 10, 20]) {
    const tableName = `bench-notify-${concurrency}`;
    await ensureTable(client, tableName, { stream: false });
    const merchants = new DynamoDbMerchantRepository(db, tableName);
    const notices = new DynamoDbNoticeStore(db, tableName);
    for (let m = 0; m < 100; m += 1) {
      await merchants.put(
        merchantProfileSchema.parse({
          merchantId: `m-${m}`,
          name: `Merchant ${m}`,
          timeZone: "Asia/Shanghai",
          calendar: "CN",
          settlement: { cycle: "T+1" },
          contact: { phone: "+8613800138000", language: "zh-CN", channels: ["sms"] },
        }),
      );
    }
    const ids = Array.from({ length: NOTICES }, (_, i) => i.toString(16).padStart(64, "0"));
    await pMap(
      ids,
      (noticeId, i) =>
        notices.create(
          {
            noticeId,
            channel: "sms",
            recipientId: `m-${i % 100}`,
            kind: "overdue",
            level: 0,
            language: "zh-CN",
            text: "您有2笔收款共¥1,284.50（9月30日确认）尚未到账，应到账时间10月8日 18:00。",
            payments: [{ acquirer: "bench", paymentId: `p-${i}` }],
            sendAfter: "2026-10-08T12:00:00.000Z",
            status: "QUEUED",
            createdAt: "2026-10-08T12:00:00.000Z",
            attempts: 0,
          },
          0,
        ),
      { concurrency: 16 },
    );
    const deps = {
      notices,
      merchants,
      sender: new SnsNoticeSender(new SNSClient({ region: "ap-east-1" }), {
        topicArnPrefix: "arn:aws:sns:ap-east-1:123456789012:",
        topicNamePrefix: "bench",
        opsTopicArn: "arn:aws:sns:ap-east-1:123456789012:ops",
      }),
      clock: systemClock,
      metrics: noMetrics,
    };
    const start = performance.now();
    const outcomes = await pMap(ids, (noticeId) => deliverNotice({ noticeId, channel: "sms" }, deps), {
      concurrency,
    });
    const seconds = (performance.now() - start) / 1000;
    if (outcomes.some((outcome) => outcome !== "sent")) throw new Error("bench: a notice was not sent");
    figures.push([`concurrency ${concurrency}`, NOTICES / seconds]);
  }
} finally {
  client.destroy();
  await dynamo.stop();
}
console.log(`notifier: ${NOTICES} SMS notices, SNS stubbed at the SDK boundary, DynamoDB Local`);
for (const [label, rate] of figures) {
  console.log(
    `  ${label.padEnd(15)} ${rate.toFixed(0).padStart(6)} notices/s = ${(rate / SNS_SMS_RATE).toFixed(1)}x the SNS SMS rate of ${SNS_SMS_RATE}/s`,
  );
}
console.log(`  Publish calls made: ${sns.commandCalls(PublishCommand).length}`);
