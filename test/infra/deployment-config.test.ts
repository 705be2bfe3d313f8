import { describe, expect, it } from "vitest";
import type { DeploymentInput } from "../../infra/config/deployment-schema.js";
import { deployments, loadDeployments, selectDeployments } from "../../infra/config/deployments.js";

const valid: DeploymentInput = {
  name: "test-one",
  region: "cn-northwest-1",
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
        settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", feeRate: "0" },
      },
    });
  });

  it.each([
    ["a region that is not one", { region: "Beijing" }, "region"],
    [
      "a settlement cycle that is not T+N or D+N",
      { defaultMerchantTerms: { ...valid.defaultMerchantTerms, settlement: { cycle: "T1" } } },
      "cycle",
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
  ])("rejects %s", (_label, change, expected) => {
    expect(problems([{ ...valid, ...change } as DeploymentInput])).toContain(expected);
  });

  it("rejects two deployments with one name, or sharing a secret in one region", () => {
    expect(
      problems([valid, { ...valid, webhookSecretName: "other", calendarOverridesParameter: "/other" }]),
    ).toContain("name test-one is already used");
    expect(problems([valid, { ...valid, name: "test-two", calendarOverridesParameter: "/other" }])).toContain(
      "secret settlewatch/test-one/webhook-secrets is already used",
    );
    expect(problems([valid, { ...valid, name: "test-two", region: "cn-north-1" }])).toBe("");
  });

  it("selects one deployment by name, all without a name, and names the known ones otherwise", () => {
    const all = loadDeployments([valid, { ...valid, name: "test-two", region: "cn-north-1" }]);
    expect(selectDeployments(all, undefined).map((d) => d.name)).toEqual(["test-one", "test-two"]);
    expect(selectDeployments(all, "test-two").map((d) => d.name)).toEqual(["test-two"]);
    expect(() => selectDeployments(all, "test-three")).toThrow(
      'unknown deployment "test-three"; configured: test-one, test-two',
    );
  });
});
