import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FetchLike } from "../../functions/adapters/sms/http-call.js";
import { ProviderNoticeSender } from "../../functions/adapters/sms/provider-notice-sender.js";
import { SmsProviders } from "../../functions/adapters/sms/registry.js";
import { SnsNoticeSender } from "../../functions/adapters/sns/sns-notice-sender.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import type { SmsDelivery } from "../../functions/domain/notification/sms-providers.js";
import { deliverNotice } from "../../functions/use-cases/deliver-notice.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { SmsProviderError } from "../../functions/use-cases/sms-errors.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

// Alibaba Cloud and Tencent Cloud are mocked only at their HTTP boundary (the fetch the adapters
// call), Secrets Manager at its SDK boundary; the notice records live in DynamoDB Local.

const secrets = mockClient(SecretsManagerClient);
const ZH_CODES = {
  overdue: "SMS_101",
  escalation: "SMS_102",
  "arrived.one": "SMS_103",
  "arrived.other": "SMS_104",
};

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/** A fetch that records each request and answers from a script (the last answer repeats). */
function scriptedFetch(answers: Array<{ status: number; body: unknown } | "timeout">) {
  const calls: Call[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push({ url, method: init.method, headers: init.headers, body: init.body });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer === "timeout" || answer === undefined) {
      throw Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
    }
    return { status: answer.status, text: async () => JSON.stringify(answer.body) };
  };
  return { calls, fetchImpl };
}

const delivery = (provider: "aliyun" | "tencent"): SmsDelivery => ({
  routing: { default: "sns", byCallingCode: { "86": provider } },
  providers: { [provider]: { signName: "结算提醒" } },
});

describe("notifier through Alibaba Cloud and Tencent Cloud SMS (mocked at the HTTP boundary)", () => {
  let table: TestTable;
  const clock = new TestClock(new Date("2026-10-08T12:00:00.000Z"));

  beforeEach(async () => {
    secrets.reset();
    table = await createTestTable();
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const rawBody = JSON.stringify(confirmation({ paymentId: "p1" }));
    await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, new Date("2026-09-30T08:00:00Z")) },
      deps,
    );
  });
  afterEach(() => secrets.reset());

  function wire(provider: "aliyun" | "tencent", fetchImpl: FetchLike) {
    const providers = new SmsProviders(
      {
        aliyun: { signName: "结算提醒", templateCodes: { "zh-CN": ZH_CODES }, secretId: "sms/aliyun" },
        tencent: {
          signName: "结算提醒",
          templateCodes: { "zh-CN": { overdue: "1234567" } },
          // Registered with the total first: TemplateParamSet follows this order, not our text's.
          templateParams: { "1234567": ["total", "count", "confirmed", "due", "items", "nextStep"] },
          smsSdkAppId: "1400787878",
          secretId: "sms/tencent",
        },
      },
      {
        sns: new SNSClient({ region: "cn-north-1" }),
        secrets: new SecretsManagerClient({ region: "cn-north-1" }),
        fetch: fetchImpl,
        retry: { sleep: async () => undefined },
      },
    );
    const topics = new SnsNoticeSender(new SNSClient({ region: "cn-north-1" }), {
      topicArnPrefix: "arn:aws-cn:sns:cn-north-1:123456789012:",
      topicNamePrefix: "settlewatch-cn",
      opsTopicArn: "arn:aws-cn:sns:cn-north-1:123456789012:ops",
    });
    return checkDeps(
      table,
      clock,
      { noticeText: { smsDelivery: delivery(provider) } },
      new ProviderNoticeSender(topics, providers),
    );
  }

  async function queuedSms(deps: ReturnType<typeof wire>) {
    await runOverdueCheck(deps.check);
    const sms = deps.queue.drain().find((message) => message.channel === "sms");
    if (!sms) throw new Error("expected an SMS notice");
    return sms;
  }

  it("aliyun: one signed SendSms with sign name, template code, named params and OutId = notice id; sent once", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ accessKeyId: "LTAIexample", accessKeySecret: "s3cr3t" }) });
    const http = scriptedFetch([
      { status: 200, body: { Code: "OK", Message: "OK", BizId: "b-1", RequestId: "r-1" } },
    ]);
    const deps = wire("aliyun", http.fetchImpl);
    const sms = await queuedSms(deps);
    const record = await deps.check.notices.get(sms.noticeId, "sms");
    expect(record).toMatchObject({ provider: "aliyun", sms: { template: "overdue", language: "zh-CN" } });

    expect(await deliverNotice(sms, deps.deliver)).toBe("sent");
    expect(await deliverNotice(sms, deps.deliver)).toBe("already-sent");
    expect(http.calls).toHaveLength(1);
    const [call] = http.calls;
    const url = new URL(call?.url ?? "");
    expect(`${url.origin}${url.pathname}`).toBe("https://dysmsapi.aliyuncs.com/");
    expect(call?.method).toBe("POST");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      PhoneNumbers: "8613800138000",
      SignName: "结算提醒",
      TemplateCode: "SMS_101",
      TemplateParam: JSON.stringify(record?.sms?.variables),
      OutId: sms.noticeId,
    });
    expect(JSON.parse(url.searchParams.get("TemplateParam") ?? "{}")).toMatchObject({
      count: "1",
      total: "¥128.50",
    });
    expect(call?.headers).toMatchObject({ "x-acs-action": "SendSms", "x-acs-version": "2017-05-25" });
    expect(call?.headers.authorization).toMatch(
      /^ACS3-HMAC-SHA256 Credential=LTAIexample,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.stringify(call)).not.toContain("s3cr3t");
    expect((await deps.check.notices.get(sms.noticeId, "sms"))?.status).toBe("SENT");
  });

  it("aliyun throttling: retried with backoff, then the notice goes back to the queue; the queue's retry sends it once", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ accessKeyId: "LTAIexample", accessKeySecret: "s3cr3t" }) });
    const limit = {
      status: 200,
      body: { Code: "isv.BUSINESS_LIMIT_CONTROL", Message: "触发分钟级流控Permits:1" },
    };
    const http = scriptedFetch([limit, limit, limit, { status: 200, body: { Code: "OK" } }]);
    const deps = wire("aliyun", http.fetchImpl);
    const sms = await queuedSms(deps);
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      kind: "throttled",
      code: "isv.BUSINESS_LIMIT_CONTROL",
    });
    expect(http.calls).toHaveLength(3); // 3 tries within the invocation
    expect((await deps.check.notices.get(sms.noticeId, "sms"))?.status).toBe("QUEUED");
    expect(deps.metrics.get("SmsThrottled", "none")).toBe(1);
    expect(await deliverNotice(sms, deps.deliver)).toBe("sent");
    expect(await deliverNotice(sms, deps.deliver)).toBe("already-sent");
    expect(http.calls).toHaveLength(4);
    // Every try carries the same OutId: the notice id.
    expect(new Set(http.calls.map((c) => new URL(c.url).searchParams.get("OutId")))).toEqual(
      new Set([sms.noticeId]),
    );
  });

  it("aliyun hard failure (unregistered template) and timeout: released, not marked sent", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ accessKeyId: "LTAIexample", accessKeySecret: "s3cr3t" }) });
    const http = scriptedFetch([
      { status: 200, body: { Code: "isv.SMS_TEMPLATE_ILLEGAL", Message: "模板不合法" } },
      "timeout",
    ]);
    const deps = wire("aliyun", http.fetchImpl);
    const sms = await queuedSms(deps);
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      kind: "rejected",
      code: "isv.SMS_TEMPLATE_ILLEGAL",
    });
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({ kind: "timeout" });
    expect(http.calls).toHaveLength(2); // neither is retried in the invocation
    const record = await deps.check.notices.get(sms.noticeId, "sms");
    expect(record?.status).toBe("QUEUED");
    expect(record?.sentAt).toBeUndefined();
  });

  it("credentials missing or refused: the notice stays queued, nothing is sent, SmsCredentialsFailed counts for the alarm", async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(
        Object.assign(new Error("Secrets Manager can't find the specified secret."), {
          name: "ResourceNotFoundException",
        }),
      )
      .resolves({ SecretString: JSON.stringify({ accessKeyId: "LTAIwrong", accessKeySecret: "wrong" }) });
    const http = scriptedFetch([
      {
        status: 404,
        body: { Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found." },
      },
    ]);
    const deps = wire("aliyun", http.fetchImpl);
    const sms = await queuedSms(deps);
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      kind: "credentials",
      code: "ResourceNotFoundException",
    });
    expect(http.calls).toHaveLength(0);
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      kind: "credentials",
      code: "InvalidAccessKeyId.NotFound",
    });
    expect(deps.metrics.get("SmsCredentialsFailed", "none")).toBe(2);
    expect((await deps.check.notices.get(sms.noticeId, "sms"))?.status).toBe("QUEUED");
    // Read once per container, read again only after the provider refused it.
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: "sms/aliyun" },
      { SecretId: "sms/aliyun" },
    ]);
  });

  it("tencent: one TC3-signed SendSms with app id, sign name, template id, params in the registered order (config) and SessionContext = notice id", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ secretId: "AKIDexample", secretKey: "s3cr3t" }) });
    const ok = {
      Response: {
        SendStatusSet: [{ Code: "Ok", Message: "send success", SessionContext: "x" }],
        RequestId: "r",
      },
    };
    const http = scriptedFetch([{ status: 200, body: ok }]);
    const deps = wire("tencent", http.fetchImpl);
    const sms = await queuedSms(deps);
    expect(await deliverNotice(sms, deps.deliver)).toBe("sent");
    expect(http.calls).toHaveLength(1);
    const [call] = http.calls;
    expect(call?.url).toBe("https://sms.tencentcloudapi.com/");
    const record = await deps.check.notices.get(sms.noticeId, "sms");
    const v = record?.sms?.variables ?? {};
    expect(JSON.parse(call?.body ?? "{}")).toEqual({
      PhoneNumberSet: ["+8613800138000"],
      SmsSdkAppId: "1400787878",
      SignName: "结算提醒",
      TemplateId: "1234567",
      TemplateParamSet: [v.total, v.count, v.confirmed, v.due, v.items, v.nextStep],
      SessionContext: sms.noticeId,
    });
    // Tencent's documented 6-character limit per variable: every value shortened by the rule.
    for (const value of Object.values(v)) expect(Array.from(value).length).toBeLessThanOrEqual(6);
    expect(call?.headers).toMatchObject({
      "X-TC-Action": "SendSms",
      "X-TC-Version": "2021-01-11",
      "X-TC-Region": "ap-guangzhou",
    });
    expect(call?.headers.Authorization).toMatch(
      /^TC3-HMAC-SHA256 Credential=AKIDexample\/\d{4}-\d{2}-\d{2}\/sms\/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=[0-9a-f]{64}$/,
    );
  });

  it("tencent per-number limit is throttling; AuthFailure is credentials", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ secretId: "AKIDexample", secretKey: "s3cr3t" }) });
    const limited = {
      Response: {
        SendStatusSet: [{ Code: "LimitExceeded.PhoneNumberOneHourLimit", Message: "hour limit" }],
        RequestId: "r",
      },
    };
    const auth = {
      Response: { Error: { Code: "AuthFailure.SignatureFailure", Message: "bad signature" }, RequestId: "r" },
    };
    const limit = { status: 200, body: limited };
    const http = scriptedFetch([limit, limit, limit, { status: 401, body: auth }]);
    const deps = wire("tencent", http.fetchImpl);
    const sms = await queuedSms(deps);
    const error = await deliverNotice(sms, deps.deliver).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsProviderError);
    expect(error).toMatchObject({ kind: "throttled", code: "LimitExceeded.PhoneNumberOneHourLimit" });
    expect(http.calls).toHaveLength(3);
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      kind: "credentials",
      code: "AuthFailure.SignatureFailure",
    });
    expect((await deps.check.notices.get(sms.noticeId, "sms"))?.status).toBe("QUEUED");
  });

  it("tencent hard failure (template not approved) and timeout: released, not marked sent", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ secretId: "AKIDexample", secretKey: "s3cr3t" }) });
    const refused = {
      Response: {
        SendStatusSet: [{ Code: "FailedOperation.TemplateIncorrectOrUnapproved", Message: "template" }],
        RequestId: "r",
      },
    };
    const http = scriptedFetch([{ status: 200, body: refused }, "timeout"]);
    const deps = wire("tencent", http.fetchImpl);
    const sms = await queuedSms(deps);
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({
      kind: "rejected",
      code: "FailedOperation.TemplateIncorrectOrUnapproved",
    });
    await expect(deliverNotice(sms, deps.deliver)).rejects.toMatchObject({ kind: "timeout" });
    expect(http.calls).toHaveLength(2); // neither is retried in the invocation
    const record = await deps.check.notices.get(sms.noticeId, "sms");
    expect(record?.status).toBe("QUEUED");
    expect(record?.sentAt).toBeUndefined();
  });
});
