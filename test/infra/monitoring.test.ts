import { Match, Template } from "aws-cdk-lib/assertions";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Deployment, deploymentSchema } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import {
  ALL_MONITORED_METRIC_NAMES,
  BUSINESS_METRIC_NAMESPACE,
  BUSINESS_METRIC_SERVICE,
  CURRENCY_BUSINESS_METRIC_NAMES,
  DASHBOARD_BUSINESS_METRIC_NAMES,
} from "../../infra/constructs/monitoring/metric-factory.js";
import type { SettlewatchMonitoringProps } from "../../infra/constructs/monitoring/settlewatch-monitoring.js";
import { PINNED_LOGICAL_IDS } from "../../infra/constructs/pinned-logical-ids.js";
import { stackNames } from "../../infra/settlewatch-app.js";
import { CALENDAR_HORIZON_METRIC } from "../../infra/stacks/notifications-stack.js";
import { synthMonitoringAlone } from "./support/bare-monitoring.js";
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
  synth = synthesizeDeployment(deployment, { bundling: false });
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
    // The factory built nothing outside its lists (the lists the observability and integration
    // tests prove are emitted), and cn-example (a mainland SMS provider) uses every name of them.
    expect([...synth.monitoring.monitoring.metrics.used].sort()).toEqual(
      [...ALL_MONITORED_METRIC_NAMES].sort(),
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
    expect(envs).toHaveLength(11); // the distributed-ingest steps', the table-stream counter's, the calendar check's, the SMS reports', the merchant API's and page's too
    for (const vars of envs) {
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe(BUSINESS_METRIC_NAMESPACE);
      expect(vars.POWERTOOLS_SERVICE_NAME).toBe(BUSINESS_METRIC_SERVICE);
      expect(vars.DEPLOYMENT).toBe(deployment.name);
    }
  });

  it("owns every alarm of the deployment, each to the ops topic (alarm and OK); the other stacks build none", () => {
    const expected = [
      "IngestErrorsAlarm",
      ...deployment.acquirers.map((a) => `OverdueSpikeAlarm${a.id}`),
      "SettlementFilesLateAlarm",
      "CheckFailingAlarm",
      "NoticesFailedAlarm",
      "NoticeDeadLetterAlarm",
      "SmsCredentialsAlarm", // cn-example texts through Alibaba Cloud
      "CalendarHorizonAlarm",
      "CalendarCheckFailingAlarm",
      "SettlementFileDeadLetterAlarm",
      "DistributedIngestFailedAlarm",
      "TableThrottlesAlarm",
      "TableStreamFailureAlarm",
      "SmsDeliveryRateAlarmaliyun", // the delivery rate of its one SMS provider
    ];
    expect(
      Object.keys(alarms()).map((id) =>
        id === PINNED_LOGICAL_IDS.calendarHorizonAlarm
          ? "CalendarHorizonAlarm"
          : id.replace(/^Monitoring|[0-9A-F]{8}$/g, ""),
      ),
    ).toEqual(expected);
    expect([...synth.monitoring.monitoring.alarms.keys()].map((id) => id.replace("-", ""))).toEqual(expected);
    for (const alarm of Object.values(alarms())) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
    monitoring.allResourcesProperties("AWS::CloudWatch::Alarm", {
      AlarmActions: [opsTopicRef],
      OKActions: [opsTopicRef],
    });
    for (const stack of [synth.data, synth.api, synth.notifications, synth.settlementFiles])
      Template.fromStack(stack).resourceCountIs("AWS::CloudWatch::Alarm", 0);
    // The alarm-status row lists every alarm.
    const body = JSON.stringify(Object.values(monitoring.findResources("AWS::CloudWatch::Dashboard"))[0]);
    for (const id of Object.keys(alarms())) expect(body, id).toContain(id);
  });

  it("keeps the logical IDs the alarms already in this stack had (they are not replaced on deploy)", () => {
    const ids = Object.keys(alarms());
    for (const id of [
      "MonitoringIngestErrorsAlarm75677690",
      "MonitoringOverdueSpikeAlarmwechatpay31130690",
      "MonitoringOverdueSpikeAlarmalipay7AFFEEBC",
      "MonitoringOverdueSpikeAlarmunionpay73263796",
      "MonitoringSettlementFilesLateAlarmEDBE2C94",
      "MonitoringNoticesFailedAlarmBFD8D76E",
      "MonitoringTableThrottlesAlarmBBE17844",
      // Named: a new logical ID would make CloudFormation refuse the update (custom-named replacement).
      PINNED_LOGICAL_IDS.calendarHorizonAlarm,
    ])
      expect(ids).toContain(id);
  });

  it("treats missing data as OK, except the calendar horizon (keeps its state between hourly runs)", () => {
    for (const [id, alarm] of Object.entries(alarms()))
      expect(alarm.Properties.TreatMissingData, id).toBe(
        id.includes("CalendarHorizonAlarm") ? "ignore" : "notBreaching",
      );
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

  it("alarms as soon as one message waits in the notice DLQ, the settlement-file DLQ or the table-stream failure queue", () => {
    const queues = [
      [
        "NoticeDeadLetterAlarm",
        stackNames(deployment).notifications,
        PINNED_LOGICAL_IDS.noticeDeadLetterQueue,
      ],
      [
        "SettlementFileDeadLetterAlarm",
        stackNames(deployment).data,
        PINNED_LOGICAL_IDS.settlementFileDeadLetterQueue,
      ],
      ["TableStreamFailureAlarm", stackNames(deployment).notifications, "TableStreamFailureQueue"],
    ] as const;
    for (const [idPart, stackName, queueId] of queues) {
      const alarm = alarmNamed(idPart);
      expect(alarm.Properties, idPart).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Statistic: "Maximum",
        Period: 300,
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: 0,
        EvaluationPeriods: 1,
      });
      const dimensions = JSON.stringify(alarm.Properties.Dimensions);
      expect(dimensions, idPart).toContain(stackName);
      expect(dimensions, idPart).toContain(queueId);
    }
    expect(String(alarmNamed("SettlementFileDeadLetterAlarm").Properties.AlarmDescription)).toContain(
      "redrive",
    );
  });

  it("alarms when the overdue check or the calendar check fails in two consecutive periods", () => {
    for (const [idPart, fn, period] of [
      ["MonitoringCheckFailingAlarm", "CheckOverdue", Math.max(5, deployment.checkSchedule.rateMinutes) * 60],
      ["CalendarCheckFailingAlarm", "CheckCalendars", deployment.calendarCheck.rateMinutes * 60],
    ] as const) {
      const alarm = alarmNamed(idPart);
      expect(alarm.Properties, idPart).toMatchObject({
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Statistic: "Sum",
        Period: period,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: 1,
        EvaluationPeriods: 2,
      });
      const dimensions = JSON.stringify(alarm.Properties.Dimensions);
      expect(dimensions).toContain(stackNames(deployment).notifications);
      expect(dimensions).toContain(fn);
    }
  });

  it("alarms on a calendar year missing within the horizon, under its fixed name", () => {
    expect(alarmNamed("CalendarHorizonAlarm").Properties).toEqual(
      expect.objectContaining({
        AlarmName: `settlewatch-${deployment.name}-calendar-horizon`,
        Namespace: "Settlewatch",
        MetricName: CALENDAR_HORIZON_METRIC,
        Dimensions: [
          { Name: "deployment", Value: deployment.name },
          { Name: "service", Value: "settlewatch" },
        ],
        Statistic: "Maximum",
        Period: deployment.calendarCheck.rateMinutes * 60,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: 1,
        EvaluationPeriods: 1,
      }),
    );
  });

  it("alarms when a mainland SMS provider refuses its credentials (SmsCredentialsFailed, acquirer none)", () => {
    expect(alarmNamed("SmsCredentialsAlarm").Properties).toMatchObject({
      Namespace: "Settlewatch",
      MetricName: "SmsCredentialsFailed",
      Dimensions: [
        { Name: "acquirer", Value: "none" },
        { Name: "deployment", Value: deployment.name },
        { Name: "service", Value: "settlewatch" },
      ],
      Statistic: "Sum",
      Period: 300,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1,
    });
    // cn-example sends no SNS SMS: no spend alarm (notifications-config.test.ts has one).
    const all = Object.values(alarms()).map((a) => JSON.stringify(a.Properties));
    expect(all.some((p) => p.includes("SMSMonthToDateSpentUSD"))).toBe(false);
  });

  it("alarms on any failed execution of the distributed-ingest state machine", () => {
    const alarm = alarmNamed("DistributedIngestFailedAlarm");
    expect(alarm.Properties).toMatchObject({
      Namespace: "AWS/States",
      MetricName: "ExecutionsFailed",
      Statistic: "Sum",
      Period: 300,
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
    });
    const dimensions = JSON.stringify(alarm.Properties.Dimensions);
    expect(dimensions).toContain(stackNames(deployment).settlementFiles);
    expect(dimensions).toContain("DistributedIngestStateMachine");
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

  const synthMonitoring = (config: Deployment, extras: Partial<SettlewatchMonitoringProps> = {}) =>
    synthMonitoringAlone(config, extras, "eu-west-1");

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
      MonitoringCheckFailingAlarm: 1,
      MonitoringNoticesFailedAlarm: 1,
      MonitoringNoticeDeadLetterAlarm: 0,
      MonitoringSmsCredentialsAlarm: 1,
      SettlewatchCalendarHorizonAlarm: 1,
      MonitoringCalendarCheckFailingAlarm: 1,
      MonitoringSettlementFileDeadLetterAlarm: 0,
      MonitoringDistributedIngestFailedAlarm: 0,
      MonitoringTableThrottlesAlarm: 1,
      MonitoringTableStreamFailureAlarm: 0,
      MonitoringSmsDeliveryRateAlarmaliyun: 0.9,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "Errors", Period: 60 });
    const body = JSON.stringify(template.findResources("AWS::CloudWatch::Dashboard"));
    expect(body).not.toContain("SettlementFilesLate");
    expect(body).not.toContain("PaymentsAwaitingFile");
  });

  it("takes extra alarm definitions and dashboard rows (treated like its own: ops topic, status row)", () => {
    const template = synthMonitoring(deployment, {
      extraAlarms: ({ metrics }) => [
        {
          id: "ExtraNoticesSentAlarm",
          description: "test: an extra alarm",
          metric: metrics.total("NoticesSent"),
          comparison: ">=",
          threshold: 3,
        },
      ],
      extraDashboardRows: () => [[new cloudwatch.TextWidget({ markdown: "extra row", width: 24 })]],
    });
    const extra = Object.entries(template.findResources("AWS::CloudWatch::Alarm") as Record<string, Resource>)
      .filter(([id]) => id.startsWith("MonitoringExtraNoticesSentAlarm"))
      .map(([, alarm]) => alarm.Properties);
    expect(extra).toHaveLength(1);
    expect(extra[0]).toMatchObject({
      Threshold: 3,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: ["arn:aws:sns:eu-west-1:123456789012:ops"],
      OKActions: ["arn:aws:sns:eu-west-1:123456789012:ops"],
    });
    const body = JSON.stringify(template.findResources("AWS::CloudWatch::Dashboard"));
    expect(body).toContain("MonitoringExtraNoticesSentAlarm");
    expect(body).toContain("extra row");
  });
});
