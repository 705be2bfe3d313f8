import { z } from "zod";
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
      { id: "wechatpay", name: "WeChat Pay" },
      { id: "alipay", name: "Alipay" },
      { id: "unionpay", name: "UnionPay" },
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
  },
  {
    name: "hk-example",
    region: "ap-east-1",
    stage: "dev",
    acquirers: [{ id: "card-acquirer", name: "Card acquirer (HK)" }],
    webhookSecretName: "settlewatch/hk-example/webhook-secrets",
    defaultMerchantTerms: {
      timeZone: "Asia/Hong_Kong",
      calendar: "HK",
      settlement: { cycle: "T+2", arrivalBy: "17:00", feeRate: "0.022" },
    },
    calendarOverridesParameter: "/settlewatch/hk-example/calendar-overrides",
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
