import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_SMS_REPORT_TOKEN, loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { confirmation, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { monitorHttp } from "../support/monitor-http.js";

// The delivery-report route on the local monitor (`npm start`): an Alibaba Cloud report of a failed
// text, pushed over HTTP with the local token, then the fallback email sent once by the next check.

describe("SMS delivery reports on the local monitor", () => {
  let monitor: LocalMonitor;
  const { http, postSigned } = monitorHttp(() => monitor.url);

  beforeAll(async () => {
    const config = loadLocalConfig({
      cwd: mkdtempSync(join(tmpdir(), "settlewatch-sms-reports-")),
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = `sms-reports-${Date.now()}`;
    config.sms = { routing: { default: "aliyun" }, providers: { aliyun: { signName: "结算提醒" } } };
    monitor = await startLocalMonitor(config, { dynamoDbEndpoint: inject("dynamoDbEndpoint") });
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  it("records FAILED from an Alibaba Cloud push and sends the fallback email once", async () => {
    const merchant = {
      ...SHANGHAI_MERCHANT,
      contact: { ...SHANGHAI_MERCHANT.contact, email: "owner@example.com" },
    };
    expect((await http("PUT", `/v1/merchants/${merchant.merchantId}`, JSON.stringify(merchant))).status).toBe(
      201,
    );
    // Signed now (the webhook's timestamp tolerance); the payment itself is of 30 Sep, due 8 Oct.
    expect((await postSigned(confirmation({ paymentId: "p-local-1" }))).status).toBe(201);
    await http("POST", "/local/check", JSON.stringify({ asOf: "2026-10-08T12:00:00Z" }));
    const sms = monitor.services.outbox.sent.find((sent) => sent.channel === "sms");
    expect(sms?.provider).toBe("aliyun");
    const noticeId = sms?.noticeId ?? "";

    const report = JSON.stringify([
      {
        phone_number: "13800138000",
        success: false,
        err_code: "MK:0001",
        err_msg: "失败",
        biz_id: "b",
        out_id: noticeId,
      },
    ]);
    const path = "/v1/sms-reports/aliyun";
    expect((await http("POST", path, report)).status).toBe(401);
    expect((await http("POST", `${path}?token=not-the-token`, report)).status).toBe(403);
    const answer = await http("POST", `${path}?token=${DEMO_SMS_REPORT_TOKEN}`, report);
    expect(answer).toEqual({
      status: 200,
      body: {
        code: 0,
        msg: "接收成功",
        counts: { recorded: 1, duplicate: 0, unknown: 0, fallbacks: 1, skipped: 0 },
      },
    });
    expect(await monitor.services.deliver.notices.get(noticeId, "sms")).toMatchObject({
      deliveryStatus: "FAILED",
      deliveryErrorCode: "MK:0001",
    });

    // The next check (now) queues the fallback; a repeated push and another check send nothing more.
    await http("POST", "/local/check", "");
    await http("POST", `${path}?token=${DEMO_SMS_REPORT_TOKEN}`, report);
    await http("POST", "/local/check", "");
    const emails = monitor.services.outbox.sent.filter((sent) => sent.channel === "email");
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      to: "o***@example.com",
      subject: "结算提醒（短信未能送达，改以邮件发送）",
      text: sms?.text,
    });
  });
});
