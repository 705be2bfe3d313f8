import { Match, Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envKeys } from "../../functions/shared/env.js";
import type { DeploymentInput } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { PINNED_LOGICAL_IDS } from "../../infra/constructs/pinned-logical-ids.js";
import { addSettlewatch, type DeploymentStacks } from "../../infra/settlewatch-app.js";
import { testApp } from "./support/synth.js";

// The notifications stack under other configurations than cn-example's. No bundling here
// (`aws:cdk:bundling-stacks: []`): only the templates are under test, and cdk-nag still runs.

const base: DeploymentInput = {
  name: "test-notify",
  region: "ap-southeast-1",
  stage: "dev",
  acquirers: [{ id: "card", name: "Card acquirer" }],
  webhookSecretName: "settlewatch/test-notify/webhook-secrets",
  defaultMerchantTerms: { timeZone: "Asia/Singapore", calendar: "SG", settlement: { cycle: "T+1" } },
  calendarOverridesParameter: "/settlewatch/test-notify/calendar-overrides",
};

function synthesize(input: DeploymentInput): {
  stacks: DeploymentStacks;
  template: Template;
  /** The monitoring stack's template: every alarm is there. */
  alarms: Template;
  cleanup: () => void;
} {
  const { app, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
  const [deployment] = loadDeployments([input]);
  if (!deployment) throw new Error("no deployment");
  const [stacks] = addSettlewatch(app, [deployment]);
  if (!stacks) throw new Error("no stacks");
  app.synth();
  return {
    stacks,
    template: Template.fromStack(stacks.notifications),
    alarms: Template.fromStack(stacks.monitoring),
    cleanup,
  };
}

type Resource = { Type: string; Properties: Record<string, unknown> };
const ofType = (template: Template, type: string) =>
  Object.values(template.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === type);
const notifierVariables = (template: Template) => {
  const [notifier] = ofType(template, "AWS::Lambda::Function").filter((f) =>
    String(f.Properties.Description).includes("send queued notices"),
  );
  if (!notifier) throw new Error("no notifier function in the template");
  return (notifier.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};

describe("notifications stack with the defaults", () => {
  let synth: ReturnType<typeof synthesize>;
  beforeAll(() => {
    synth = synthesize(base);
  }, 60_000);
  afterAll(() => synth?.cleanup());

  it("checks every 5 minutes, feeds the notifier with concurrency 2, parks a notice after 5 tries", () => {
    expect(ofType(synth.template, "AWS::Events::Rule")[0]?.Properties.ScheduleExpression).toBe(
      "rate(5 minutes)",
    );
    expect(ofType(synth.template, "AWS::Lambda::EventSourceMapping")[0]?.Properties.ScalingConfig).toEqual({
      MaximumConcurrency: 2,
    });
    synth.template.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { maxReceiveCount: 5 },
    });
  });

  it("sets no SMS variables, subscribes no email, and has no spend alarm without a spend limit", () => {
    const variables = notifierVariables(synth.template);
    expect(Object.keys(variables).sort()).toEqual(
      [...envKeys.notify.filter((key) => !key.startsWith("SMS_")), "NODE_OPTIONS"].sort(),
    );
    synth.template.resourceCountIs("AWS::SNS::Subscription", 0);
    // SNS texts without a spend limit, no mainland provider: neither SMS alarm.
    expect([...synth.stacks.monitoring.monitoring.alarms.keys()]).not.toContain("SmsSpendAlarm");
    expect([...synth.stacks.monitoring.monitoring.alarms.keys()]).not.toContain("SmsCredentialsAlarm");
    expect(JSON.stringify(synth.alarms.toJSON())).not.toContain("SMSMonthToDateSpentUSD");
  });

  it("builds ARNs for the deployment's partition (aws here, aws-cn for cn-example)", () => {
    expect(notifierVariables(synth.template).SNS_TOPIC_ARN_PREFIX).toEqual({
      "Fn::Join": ["", ["arn:aws:sns:ap-southeast-1:", { Ref: "AWS::AccountId" }, ":"]],
    });
  });
});

describe("notifications stack with everything configured", () => {
  let synth: ReturnType<typeof synthesize>;
  beforeAll(() => {
    synth = synthesize({
      ...base,
      account: "111122223333",
      checkSchedule: { rateMinutes: 1 },
      sms: { senderId: "Settlewatch", maxPriceUsd: "0.02", monthlySpendLimitUsd: 50 },
      notifier: { maxConcurrency: 10, maxReceiveCount: 3 },
      alarmEmails: ["a@example.com", "b@example.com"],
    });
  }, 60_000);
  afterAll(() => synth?.cleanup());

  it("sets every variable of the notifier's env schema, the SMS ones from the config", () => {
    const variables = notifierVariables(synth.template);
    // SNS alone: no SMS_PROVIDERS nor SMS_PACING (the defaults); the SNS settings from the config.
    expect(Object.keys(variables).sort()).toEqual(
      [
        ...envKeys.notify.filter((key) => !["SMS_PROVIDERS", "SMS_PACING"].includes(key)),
        "NODE_OPTIONS",
      ].sort(),
    );
    expect(variables).toMatchObject({
      SMS_SENDER_ID: "Settlewatch",
      SMS_MAX_PRICE_USD: "0.02",
      // The account is configured: the prefix is a literal, checked as is at synth.
      SNS_TOPIC_ARN_PREFIX: "arn:aws:sns:ap-southeast-1:111122223333:",
    });
  });

  it("uses the configured rate, concurrency, tries, spend limit and alarm emails", () => {
    expect(ofType(synth.template, "AWS::Events::Rule")[0]?.Properties.ScheduleExpression).toBe(
      "rate(1 minute)",
    );
    expect(ofType(synth.template, "AWS::Lambda::EventSourceMapping")[0]?.Properties.ScalingConfig).toEqual({
      MaximumConcurrency: 10,
    });
    synth.template.hasResourceProperties("AWS::SQS::Queue", { RedrivePolicy: { maxReceiveCount: 3 } });
    synth.alarms.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SNS",
      MetricName: "SMSMonthToDateSpentUSD",
      Statistic: "Maximum",
      Period: 900,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 40,
    });
    expect(
      ofType(synth.template, "AWS::SNS::Subscription")
        .map((s) => s.Properties.Endpoint)
        .sort(),
    ).toEqual(["a@example.com", "b@example.com"]);
    // A rate under 5 minutes: the check-failing alarm still looks at 5-minute periods.
    synth.alarms.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Errors",
      Period: 300,
      EvaluationPeriods: 2,
      Dimensions: [
        { Name: "FunctionName", Value: Match.objectLike({ "Fn::GetStackOutput": Match.anyValue() }) },
      ],
    });
  });

  it("keeps the same pinned logical IDs whatever the configuration", () => {
    const ids = Object.keys(synth.template.toJSON().Resources as object);
    for (const id of [
      PINNED_LOGICAL_IDS.noticeQueue,
      PINNED_LOGICAL_IDS.noticeDeadLetterQueue,
      PINNED_LOGICAL_IDS.opsTopic,
    ])
      expect(ids).toContain(id);
  });
});
