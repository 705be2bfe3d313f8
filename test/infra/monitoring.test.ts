import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Deployment, deploymentSchema } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import {
  BUSINESS_METRIC_NAMESPACE,
  BUSINESS_METRIC_SERVICE,
  CURRENCY_BUSINESS_METRIC_NAMES,
  DASHBOARD_BUSINESS_METRIC_NAMES,
} from "../../infra/constructs/monitoring/metric-factory.js";
import { SettlewatchMonitoring } from "../../infra/constructs/monitoring/settlewatch-monitoring.js";
import { stackNames } from "../../infra/settlewatch-app.js";
import { readValidationReport, type SynthesizedDeployment, synthesizeDeployment } from "./support/synth.js";

const deployment = loadDeployments().find((d) => d.name === "cn-example");
if (!deployment) throw new Error("the cn-example deployment is missing from infra/config/deployments.ts");

type Resource = { Type: string; Properties: Record<string, unknown> };
type MetricStat = {
  Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> };
  Period: number;
  Stat: string;
};
type AlarmMetric = { Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean };

let synth: SynthesizedDeployment;
let monitoring: Template;

beforeAll(() => {
  synth = synthesizeDeployment(deployment);
  monitoring = Template.fromStack(synth.monitoring);
}, 180_000);
afterAll(() => synth?.cleanup());

const alarms = () => monitoring.findResources("AWS::CloudWatch::Alarm") as Record<string, Resource>;
const alarmNamed = (idPart: string): Resource => {
  const found = Object.entries(alarms()).filter(([id]) => id.includes(idPart));
  expect(found, idPart).toHaveLength(1);
  return (found[0] as [string, Resource])[1];
};
/** The ops topic of the notifications stack, as cross-stack references render with cdk.json's flags. */
const opsTopicRef = Match.objectLike({
  "Fn::GetStackOutput": Match.objectLike({
    StackName: stackNames(deployment).notifications,
    OutputName: Match.stringLikeRegexp("OpsTopic"),
  }),
});

describe("monitoring stack", () => {
  it("is its own stack, depending on the others, and nothing depends on it", () => {
    expect(synth.monitoring.stackName).toBe(stackNames(deployment).monitoring);
    const deps = synth.monitoring.dependencies.map((stack) => stack.stackName).sort();
    expect(deps).toEqual(
      [synth.api, synth.data, synth.notifications, synth.settlementFiles].map((s) => s.stackName).sort(),
    );
    for (const stack of [synth.data, synth.api, synth.notifications, synth.settlementFiles])
      expect(stack.dependencies).not.toContain(synth.monitoring);
  });

  it("has one dashboard per deployment, named after it, showing every business metric of the factory", () => {
    monitoring.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    monitoring.hasResourceProperties("AWS::CloudWatch::Dashboard", {
      DashboardName: `settlewatch-${deployment.name}`,
    });
    const body = JSON.stringify(Object.values(monitoring.findResources("AWS::CloudWatch::Dashboard"))[0]);
    for (const name of DASHBOARD_BUSINESS_METRIC_NAMES) expect(body, name).toContain(`\\"${name}\\"`);
    for (const awsMetric of [
      "Errors",
      "Throttles",
      "Duration",
      "p99",
      "ReadThrottleEvents",
      "WriteThrottleEvents",
      "ApproximateAgeOfOldestMessage",
      "ApproximateNumberOfMessagesVisible",
    ])
      expect(body, awsMetric).toContain(awsMetric);
    // Amounts per currency: a SEARCH over the exact dimension set the functions emit.
    for (const name of CURRENCY_BUSINESS_METRIC_NAMES) {
      expect(body, name).toContain(
        `SEARCH('{Settlewatch,acquirer,currency,deployment,service} MetricName=\\\\\\"${name}\\\\\\" service=\\\\\\"settlewatch\\\\\\" deployment=\\\\\\"${deployment.name}\\\\\\"', 'Maximum', 300)`,
      );
    }
    // The calendar check's metrics (emitted by check-calendars: test/observability/check-calendars-handler.test.ts).
    expect(body).toContain(`\\"CalendarYearsMissing\\"`);
    for (const name of ["CalendarYearMissing", "PaymentsAwaitingCalendar"]) {
      expect(body, name).toContain(
        `SEARCH('{Settlewatch,calendar,deployment,service,year} MetricName=\\\\\\"${name}\\\\\\" service=\\\\\\"settlewatch\\\\\\" deployment=\\\\\\"${deployment.name}\\\\\\"', 'Maximum', 3600)`,
      );
    }
    // The factory built nothing outside its lists (the lists test/observability proves are emitted).
    expect([...synth.monitoring.monitoring.metrics.used].sort()).toEqual(
      [...DASHBOARD_BUSINESS_METRIC_NAMES, ...CURRENCY_BUSINESS_METRIC_NAMES].sort(),
    );
  });

  it("charts open payments as gauges (maximum), files received per day against one expected, and the counters' stream lag", () => {
    const body = JSON.stringify(Object.values(monitoring.findResources("AWS::CloudWatch::Dashboard"))[0]);
    const fileAcquirers = deployment.acquirers.filter((a) => a.settlementFile).map((a) => a.id);
    expect(body).toContain(`expected: 1 per day (${fileAcquirers.join(", ")})`);
    expect(body).toContain("IteratorAge");
    const dashboard = synth.monitoring.monitoring.metrics;
    const pending = dashboard.business("PendingPayments", "wechatpay");
    expect(pending.statistic).toBe("Maximum");
    expect(dashboard.business("PaymentsSettledLate", "wechatpay").statistic).toBe("Sum");
  });

  it("gives every function the namespace, service and deployment the factory's metrics use", () => {
    const envs = [synth.api, synth.notifications, synth.settlementFiles].flatMap((stack) =>
      Object.values(
        Template.fromStack(stack).findResources("AWS::Lambda::Function") as Record<string, Resource>,
      )
        .map(
          (fn) =>
            (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
        )
        .filter((vars): vars is Record<string, unknown> => vars?.DEPLOYMENT !== undefined),
    );
    expect(envs).toHaveLength(9); // the distributed-ingest steps', the table-stream counter's, the calendar check's and the SMS reports' too
    for (const vars of envs) {
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe(BUSINESS_METRIC_NAMESPACE);
      expect(vars.POWERTOOLS_SERVICE_NAME).toBe(BUSINESS_METRIC_SERVICE);
      expect(vars.DEPLOYMENT).toBe(deployment.name);
    }
  });

  it("has the expected alarms, each to the ops topic (alarm and OK)", () => {
    // ingest errors + one overdue spike per acquirer + files late + notices failed + table throttles
    // + the SMS delivery rate of its one provider (aliyun)
    expect(Object.keys(alarms())).toHaveLength(1 + deployment.acquirers.length + 3 + 1);
    for (const alarm of Object.values(alarms())) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
      expect(alarm.Properties.TreatMissingData).toBe("notBreaching");
    }
    monitoring.allResourcesProperties("AWS::CloudWatch::Alarm", {
      AlarmActions: [opsTopicRef],
      OKActions: [opsTopicRef],
    });
  });

  it("alarms on ingest-confirmations errors above the configured threshold", () => {
    const alarm = alarmNamed("IngestErrorsAlarm");
    expect(alarm.Properties).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Statistic: "Sum",
      Period: deployment.monitoring.ingestErrors.periodMinutes * 60,
      Threshold: deployment.monitoring.ingestErrors.threshold,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 1,
    });
    const apiExport = JSON.stringify(alarm.Properties.Dimensions);
    expect(apiExport).toContain(stackNames(deployment).api);
    expect(apiExport).toContain("IngestConfirmations");
  });

  it("alarms per acquirer on PaymentsOverdue summed over one hour", () => {
    for (const acquirer of deployment.acquirers) {
      const alarm = alarmNamed(`OverdueSpikeAlarm${acquirer.id}`);
      expect(alarm.Properties.Threshold).toBe(deployment.monitoring.overdueSpike.threshold);
      expect(alarm.Properties.ComparisonOperator).toBe("GreaterThanThreshold");
      const [metric] = alarm.Properties.Metrics as AlarmMetric[];
      expect(metric?.MetricStat).toEqual({
        Metric: {
          Namespace: BUSINESS_METRIC_NAMESPACE,
          MetricName: "PaymentsOverdue",
          Dimensions: expect.arrayContaining([
            { Name: "service", Value: BUSINESS_METRIC_SERVICE },
            { Name: "deployment", Value: deployment.name },
            { Name: "acquirer", Value: acquirer.id },
          ]),
        },
        Period: 3600,
        Stat: "Sum",
      });
    }
  });

  it("alarms at 1 or more on SettlementFilesLate (acquirers with a file), NoticesFailed (with 'none') and table throttles", () => {
    const seriesOf = (idPart: string) => {
      const alarm = alarmNamed(idPart);
      expect(alarm.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      });
      return (alarm.Properties.Metrics as AlarmMetric[]).flatMap((m) =>
        m.MetricStat
          ? [
              `${m.MetricStat.Metric.MetricName}:${JSON.stringify(m.MetricStat.Metric.Dimensions.find((d) => d.Name === "acquirer")?.Value ?? null)}`,
            ]
          : [],
      );
    };
    const withFile = deployment.acquirers.filter((a) => a.settlementFile).map((a) => a.id);
    expect(seriesOf("SettlementFilesLateAlarm").sort()).toEqual(
      withFile.map((id) => `SettlementFilesLate:"${id}"`).sort(),
    );
    expect(seriesOf("NoticesFailedAlarm").sort()).toEqual(
      [...deployment.acquirers.map((a) => a.id), "none"].map((id) => `NoticesFailed:"${id}"`).sort(),
    );
    expect(seriesOf("TableThrottlesAlarm").sort()).toEqual([
      "ReadThrottleEvents:null",
      "WriteThrottleEvents:null",
    ]);
  });

  it("does not duplicate the alarms of the other stacks (DLQs, check failing, SMS spend)", () => {
    const names = Object.values(alarms()).map((a) => JSON.stringify(a.Properties));
    expect(names.some((p) => p.includes("SMSMonthToDateSpentUSD"))).toBe(false);
    expect(names.some((p) => p.includes("ApproximateNumberOfMessagesVisible"))).toBe(false);
  });

  it("adds no cdk-nag finding", () => {
    const nag = readValidationReport(synth.outdir).pluginReports.find((r) => r.pluginName === "AwsSolutions");
    expect(nag?.violations).toEqual([]);
    const monitoringAcks = (nag?.suppressedViolations ?? []).filter((v) =>
      v.violatingConstructs.some((c) => c.constructPath.startsWith(stackNames(deployment).monitoring)),
    );
    expect(monitoringAcks).toEqual([]);
  });
});

describe("monitoring thresholds in config", () => {
  const base = (overrides: Record<string, unknown>) => ({
    ...deployment,
    ...overrides,
  });

  it("defaults the thresholds", () => {
    const { monitoring: _m, ...withoutMonitoring } = deployment;
    expect(deploymentSchema.parse(withoutMonitoring).monitoring).toEqual({
      ingestErrors: { threshold: 5, periodMinutes: 5 },
      overdueSpike: { threshold: 50 },
    });
  });

  it("refuses a per-acquirer threshold for an unknown acquirer, a zero spike threshold and an odd period", () => {
    const bad = [
      { ingestErrors: { threshold: 5, periodMinutes: 7 } },
      { overdueSpike: { threshold: 0 } },
      { overdueSpike: { threshold: 10, perAcquirer: { nobody: 3 } } },
    ];
    for (const monitoring of bad) {
      expect(deploymentSchema.safeParse(base({ monitoring })).success, JSON.stringify(monitoring)).toBe(
        false,
      );
    }
  });

  const synthMonitoring = (config: Deployment) => {
    const stack = new Stack(new App(), "M", { env: { region: "eu-west-1", account: "123456789012" } });
    const fn = lambda.Function.fromFunctionName(stack, "F", "f");
    const queue = sqs.Queue.fromQueueArn(stack, "Q", "arn:aws:sqs:eu-west-1:123456789012:q");
    new SettlewatchMonitoring(stack, "Monitoring", {
      deployment: config,
      functions: { f: fn },
      ingestFunction: fn,
      table: { tableName: "t" },
      queues: [{ name: "q", queue, deadLetterQueue: queue }],
      opsTopic: sns.Topic.fromTopicArn(stack, "T", "arn:aws:sns:eu-west-1:123456789012:ops"),
    });
    return Template.fromStack(stack);
  };

  it("applies a per-acquirer overdue threshold, and leaves out the late-file alarm without file acquirers", () => {
    const config = deploymentSchema.parse(
      base({
        acquirers: deployment.acquirers.map(({ settlementFile: _f, ...acquirer }) => acquirer),
        monitoring: {
          ingestErrors: { threshold: 2, periodMinutes: 1 },
          overdueSpike: { threshold: 40, perAcquirer: { alipay: 7 } },
        },
      }),
    );
    const template = synthMonitoring(config);
    const found = template.findResources("AWS::CloudWatch::Alarm") as Record<string, Resource>;
    const thresholds = Object.fromEntries(
      Object.entries(found).map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, ""), a.Properties.Threshold]),
    );
    expect(thresholds).toEqual({
      MonitoringIngestErrorsAlarm: 2,
      MonitoringOverdueSpikeAlarmwechatpay: 40,
      MonitoringOverdueSpikeAlarmalipay: 7,
      MonitoringOverdueSpikeAlarmunionpay: 40,
      MonitoringNoticesFailedAlarm: 1,
      MonitoringTableThrottlesAlarm: 1,
      MonitoringSmsDeliveryRateAlarmaliyun: 0.9,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "Errors", Period: 60 });
    const body = JSON.stringify(template.findResources("AWS::CloudWatch::Dashboard"));
    expect(body).not.toContain("SettlementFilesLate");
    expect(body).not.toContain("PaymentsAwaitingFile");
  });
});
