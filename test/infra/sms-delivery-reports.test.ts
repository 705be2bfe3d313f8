import { Match, Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Deployment, deploymentSchema } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { synthMonitoringAlone } from "./support/bare-monitoring.js";
import { readValidationReport, type SynthesizedDeployment, synthesizeDeployment } from "./support/synth.js";

type Resource = { Type: string; Properties: Record<string, unknown> };
type AlarmMetric = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> } };
};

const all = loadDeployments();
const cn = all.find((d) => d.name === "cn-example");
const hk = all.find((d) => d.name === "hk-example");
if (!cn || !hk) throw new Error("cn-example and hk-example must be configured");

/** The monitoring construct alone in a bare stack (no bundling): the alarm as synthesized. */
const monitoringTemplate = (config: Deployment): Template => synthMonitoringAlone(config);

function deliveryRateAlarms(template: Template): Record<string, Resource> {
  const found = template.findResources("AWS::CloudWatch::Alarm") as Record<string, Resource>;
  return Object.fromEntries(Object.entries(found).filter(([id]) => id.includes("SmsDeliveryRateAlarm")));
}

describe("SMS delivery-rate alarm and dashboard", () => {
  it("alarms per provider when delivered / (delivered + failed) is below the default floor 0.9, with enough reports", () => {
    const alarms = deliveryRateAlarms(monitoringTemplate(cn));
    expect(Object.keys(alarms)).toHaveLength(1);
    const [alarm] = Object.values(alarms) as [Resource];
    expect(alarm.Properties).toMatchObject({
      ComparisonOperator: "LessThanThreshold",
      Threshold: 0.9,
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
    });
    const metrics = alarm.Properties.Metrics as AlarmMetric[];
    const expression = metrics.find((m) => m.Expression);
    expect(expression?.Expression).toBe(
      "IF(FILL(delivered, 0) + FILL(failed, 0) >= 20, FILL(delivered, 0) / (FILL(delivered, 0) + FILL(failed, 0)), 1)",
    );
    expect(expression?.ReturnData).not.toBe(false);
    for (const [id, name] of [
      ["delivered", "SmsDelivered"],
      ["failed", "SmsFailed"],
    ]) {
      const stat = metrics.find((m) => m.Id === id)?.MetricStat;
      expect(stat?.Metric.MetricName).toBe(name);
      // The dimension set EmfSmsMetrics emits (Powertools adds service and deployment).
      expect(stat?.Metric.Dimensions).toHaveLength(3);
      expect(stat?.Metric.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: "service", Value: "settlewatch" },
          { Name: "deployment", Value: "cn-example" },
          { Name: "provider", Value: "aliyun" },
        ]),
      );
    }
  });

  it("takes the floor, period and minimum from sms.deliveryReports; one alarm per provider routed to", () => {
    const config = deploymentSchema.parse({
      ...hk,
      sms: {
        ...hk.sms,
        byCallingCode: { "86": "aliyun" },
        aliyun: cn.sms.aliyun,
        deliveryReports: { rateFloor: 0.75, periodMinutes: 180, minReports: 5 },
      },
    });
    const template = monitoringTemplate(config);
    const alarms = deliveryRateAlarms(template);
    expect(
      Object.keys(alarms)
        .map((id) => id.replace(/[0-9A-F]{8}$/, ""))
        .sort(),
    ).toEqual(["MonitoringSmsDeliveryRateAlarmaliyun", "MonitoringSmsDeliveryRateAlarmsns"]);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.Threshold).toBe(0.75);
      const metrics = alarm.Properties.Metrics as Array<AlarmMetric & { MetricStat?: { Period?: number } }>;
      expect(metrics.find((m) => m.Expression)?.Expression).toContain(">= 5,");
      expect(metrics.find((m) => m.Id === "delivered")?.MetricStat?.Period).toBe(180 * 60);
    }
    const body = JSON.stringify(template.findResources("AWS::CloudWatch::Dashboard"));
    for (const text of ["SmsSent", "SmsDelivered", "SmsFailed", "delivery rate (floor 0.75)"])
      expect(body, text).toContain(text);
  });

  it("refuses a floor outside (0, 1], an odd period, and SNS logs where SNS sends nothing", () => {
    const bad = [
      { ...cn.sms, deliveryReports: { rateFloor: 0 } },
      { ...cn.sms, deliveryReports: { rateFloor: 1.5 } },
      { ...cn.sms, deliveryReports: { periodMinutes: 7 } },
      { ...cn.sms, deliveryReports: { snsStatusLogs: true } },
      { ...cn.sms, deliveryReports: { tokenSecretName: "has spaces" } },
    ];
    for (const sms of bad) {
      expect(deploymentSchema.safeParse({ ...cn, sms }).success, JSON.stringify(sms)).toBe(false);
    }
  });
});

describe("delivery-report routes and SNS log subscription (synthesized)", () => {
  let synth: SynthesizedDeployment;
  beforeAll(() => {
    const config = deploymentSchema.parse({
      ...hk,
      sms: {
        ...hk.sms,
        deliveryReports: { tokenSecretName: "settlewatch/hk/sms-report-token", snsStatusLogs: true },
      },
    });
    synth = synthesizeDeployment(config, { bundling: false });
  }, 300_000);
  afterAll(() => synth?.cleanup());

  it("routes POST /v1/sms-reports/{provider} to the reports function, which may read only its token secret", () => {
    const api = Template.fromStack(synth.api);
    api.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: "POST /v1/sms-reports/{provider}",
      AuthorizationType: "NONE",
    });
    api.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ SMS_REPORT_TOKEN_SECRET_ID: "settlewatch/hk/sms-report-token" }),
      },
    });
    const policies = JSON.stringify(api.findResources("AWS::IAM::Policy"));
    expect(policies).toContain("secret:settlewatch/hk/sms-report-token-??????");
    // The public route's cdk-nag finding is acknowledged with a reason, not silenced.
    const report = readValidationReport(synth.outdir);
    const suppressed = report.pluginReports.flatMap((plugin) => plugin.suppressedViolations ?? []);
    expect(
      suppressed.some(
        (v) =>
          v.ruleName === "AwsSolutions-APIG4" &&
          v.violatingConstructs.some((c) => c.constructPath.includes("sms-reports")) &&
          v.reason.includes("token"),
      ),
    ).toBe(true);
  });

  it("subscribes the sms-delivery-logs function to SNS's two SMS delivery-status log groups", () => {
    const notifications = Template.fromStack(synth.notifications);
    const filters = Object.values(
      notifications.findResources("AWS::Logs::SubscriptionFilter") as Record<string, Resource>,
    );
    expect(filters.map((f) => JSON.stringify(f.Properties.LogGroupName)).sort()).toEqual([
      expect.stringContaining("/DirectPublishToPhoneNumber"),
      expect.stringContaining("/DirectPublishToPhoneNumber/Failure"),
    ]);
    for (const filter of filters) expect(filter.Properties.FilterPattern).toBe("");
    notifications.hasResourceProperties("AWS::Lambda::Permission", {
      Principal: Match.stringLikeRegexp("logs"),
      Action: "lambda:InvokeFunction",
    });
  });
});
