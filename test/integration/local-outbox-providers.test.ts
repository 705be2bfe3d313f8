import { describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { localConfigSchema } from "../../local/local-config.js";
import { localServices } from "../../local/local-services.js";
import { TestClock } from "../support/check-deps.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

describe("local outbox with a mainland provider configured", () => {
  it("records the provider and exactly the SendSms request Alibaba Cloud would get (phone masked)", async () => {
    const table = await createTestTable();
    const parsed = localConfigSchema.parse({
      tableName: table.tableName,
      sms: {
        routing: { default: "sns", byCallingCode: { "86": "aliyun" } },
        providers: { aliyun: { signName: "结算提醒", templateCodes: { "zh-CN": { overdue: "SMS_101" } } } },
      },
    });
    const config = { ...parsed, webhookSecrets: {}, usingDemoSecrets: false, source: "test" };
    const services = localServices(table.client, config, { outboxFile: null });
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const rawBody = JSON.stringify(confirmation({ paymentId: "p1" }));
    await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, new Date("2026-09-30T08:00:00Z")) },
      deps,
    );
    await services.checkAndNotify(new TestClock(new Date("2026-10-08T12:00:00Z")));
    const [sms] = services.outbox.sent.filter((sent) => sent.channel === "sms");
    expect(sms?.provider).toBe("aliyun");
    expect(sms?.request).toMatchObject({
      PhoneNumbers: "86138****8000",
      SignName: "结算提醒",
      TemplateCode: "SMS_101",
      OutId: sms?.noticeId,
    });
    const params = JSON.parse(
      (sms?.request as { TemplateParam?: string } | undefined)?.TemplateParam ?? "{}",
    );
    expect(Object.keys(params).sort()).toEqual(["confirmed", "count", "due", "items", "nextStep", "total"]);
    expect(params.total).toBe("¥128.50");
  });
});
