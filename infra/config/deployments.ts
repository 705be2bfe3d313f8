import * as z from "zod";
import { type Deployment, type DeploymentInput, deploymentListSchema } from "./deployment-schema.js";

/**
 * The deployments of settlewatch, in code. Add one per region (and set of acquirers) served; select
 * one with `cdk synth -c deployment=<name>`, or synthesize all of them by leaving it out.
 * The account is left out on purpose: `cdk deploy` uses the account of the CLI credentials, and synth
 * stays offline and identical on every machine.
 */
export const deployments: readonly DeploymentInput[] = [
  {
    name: "cn-example",
    region: "cn-north-1",
    stage: "dev",
    acquirers: [
      {
        id: "wechatpay",
        name: "WeChat Pay",
        // The day's bill can be downloaded from 10:00 the next day.
        settlementFile: { expectedBy: "10:00", timeZone: "Asia/Shanghai", daysAfter: 1 },
        contact: { names: { "zh-CN": "微信支付", en: "WeChat Pay" }, hotline: "95017" },
      },
      {
        id: "alipay",
        name: "Alipay",
        settlementFile: { expectedBy: "09:00", timeZone: "Asia/Shanghai", daysAfter: 1 },
        contact: { names: { "zh-CN": "支付宝", en: "Alipay" } },
      },
      // No settlementFile: UnionPay payments are decided on time alone.
      { id: "unionpay", name: "UnionPay", contact: { names: { "zh-CN": "银联", en: "UnionPay" } } },
    ],
    webhookSecretName: "settlewatch/cn-example/webhook-secrets",
    defaultMerchantTerms: {
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
    },
    dueShards: 16,
    calendarOverridesParameter: "/settlewatch/cn-example/calendar-overrides",
    logRetentionDays: 90,
    api: { throttle: { rateLimit: 50, burstLimit: 100 } },
    checkSchedule: { rateMinutes: 5 },
    escalationHours: [0, 24, 72],
    // Amazon SNS has no SMS in the China regions: texts go through Alibaba Cloud SMS, with the
    // signature and templates registered there (README, "Choosing an SMS provider"). The codes below
    // are placeholders: replace them with the codes Alibaba Cloud gives the approved templates
    // (`npx settlewatch sms-templates --provider aliyun` prints what to register).
    sms: {
      provider: "aliyun",
      // Delivery reports: Alibaba Cloud's SmsReport HTTP push to POST /v1/sms-reports/aliyun?token=…
      // (the token lives in this secret, created by ops); the delivery-rate alarm's floor is the default 0.9.
      deliveryReports: { tokenSecretName: "settlewatch/cn-example/sms-report-token" },
      aliyun: {
        signName: "结算提醒",
        secretName: "settlewatch/cn-example/aliyun-sms",
        templateCodes: {
          "zh-CN": {
            overdue: "SMS_000000001",
            escalation: "SMS_000000002",
            "arrived.one": "SMS_000000003",
            "arrived.other": "SMS_000000004",
            "sign-in-code": "SMS_000000005",
          },
          en: {
            "overdue.one": "SMS_000000011",
            "overdue.other": "SMS_000000012",
            "escalation.one": "SMS_000000013",
            "escalation.other": "SMS_000000014",
            "arrived.one": "SMS_000000015",
            "arrived.other": "SMS_000000016",
            "sign-in-code": "SMS_000000017",
          },
        },
      },
    },
    // The acquirers' webhook has no AWS authentication: in the China regions API Gateway refuses it
    // (403) until the account's ICP recordal is done. Replace with { licence: "京ICP备…号" } once filed.
    icpRecordal: { pending: true },
    // The merchant page's real-time check with WeChat Pay and Alipay (docs/deploy.md): each secret,
    // created by ops, holds the credentials of the platform accounts merchants' profiles name.
    merchantPage: {
      signIn: { codesPerHour: 5, sessionHours: 24 * 30 },
      platformCheck: {
        wechatpay: { secretName: "settlewatch/cn-example/wechatpay-v3" },
        alipay: { secretName: "settlewatch/cn-example/alipay-openapi" },
      },
    },
    notifier: { maxConcurrency: 2, maxReceiveCount: 5 },
    // Files dropped under s3://<bucket>/incoming/<acquirer id>/[<YYYY-MM-DD>/]<file name>. WeChat Pay
    // and Alipay bills are read by built-in parsers: no CSV mapping needed.
    settlementFiles: {
      noncurrentVersionDays: 90,
      accessLogDays: 365,
      ingest: { timeoutMinutes: 15, memoryMb: 1024, maxConcurrency: 5, maxReceiveCount: 10 },
    },
    alarmEmails: ["settlewatch-ops@example.com"],
    // Alarms of the monitoring stack (these are the defaults): more than 5 ingest errors in 5 min;
    // more than 50 payments of one acquirer overdue in an hour.
    monitoring: { ingestErrors: { threshold: 5, periodMinutes: 5 }, overdueSpike: { threshold: 50 } },
  },
  {
    name: "hk-example",
    region: "ap-east-1",
    stage: "dev",
    acquirers: [
      {
        id: "card-acquirer",
        name: "Card acquirer (HK)",
        settlementFile: { expectedBy: "08:00", timeZone: "Asia/Hong_Kong" },
        // An example of a CSV export no built-in parser reads: columns are found by their header
        // names (see functions/domain/settlement-files/acquirer/acquirer-csv-mapping.ts). Replace
        // the names with those of the acquirer's real export.
        csvMappings: [
          {
            acquirer: "card-acquirer-hk-csv",
            columns: {
              reference: "Transaction Ref",
              merchantReference: "Merchant Order No",
              merchantId: "MID",
              gross: "Gross Amount",
              fee: "MDR",
              net: "Net Amount",
              currency: "Currency",
              valueDate: "Settlement Date",
            },
            valueDateFormat: "DD/MM/YYYY",
            thousandsSeparator: ",",
          },
        ],
      },
    ],
    webhookSecretName: "settlewatch/hk-example/webhook-secrets",
    defaultMerchantTerms: {
      timeZone: "Asia/Hong_Kong",
      calendar: "HK",
      settlement: { cycle: "T+2", arrivalBy: "17:00", feeRate: "0.022" },
    },
    calendarOverridesParameter: "/settlewatch/hk-example/calendar-overrides",
    // Everything else by default: check every 5 min, escalation [0, 24, 72], notifier concurrency 2,
    // 5 tries before the dead-letter queue, settlement files as in cn-example (the defaults), no alarm
    // emails. A sender ID only where the destination country supports one (check the SNS "supported
    // countries" table first).
    sms: { senderId: "Settlewatch" },
  },
];

/** Thrown when the deployment configuration is invalid or a selected deployment does not exist. */
export class DeploymentConfigError extends Error {
  override name = "DeploymentConfigError";
}

/** Validates every configured deployment (all of them, even when one is selected: a bad entry is a bug). */
export function loadDeployments(inputs: readonly DeploymentInput[] = deployments): Deployment[] {
  const result = deploymentListSchema.safeParse(inputs);
  if (!result.success) {
    throw new DeploymentConfigError(`invalid deployment configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** The deployment named by `-c deployment=<name>`, or all of them when no name is given. */
export function selectDeployments(all: readonly Deployment[], name: unknown): Deployment[] {
  if (name === undefined || name === "") return [...all];
  const wanted = all.find((deployment) => deployment.name === name);
  if (!wanted) {
    const known = all.map((deployment) => deployment.name).join(", ");
    throw new DeploymentConfigError(`unknown deployment ${JSON.stringify(name)}; configured: ${known}`);
  }
  return [wanted];
}
