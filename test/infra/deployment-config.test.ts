import { describe, expect, it } from "vitest";
import type { DeploymentInput } from "../../infra/config/deployment-schema.js";
import { deployments, loadDeployments, selectDeployments } from "../../infra/config/deployments.js";

const valid: DeploymentInput = {
  name: "test-one",
  region: "ap-east-1",
  stage: "dev",
  acquirers: [{ id: "wechatpay", name: "WeChat Pay" }],
  webhookSecretName: "settlewatch/test-one/webhook-secrets",
  defaultMerchantTerms: { timeZone: "Asia/Shanghai", calendar: "CN", settlement: { cycle: "T+1" } },
  calendarOverridesParameter: "/settlewatch/test-one/calendar-overrides",
};

const problems = (inputs: DeploymentInput[]): string => {
  try {
    loadDeployments(inputs);
    return "";
  } catch (error) {
    return String(error);
  }
};

describe("deployment configuration", () => {
  it("validates the deployments shipped in infra/config/deployments.ts", () => {
    const all = loadDeployments();
    expect(all.length).toBeGreaterThan(0);
    expect(all.map((d) => d.name)).toEqual(deployments.map((d) => d.name));
  });

  it("fills in defaults: due shards, log retention, API throttle, settlement terms", () => {
    const [deployment] = loadDeployments([valid]);
    expect(deployment).toMatchObject({
      dueShards: 16,
      logRetentionDays: 90,
      api: { throttle: { rateLimit: 50, burstLimit: 100 } },
      defaultMerchantTerms: {
        settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00" },
      },
    });
    // No default fee rate: an unknown rate skips the fee check (merchant-profile.ts).
    expect(deployment?.defaultMerchantTerms.settlement.feeRate).toBeUndefined();
  });

  it("keeps a named business-day rule in the default terms (absent means after-trade-date)", () => {
    const rollFirst = { cycle: "T+1", businessDayRule: "roll-trade-date-first" as const };
    const [deployment] = loadDeployments([
      { ...valid, defaultMerchantTerms: { ...valid.defaultMerchantTerms, settlement: rollFirst } },
    ]);
    expect(deployment?.defaultMerchantTerms.settlement.businessDayRule).toBe("roll-trade-date-first");
    expect(loadDeployments([valid])[0]?.defaultMerchantTerms.settlement.businessDayRule).toBeUndefined();
  });

  it("fills in the check and notification defaults", () => {
    const [deployment] = loadDeployments([valid]);
    expect(deployment).toMatchObject({
      checkSchedule: { rateMinutes: 5 },
      calendarCheck: { horizonDays: 90, rateMinutes: 60 },
      escalationHours: [0, 24, 72],
      sms: {},
      notifier: { maxConcurrency: 2, maxReceiveCount: 5 },
      alarmEmails: [],
    });
    expect(deployment?.acquirers[0]?.settlementFile).toBeUndefined();
  });

  it("fills in the settlement-file defaults: 90 days for old versions, 15 min / 1024 MB, concurrency 5, 10 deliveries", () => {
    const [deployment] = loadDeployments([valid]);
    expect(deployment?.settlementFiles).toEqual({
      noncurrentVersionDays: 90,
      accessLogDays: 365,
      distributedThresholdBytes: 64 * 1024 * 1024,
      distributedChunkBytes: 8 * 1024 * 1024,
      distributedMaxConcurrency: 10,
      ingest: { timeoutMinutes: 15, memoryMb: 1024, maxConcurrency: 5, maxReceiveCount: 10 },
    });
    expect(deployment?.acquirers[0]?.csvMappings).toBeUndefined();
  });

  it("fills in the ingest defaults when only the bucket settings are given", () => {
    const [deployment] = loadDeployments([{ ...valid, settlementFiles: { retentionDays: 400 } }]);
    expect(deployment?.settlementFiles).toEqual({
      retentionDays: 400,
      noncurrentVersionDays: 90,
      accessLogDays: 365,
      distributedThresholdBytes: 64 * 1024 * 1024,
      distributedChunkBytes: 8 * 1024 * 1024,
      distributedMaxConcurrency: 10,
      ingest: { timeoutMinutes: 15, memoryMb: 1024, maxConcurrency: 5, maxReceiveCount: 10 },
    });
  });

  it("keeps an acquirer's CSV mappings as written (the function fills in their defaults)", () => {
    const mapping = {
      acquirer: "bank-x-csv",
      columns: { reference: "Ref", net: "Net", valueDate: "Date" },
      defaultCurrency: "CNY",
    };
    const [deployment] = loadDeployments([
      { ...valid, acquirers: [{ id: "bank-x", name: "Bank X", csvMappings: [mapping] }] },
    ]);
    expect(deployment?.acquirers[0]?.csvMappings).toEqual([mapping]);
  });

  it("takes an acquirer's settlement file time (daysAfter defaults to 1) and contact", () => {
    const [deployment] = loadDeployments([
      {
        ...valid,
        acquirers: [
          {
            id: "wechatpay",
            name: "WeChat Pay",
            settlementFile: { expectedBy: "10:00", timeZone: "Asia/Shanghai" },
            contact: { names: { "zh-CN": "微信支付" }, hotline: "95017" },
          },
        ],
        sms: { senderId: "Settle1", maxPriceUsd: "0.05", monthlySpendLimitUsd: 100 },
      },
    ]);
    expect(deployment?.acquirers[0]).toEqual({
      id: "wechatpay",
      name: "WeChat Pay",
      settlementFile: { expectedBy: "10:00", timeZone: "Asia/Shanghai", daysAfter: 1 },
      contact: { names: { "zh-CN": "微信支付" }, hotline: "95017" },
      matchByOrderNumber: true,
    });
    expect(deployment?.sms).toEqual({ senderId: "Settle1", maxPriceUsd: "0.05", monthlySpendLimitUsd: 100 });
  });

  it.each([
    ["a region that is not one", { region: "Beijing" }, "region"],
    [
      "a settlement cycle that is not T+N or D+N",
      { defaultMerchantTerms: { ...valid.defaultMerchantTerms, settlement: { cycle: "T1" } } },
      "cycle",
    ],
    [
      "a business-day rule that is not one",
      {
        defaultMerchantTerms: {
          ...valid.defaultMerchantTerms,
          settlement: { cycle: "T+1", businessDayRule: "roll" as "roll-trade-date-first" },
        },
      },
      "defaultMerchantTerms.settlement.businessDayRule",
    ],
    [
      "an unknown time zone",
      { defaultMerchantTerms: { ...valid.defaultMerchantTerms, timeZone: "Asia/Peking" } },
      "timeZone",
    ],
    [
      "a duplicate acquirer",
      {
        acquirers: [
          { id: "alipay", name: "A" },
          { id: "alipay", name: "B" },
        ],
      },
      "alipay is listed twice",
    ],
    ["an upper-case acquirer id", { acquirers: [{ id: "AliPay", name: "A" }] }, "acquirers"],
    [
      "a secret name that looks like an ARN suffix",
      { webhookSecretName: "webhooks-AbC123" },
      "six characters",
    ],
    [
      "a relative parameter name",
      { calendarOverridesParameter: "settlewatch/calendar" },
      "calendarOverridesParameter",
    ],
    ["a reserved parameter name", { calendarOverridesParameter: "/aws/calendar" }, "reserved"],
    ["a log retention CloudWatch does not offer", { logRetentionDays: 100 }, "logRetentionDays"],
    ["zero due shards", { dueShards: 0 }, "dueShards"],
    ["an unknown key (typo)", { dueShard: 8 }, "dueShard"],
    [
      'a name with a "-merchant" segment (its topics would match another deployment\'s pattern)',
      { name: "cn-merchant-a" },
      "-merchant",
    ],
    [
      "a settlement file time that is not HH:MM",
      {
        acquirers: [
          { id: "a", name: "A", settlementFile: { expectedBy: "9:00", timeZone: "Asia/Shanghai" } },
        ],
      },
      "HH:MM",
    ],
    [
      "a settlement file in an unknown zone",
      {
        acquirers: [
          { id: "a", name: "A", settlementFile: { expectedBy: "09:00", timeZone: "China/Beijing" } },
        ],
      },
      "IANA",
    ],
    [
      "a contact name in a language there are no templates for",
      { acquirers: [{ id: "a", name: "A", contact: { names: { fr: "A" } } }] },
      "names",
    ],
    ["an escalation schedule not starting at 0", { escalationHours: [24, 72] }, "first entry must be 0"],
    ["an escalation schedule going backwards", { escalationHours: [0, 72, 24] }, "strictly increasing"],
    ["a check rate of 0 minutes", { checkSchedule: { rateMinutes: 0 } }, "rateMinutes"],
    ["a calendar horizon under two weeks", { calendarCheck: { horizonDays: 7 } }, "horizonDays"],
    ["a calendar check rate over a day", { calendarCheck: { rateMinutes: 1441 } }, "rateMinutes"],
    ["a sender ID longer than 11 characters", { sms: { senderId: "SettlewatchHK" } }, "senderId"],
    ["a sender ID of digits only", { sms: { senderId: "12345" } }, "at least one letter"],
    ["a max SMS price of 0", { sms: { maxPriceUsd: "0" } }, "more than 0"],
    ["a max SMS price as a number", { sms: { maxPriceUsd: 0.05 } }, "maxPriceUsd"],
    [
      "a notifier concurrency below the SQS minimum of 2",
      { notifier: { maxConcurrency: 1 } },
      "maxConcurrency",
    ],
    ["zero tries before the dead-letter queue", { notifier: { maxReceiveCount: 0 } }, "maxReceiveCount"],
    ["an alarm email that is not one", { alarmEmails: ["ops"] }, "alarmEmails"],
    ["an alarm email listed twice", { alarmEmails: ["ops@example.com", "OPS@example.com"] }, "listed twice"],
    [
      "an ingest timeout over Lambda's 15 minutes",
      { settlementFiles: { ingest: { timeoutMinutes: 16 } } },
      "timeoutMinutes",
    ],
    [
      "an ingest concurrency below the SQS minimum of 2",
      { settlementFiles: { ingest: { maxConcurrency: 1 } } },
      "maxConcurrency",
    ],
    [
      "one delivery per file (a resumed file needs at least a second)",
      { settlementFiles: { ingest: { maxReceiveCount: 1 } } },
      "maxReceiveCount",
    ],
    [
      "more deliveries than fit in the queue's 4-day retention",
      { settlementFiles: { ingest: { timeoutMinutes: 15, maxReceiveCount: 65 } } },
      "must fit in the queue's 4-day retention",
    ],
    [
      "old versions kept for less than the dead-letter queue keeps their messages",
      { settlementFiles: { noncurrentVersionDays: 14 } },
      "noncurrentVersionDays",
    ],
    ["an unknown settlement-file setting (typo)", { settlementFiles: { retentionDay: 30 } }, "retentionDay"],
    [
      "a CSV mapping without a value date column (the function's own parser says so)",
      {
        acquirers: [
          { id: "a", name: "A", csvMappings: [{ acquirer: "a-csv", columns: { reference: "R", net: "N" } }] },
        ],
      },
      "acquirers[0].csvMappings[0].columns.valueDate",
    ],
    [
      "a CSV mapping with neither a currency column nor a default currency",
      {
        acquirers: [
          {
            id: "a",
            name: "A",
            csvMappings: [{ acquirer: "a-csv", columns: { reference: "R", net: "N", valueDate: "D" } }],
          },
        ],
      },
      "map columns.currency or set defaultCurrency",
    ],
    [
      "a CSV mapping name used twice (the first would always win)",
      {
        acquirers: [
          {
            id: "a",
            name: "A",
            csvMappings: [
              {
                acquirer: "same",
                columns: { reference: "R", net: "N", valueDate: "D" },
                defaultCurrency: "CNY",
              },
            ],
          },
          {
            id: "b",
            name: "B",
            csvMappings: [
              {
                acquirer: "same",
                columns: { reference: "R", gross: "G", valueDate: "D" },
                defaultCurrency: "CNY",
              },
            ],
          },
        ],
      },
      "mapping name same is already used by acquirers[0].csvMappings[0]",
    ],
    [
      "an empty list of CSV mappings",
      { acquirers: [{ id: "a", name: "A", csvMappings: [] }] },
      "csvMappings",
    ],
  ])("rejects %s", (_label, change, expected) => {
    expect(problems([{ ...valid, ...change } as DeploymentInput])).toContain(expected);
  });

  it("requires the secret of each platform switched on for the merchant page's real-time check", () => {
    const page = { signIn: { codesPerHour: 5, sessionHours: 720 } };
    const withCheck = (platformCheck: unknown) =>
      problems([{ ...valid, merchantPage: { ...page, platformCheck } } as DeploymentInput]);
    expect(withCheck({ wechatpay: {} })).toContain("merchantPage.platformCheck.wechatpay.secretName");
    expect(withCheck({ alipay: { gateway: "https://openapi.alipay.com/gateway.do" } })).toContain(
      "merchantPage.platformCheck.alipay.secretName",
    );
    expect(withCheck({ wechatpay: { secretName: "settlewatch/test-one/wechatpay" } })).toBe("");
    const [deployment] = loadDeployments([
      {
        ...valid,
        merchantPage: { ...page, platformCheck: { alipay: { secretName: "a" } } },
      } as DeploymentInput,
    ]);
    expect(deployment?.merchantPage.platformCheck).toEqual({
      timeoutMs: 3000,
      alipay: { gateway: "https://openapi.alipay.com/gateway.do", secretName: "a" },
    });
  });

  it("rejects two deployments with one name, or sharing a secret in one region", () => {
    expect(
      problems([valid, { ...valid, webhookSecretName: "other", calendarOverridesParameter: "/other" }]),
    ).toContain("name test-one is already used");
    expect(problems([valid, { ...valid, name: "test-two", calendarOverridesParameter: "/other" }])).toContain(
      "secret settlewatch/test-one/webhook-secrets is already used",
    );
    expect(problems([valid, { ...valid, name: "test-two", region: "ap-southeast-1" }])).toBe("");
  });

  it("selects one deployment by name, all without a name, and names the known ones otherwise", () => {
    const all = loadDeployments([valid, { ...valid, name: "test-two", region: "ap-southeast-1" }]);
    expect(selectDeployments(all, undefined).map((d) => d.name)).toEqual(["test-one", "test-two"]);
    expect(selectDeployments(all, "test-two").map((d) => d.name)).toEqual(["test-two"]);
    expect(() => selectDeployments(all, "test-three")).toThrow(
      'unknown deployment "test-three"; configured: test-one, test-two',
    );
  });
});
