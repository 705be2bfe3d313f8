import { describe, expect, it } from "vitest";
import type { DeploymentInput } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { smsEnvironment, smsPacingEnvironment } from "../../infra/config/sms-deployment.js";
import { ALIYUN_TEST_SETTINGS } from "./support/sms-fixtures.js";

const base: DeploymentInput = {
  name: "cn-test",
  region: "cn-north-1",
  stage: "dev",
  acquirers: [{ id: "wechatpay", name: "WeChat Pay" }],
  webhookSecretName: "settlewatch/cn-test/webhook-secrets",
  defaultMerchantTerms: { timeZone: "Asia/Shanghai", calendar: "CN", settlement: { cycle: "T+1" } },
  calendarOverridesParameter: "/settlewatch/cn-test/calendar-overrides",
  icpRecordal: { pending: true },
};

const ALIYUN = ALIYUN_TEST_SETTINGS;

const problems = (input: DeploymentInput): string => {
  try {
    loadDeployments([input]);
    return "";
  } catch (error) {
    return String(error);
  }
};

describe("SMS provider and China-region checks at synth", () => {
  it.each(["cn-north-1", "cn-northwest-1"])(
    "refuses SNS SMS in %s, naming the region and the alternatives",
    (region) => {
      const message = problems({ ...base, region, sms: { provider: "sns" } });
      expect(message).toContain(`${region} cannot send SMS through Amazon SNS`);
      expect(message).toContain('"aliyun" (Alibaba Cloud SMS) or "tencent" (Tencent Cloud SMS)');
      expect(problems({ ...base, region })).toContain(`${region} has no SNS SMS: set sms.provider`);
    },
  );

  it("refuses SNS for one calling code in a China region too", () => {
    expect(
      problems({ ...base, sms: { provider: "aliyun", aliyun: ALIYUN, byCallingCode: { "852": "sns" } } }),
    ).toContain("cannot send SMS through Amazon SNS");
  });

  it("refuses a mainland provider without its settings or with a template left unregistered", () => {
    expect(problems({ ...base, sms: { provider: "aliyun" } })).toContain("aliyun is used but not configured");
    const { "arrived.other": _left, ...zh } = ALIYUN.templateCodes["zh-CN"];
    const partial = { ...ALIYUN, templateCodes: { ...ALIYUN.templateCodes, "zh-CN": zh } };
    expect(problems({ ...base, sms: { provider: "aliyun", aliyun: partial } })).toContain(
      "no registered aliyun template code for zh-CN/arrived.other",
    );
    expect(
      problems({ ...base, sms: { provider: "aliyun", aliyun: { ...ALIYUN, signName: "【结算】" } } }),
    ).toContain("without 【】");
  });

  it("refuses a China-region deployment without an ICP acknowledgement, saying what to file and why", () => {
    const { icpRecordal: _none, ...withoutIcp } = base;
    const message = problems({ ...withoutIcp, sms: { provider: "aliyun", aliyun: ALIYUN } });
    expect(message).toContain("ICP recordal (ICP 备案");
    expect(message).toContain("403");
    expect(message).toContain("POST /v1/confirmations");
    expect(
      problems({
        ...base,
        icpRecordal: { licence: "京ICP备12345678号" },
        sms: { provider: "aliyun", aliyun: ALIYUN },
      }),
    ).toBe("");
  });

  it("routes +86 through Alibaba Cloud and the rest through SNS where SNS SMS exists", () => {
    const [deployment] = loadDeployments([
      {
        ...base,
        name: "hk-test",
        region: "ap-east-1",
        icpRecordal: undefined,
        sms: { byCallingCode: { "86": "aliyun" }, aliyun: ALIYUN },
      },
    ]);
    if (!deployment) throw new Error("expected a deployment");
    const env = smsEnvironment(deployment);
    expect(JSON.parse(env.SMS_ROUTING)).toEqual({ default: "sns", byCallingCode: { "86": "aliyun" } });
    expect(JSON.parse(env.SMS_PROVIDERS)).toEqual({
      sns: {},
      aliyun: {
        signName: "结算提醒",
        templateCodes: ALIYUN.templateCodes,
        secretId: "settlewatch/cn-test/aliyun-sms",
      },
    });
  });

  const TENCENT = {
    signName: "结算提醒",
    secretName: "settlewatch/cn-test/tencent-sms",
    smsSdkAppId: "1400787878",
    templateCodes: {
      "zh-CN": {
        overdue: "101",
        escalation: "102",
        "arrived.one": "103",
        "arrived.other": "104",
        "sign-in-code": "105",
      },
      en: {
        "sign-in-code": "117",
        "overdue.one": "111",
        "overdue.other": "112",
        "escalation.one": "113",
        "escalation.other": "114",
        "arrived.one": "115",
        "arrived.other": "116",
      },
    },
    templateParams: {
      "101": ["total", "count", "confirmed", "due", "items", "nextStep"],
      "102": ["count", "total", "confirmed", "due", "items", "nextStep"],
      "103": ["reference", "total"],
      "104": ["count", "total"],
      "111": ["total", "due", "items", "nextStep"],
      "112": ["count", "total", "due", "items", "nextStep"],
      "113": ["total", "due", "items", "nextStep"],
      "114": ["count", "total", "due", "items", "nextStep"],
      "115": ["reference", "total"],
      "116": ["count", "total"],
      "105": ["code"],
      "117": ["code"],
    },
  };

  it("tencent: every configured template lists exactly the notice's variables (templateParams), passed to the notifier", () => {
    const deployment = { ...base, sms: { provider: "tencent" as const, tencent: TENCENT } };
    expect(problems(deployment)).toBe("");
    const [loaded] = loadDeployments([deployment]);
    const providers = JSON.parse(smsEnvironment(loaded as NonNullable<typeof loaded>).SMS_PROVIDERS);
    expect(providers.tencent.templateParams["101"]).toEqual(TENCENT.templateParams["101"]);

    const { "101": _none, ...withoutOverdue } = TENCENT.templateParams;
    expect(
      problems({
        ...base,
        sms: { provider: "tencent", tencent: { ...TENCENT, templateParams: withoutOverdue } },
      }),
    ).toContain(
      'Tencent template 101 (zh-CN/overdue) has no templateParams: list its variables in the registered {1}, {2}, … order, e.g. ["count","total","confirmed","due","items","nextStep"]',
    );
    const wrong = {
      ...TENCENT.templateParams,
      "101": ["count", "total", "confirmed", "due", "reference", "count"],
      "999": ["count"],
    };
    const message = problems({
      ...base,
      sms: { provider: "tencent", tencent: { ...TENCENT, templateParams: wrong } },
    });
    expect(message).toContain(
      "Tencent template 101 (zh-CN/overdue) lacks items, nextStep; lists reference, which the notice does not have; lists count twice: it needs exactly count, total, confirmed, due, items, nextStep",
    );
    expect(message).toContain("999 is not a template id in templateCodes");
  });

  it("pacing: defaults from the providers' documented limits per used provider, overrides checked", () => {
    const [hk] = loadDeployments([
      {
        ...base,
        name: "hk-test",
        region: "ap-east-1",
        icpRecordal: undefined,
        sms: {
          byCallingCode: { "86": "aliyun" },
          aliyun: ALIYUN,
          pacing: { aliyun: { perNumber: { perDay: 20 } } },
        },
      },
    ]);
    expect(JSON.parse(smsPacingEnvironment(hk as NonNullable<typeof hk>).SMS_PACING)).toEqual({
      sns: { concurrency: 10, perNumber: {} },
      aliyun: { concurrency: 5, perNumber: { perMinute: 1, perHour: 5, perDay: 20 } },
    });
    expect(
      problems({
        ...base,
        sms: { provider: "aliyun", aliyun: ALIYUN, pacing: { tencent: { concurrency: 2 } } },
      }),
    ).toContain("tencent is not used by this deployment's SMS routing");
    expect(
      problems({
        ...base,
        sms: { provider: "aliyun", aliyun: ALIYUN, pacing: { aliyun: { perNumber: { perMinute: 6 } } } },
      }),
    ).toContain("perMinute (6) is more than perHour (5)");
  });

  it("cn-example sends through a mainland provider out of the box", () => {
    const cn = loadDeployments().find((d) => d.name === "cn-example");
    expect(cn?.sms.provider).toBe("aliyun");
    expect(JSON.parse(smsEnvironment(cn as NonNullable<typeof cn>).SMS_ROUTING).default).toBe("aliyun");
  });
});
