import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";

// merchantPage.enabled = false on the local monitor (DynamoDB Local): no page, no API (404 on every
// /m/ path, nothing stored, no code sent), while the rest of the monitor serves as before.

describe("merchant page switched off (local monitor, DynamoDB Local)", () => {
  let monitor: LocalMonitor;
  let tableName = "";

  beforeAll(async () => {
    const config = loadLocalConfig({
      cwd: mkdtempSync(join(tmpdir(), "settlewatch-page-off-")),
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = `page-off-${Date.now()}`;
    config.merchantPage = { ...config.merchantPage, enabled: false };
    tableName = config.tableName;
    monitor = await startLocalMonitor(config, { dynamoDbEndpoint: inject("dynamoDbEndpoint") });
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  it("answers 404 on the page and every API path, stores nothing and sends no code; confirmations still work", async () => {
    const profile = {
      name: "Shop",
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1" },
      contact: { phone: "+8613800138000", language: "zh-CN", channels: ["sms"] },
    };
    const put = await fetch(`${monitor.url}/v1/merchants/m-off`, {
      method: "PUT",
      body: JSON.stringify(profile),
    });
    expect(put.status).toBeLessThan(300);
    const headers = { "content-type": "application/json", "x-settlewatch-csrf": "1" };
    const asked = [
      await fetch(`${monitor.url}/m/`),
      await fetch(`${monitor.url}/m/api/outstanding`),
      await fetch(`${monitor.url}/m/api/lookup?amountMinor=100&currency=CNY`),
      await fetch(`${monitor.url}/m/api/sign-in`, {
        method: "POST",
        headers,
        body: JSON.stringify({ phone: "+8613800138000" }),
      }),
    ];
    expect(asked.map((answer) => answer.status)).toEqual([404, 404, 404, 404]);
    const body = JSON.stringify(confirmation({ merchantId: "m-off", confirmedAt: new Date().toISOString() }));
    const confirmed = await fetch(`${monitor.url}/v1/confirmations`, {
      method: "POST",
      headers: { "content-type": "application/json", "settlewatch-signature": signed(body, new Date()) },
      body,
    });
    expect(confirmed.status).toBe(201);

    const client = localDynamoDbClient(inject("dynamoDbEndpoint"));
    const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
    client.destroy();
    const entities = (Items ?? []).map((item) => String(unmarshall(item).pk).split("#")[0]);
    expect(entities).toContain("PAY");
    expect(entities.filter((prefix) => prefix === "SIGNIN" || prefix === "MSESSION")).toEqual([]);
    expect(monitor.services.outbox.sent.filter((notice) => notice.noticeId.startsWith("signin-"))).toEqual(
      [],
    );
  });
});
