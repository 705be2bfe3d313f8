import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { monitorHttp } from "../support/monitor-http.js";
import { tableKeys } from "../support/table-items.js";

// The business-day rule through the user's path: merchant profiles PUT over the local HTTP API,
// signed confirmations POSTed, then the payment items read back from the table.

const ENV = {
  SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
  SETTLEWATCH_PORT: "0",
};
const DEFAULT_RULE = "m-cn-default";
const ROLL_FIRST = "m-cn-roll";

describe("business-day rule over the local HTTP API, stored on DynamoDB Local", () => {
  let monitor: LocalMonitor;
  let config: ReturnType<typeof loadLocalConfig>;
  const workDir = mkdtempSync(join(tmpdir(), "settlewatch-rule-"));

  const { http } = monitorHttp(() => monitor.url);
  const confirm = async (paymentId: string, merchantId: string, confirmedAt: string) => {
    const body = JSON.stringify(confirmation({ paymentId, merchantId, confirmedAt }));
    const answer = await http("POST", "/v1/confirmations", body, {
      "settlewatch-signature": signed(body, new Date()),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  };
  const stored = async (paymentId: string) => {
    const db = documentClient(localDynamoDbClient(monitor.dynamoDbEndpoint));
    const { Item } = await db.send(
      new GetCommand({ TableName: config.tableName, Key: tableKeys.payment(TEST_ACQUIRER, paymentId) }),
    );
    return Item;
  };

  beforeAll(async () => {
    // Deployment default terms for merchants without a profile: the roll-first option, from the local config file.
    const configFile = join(workDir, "settlewatch.local.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        defaultTerms: {
          timeZone: "Asia/Shanghai",
          calendar: "CN",
          settlement: { cycle: "T+1", cutoff: "23:00", businessDayRule: "roll-trade-date-first" },
        },
      }),
    );
    config = loadLocalConfig({ cwd: workDir, env: ENV });
    config.tableName = `e2e-rule-${Date.now()}`;
    monitor = await startLocalMonitor(config, { dynamoDbEndpoint: inject("dynamoDbEndpoint") });
    const profiles = [
      { ...SHANGHAI_MERCHANT, merchantId: DEFAULT_RULE },
      {
        ...SHANGHAI_MERCHANT,
        merchantId: ROLL_FIRST,
        settlement: { ...SHANGHAI_MERCHANT.settlement, businessDayRule: "roll-trade-date-first" },
      },
    ];
    for (const profile of profiles) {
      expect((await http("PUT", `/v1/merchants/${profile.merchantId}`, JSON.stringify(profile))).status).toBe(
        201,
      );
    }
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  it("stores the option on the profile, and refuses an unknown rule naming the field (422, nothing stored)", async () => {
    expect((await http("GET", `/v1/merchants/${ROLL_FIRST}`)).body).toMatchObject({
      settlement: { cycle: "T+1", businessDayRule: "roll-trade-date-first" },
    });
    const bad = {
      ...SHANGHAI_MERCHANT,
      merchantId: "m-bad-rule",
      settlement: { ...SHANGHAI_MERCHANT.settlement, businessDayRule: "roll-first" },
    };
    const answer = await http("PUT", "/v1/merchants/m-bad-rule", JSON.stringify(bad));
    expect(answer.status).toBe(422);
    expect((answer.body.errors as Array<{ field: string }>).map((error) => error.field)).toEqual([
      "settlement.businessDayRule",
    ]);
    expect((await http("GET", "/v1/merchants/m-bad-rule")).status).toBe(404);
  });

  it("a Saturday trade: due Monday by default, Tuesday when the trade date is rolled first", async () => {
    // Sat 12 Sep 2026, 12:00 in Shanghai; no holiday or make-up day that week.
    const byDefault = await confirm("sat-default", DEFAULT_RULE, "2026-09-12T12:00:00+08:00");
    const rolled = await confirm("sat-roll", ROLL_FIRST, "2026-09-12T12:00:00+08:00");
    expect(byDefault.expectedBy).toBe("2026-09-14T10:00:00.000Z");
    expect(rolled.expectedBy).toBe("2026-09-15T10:00:00.000Z");

    expect(await stored("sat-default")).toMatchObject({
      status: "PENDING",
      tradeDate: "2026-09-12",
      dueDate: "2026-09-14",
      expectedBy: "2026-09-14T10:00:00.000Z",
      overdueAt: "2026-09-14T11:00:00.000Z",
      explanation:
        "T+1 business day from trade date 12 Sep 2026 (confirmed 2026-09-12 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); due 14 Sep 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    });
    expect(await stored("sat-roll")).toMatchObject({
      dueDate: "2026-09-15",
      expectedBy: "2026-09-15T10:00:00.000Z",
      explanation:
        "T+1 business day from trade date 12 Sep 2026 (confirmed 2026-09-12 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "trade date rolled to 14 Sep 2026, counted after it (rule roll-trade-date-first); due 15 Sep 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    });
  });

  it("a National Day holiday trade: due 8 Oct by default, 9 Oct when rolled first", async () => {
    const byDefault = await confirm("holiday-default", DEFAULT_RULE, "2026-10-02T09:30:00+08:00");
    const rolled = await confirm("holiday-roll", ROLL_FIRST, "2026-10-02T09:30:00+08:00");
    expect(byDefault.expectedBy).toBe("2026-10-08T10:00:00.000Z");
    expect(rolled.expectedBy).toBe("2026-10-09T10:00:00.000Z");
    expect(await stored("holiday-default")).toMatchObject({
      tradeDate: "2026-10-02",
      dueDate: "2026-10-08",
      expectedBy: "2026-10-08T10:00:00.000Z",
      explanation:
        "T+1 business day from trade date 2 Oct 2026 (confirmed 2026-10-02 09:30 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); 3–7 Oct National Day skipped; due 8 Oct 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    });
    expect(await stored("holiday-roll")).toMatchObject({
      dueDate: "2026-10-09",
      expectedBy: "2026-10-09T10:00:00.000Z",
      explanation: expect.stringContaining(
        "; trade date rolled to 8 Oct 2026, counted after it (rule roll-trade-date-first); 2–7 Oct National Day skipped; due 9 Oct 2026 18:00",
      ),
    });
  });

  it("a trade the day before a 调休 Saturday is due on it; one on it, the Monday after", async () => {
    await confirm("fri-before-makeup", DEFAULT_RULE, "2026-10-09T12:00:00+08:00");
    await confirm("on-makeup", DEFAULT_RULE, "2026-10-10T12:00:00+08:00");
    expect(await stored("fri-before-makeup")).toMatchObject({
      dueDate: "2026-10-10",
      expectedBy: "2026-10-10T10:00:00.000Z",
      explanation: expect.stringContaining("; 10 Oct is a make-up workday; due 10 Oct 2026 18:00"),
    });
    expect(await stored("on-makeup")).toMatchObject({
      dueDate: "2026-10-12",
      expectedBy: "2026-10-12T10:00:00.000Z",
    });
  });

  it("a merchant without a profile gets the local config's default terms, roll-first included", async () => {
    await confirm("sat-no-profile", "m-nobody", "2026-09-12T12:00:00+08:00");
    expect(await stored("sat-no-profile")).toMatchObject({
      merchantRegistered: false,
      dueDate: "2026-09-15",
      explanation: expect.stringContaining("(rule roll-trade-date-first)"),
    });
  });

  it("the local config refuses an unknown rule in its default terms, naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "settlewatch-rule-bad-"));
    writeFileSync(
      join(dir, "settlewatch.local.json"),
      JSON.stringify({
        defaultTerms: {
          timeZone: "Asia/Shanghai",
          calendar: "CN",
          settlement: { cycle: "T+1", businessDayRule: "x" },
        },
      }),
    );
    expect(() => loadLocalConfig({ cwd: dir, env: ENV })).toThrow(
      /defaultTerms\.settlement\.businessDayRule: /,
    );
  });
});
