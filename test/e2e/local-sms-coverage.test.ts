import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LocalMonitor } from "../../local/monitor.js";
import { settlewatchInProcess } from "../support/cli-in-process.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { monitorHttp, startTestMonitor } from "../support/monitor-http.js";

// The local runtime refuses, like the operator API in AWS, a merchant whose number no configured
// SMS provider covers: here only +86 is covered (Alibaba Cloud), with no default provider.
describe("local registration with SMS coverage", () => {
  let monitor: LocalMonitor;
  const { http } = monitorHttp(() => monitor.url);
  const workDir = mkdtempSync(join(tmpdir(), "settlewatch-coverage-"));
  const usMerchant = {
    ...SHANGHAI_MERCHANT,
    merchantId: "m-us-001",
    contact: { phone: "+14155550123", language: "en", channels: ["sms"] },
  };

  beforeAll(async () => {
    monitor = await startTestMonitor({
      tablePrefix: "coverage",
      dynamoDbEndpoint: inject("dynamoDbEndpoint"),
      sms: {
        routing: { byCallingCode: { "86": "aliyun" } },
        providers: { aliyun: { signName: "结算提醒", templateCodes: { "zh-CN": { overdue: "SMS_101" } } } },
      },
    });
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  it("PUT /v1/merchants: 422 on contact.phone naming the calling code, nothing stored; +86 is accepted", async () => {
    const refused = await http("PUT", "/v1/merchants/m-us-001", JSON.stringify(usMerchant));
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      {
        field: "contact.phone",
        message:
          "no SMS provider of this deployment sends to +1 (covered: +86); choose email or ask the operator to configure a provider for it",
      },
    ]);
    expect((await http("GET", "/v1/merchants/m-us-001")).status).toBe(404);
    const byEmail = { ...usMerchant, contact: { email: "owner@example.com", channels: ["email"] } };
    expect((await http("PUT", "/v1/merchants/m-us-001", JSON.stringify(byEmail))).status).toBe(201);
    expect(
      (await http("PUT", "/v1/merchants/m-shanghai-001", JSON.stringify(SHANGHAI_MERCHANT))).status,
    ).toBe(201);
  });

  it("settlewatch merchants put: exits 1 with the reason, the profile is not stored", async () => {
    const file = join(workDir, "merchant.json");
    writeFileSync(file, JSON.stringify({ ...usMerchant, merchantId: "m-us-002" }));
    // The command in this process (cli/program.ts); local-monitor.test.ts runs the CLI as a process.
    const failed = await settlewatchInProcess("merchants", "put", file, "--url", monitor.url);
    expect(failed.code).toBe(1);
    expect(`${failed.stdout}${failed.stderr}`).toContain("no SMS provider of this deployment sends to +1");
    expect(`${failed.stdout}${failed.stderr}`).toContain("contact.phone");
    expect((await http("GET", "/v1/merchants/m-us-002")).status).toBe(404);
  });
});
