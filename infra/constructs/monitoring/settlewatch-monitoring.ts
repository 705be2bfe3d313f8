import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Deployment } from "../../config/deployment-schema.js";
import { type DashboardBusinessMetric, SettlewatchMetricFactory } from "./metric-factory.js";
import { smsDeliveryMonitoring } from "./sms-delivery-monitoring.js";

export interface MonitoredQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export interface SettlewatchMonitoringProps {
  readonly deployment: Deployment;
  /** Functions by display name, e.g. { "ingest-confirmations": fn }. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** The function whose errors raise the ingest alarm. */
  readonly ingestFunction: lambda.IFunction;
  readonly table: { readonly tableName: string };
  readonly queues: readonly MonitoredQueue[];
  readonly opsTopic: sns.ITopic;
  /** Alarms defined elsewhere (DLQs, SMS spend, check failing), shown in the dashboard's alarm status widget. */
  readonly existingAlarms?: readonly cloudwatch.IAlarm[];
  /** The function that keeps the open-payment counters from the table stream: its lag is charted. */
  readonly tableStreamConsumer?: lambda.IFunction;
}

const FIVE_MINUTES = Duration.minutes(5);
const ONE_HOUR = Duration.hours(1);
const ONE_DAY = Duration.days(1);

/**
 * One CloudWatch dashboard per deployment and the alarms that go with it (to the ops topic), built
 * from one metric factory so a widget and an alarm on the same metric cannot drift apart.
 */
export class SettlewatchMonitoring extends Construct {
  readonly metrics: SettlewatchMetricFactory;
  readonly dashboard: cloudwatch.Dashboard;
  readonly ingestErrorsAlarm: cloudwatch.Alarm;
  readonly overdueSpikeAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** Only where an acquirer has a settlement-file expectation (no other acquirer's file can be late). */
  readonly settlementFilesLateAlarm: cloudwatch.Alarm | undefined;
  readonly noticesFailedAlarm: cloudwatch.Alarm;
  readonly tableThrottlesAlarm: cloudwatch.Alarm;
  /** Per SMS provider of the deployment: its delivery rate below sms.deliveryReports.rateFloor. */
  readonly smsDeliveryRateAlarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: SettlewatchMonitoringProps) {
    super(scope, id);
    const { deployment } = props;
    const thresholds = deployment.monitoring;
    const acquirers = deployment.acquirers.map((acquirer) => acquirer.id);
    const fileAcquirers = deployment.acquirers.flatMap((acquirer) =>
      acquirer.settlementFile ? [acquirer.id] : [],
    );
    const metrics = new SettlewatchMetricFactory(deployment.name, acquirers, fileAcquirers);
    this.metrics = metrics;

    const toOps = new SnsAction(props.opsTopic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      created.addAlarmAction(toOps);
      created.addOkAction(toOps);
      return created;
    };

    // --- Alarms --------------------------------------------------------------------------------
    const ingestPeriod = Duration.minutes(thresholds.ingestErrors.periodMinutes);
    this.ingestErrorsAlarm = alarm("IngestErrorsAlarm", {
      alarmDescription: `settlewatch ${deployment.name}: the ingest-confirmations function failed more than ${thresholds.ingestErrors.threshold} times in ${thresholds.ingestErrors.periodMinutes} min; acquirers' webhooks get 5xx and retry. See the function's logs.`,
      metric: props.ingestFunction.metricErrors({ period: ingestPeriod, statistic: cloudwatch.Stats.SUM }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: thresholds.ingestErrors.threshold,
      evaluationPeriods: 1,
    });

    const overdueSpikeAlarms: Record<string, cloudwatch.Alarm> = {};
    for (const acquirer of deployment.acquirers) {
      const threshold =
        thresholds.overdueSpike.perAcquirer?.[acquirer.id] ?? thresholds.overdueSpike.threshold;
      overdueSpikeAlarms[acquirer.id] = alarm(`OverdueSpikeAlarm-${acquirer.id}`, {
        alarmDescription: `settlewatch ${deployment.name}: more than ${threshold} ${acquirer.name} (${acquirer.id}) payments became overdue in one hour. Likely an acquirer-side payout delay, a missed settlement file, or wrong merchant terms.`,
        metric: metrics.business("PaymentsOverdue", acquirer.id, ONE_HOUR),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold,
        evaluationPeriods: 1,
      });
    }
    this.overdueSpikeAlarms = overdueSpikeAlarms;

    this.settlementFilesLateAlarm =
      fileAcquirers.length === 0
        ? undefined
        : alarm("SettlementFilesLateAlarm", {
            alarmDescription: `settlewatch ${deployment.name}: an acquirer's settlement file is late; its payments are held (not alerted) until it arrives. The ops notice names the acquirer and day.`,
            metric: metrics.total("SettlementFilesLate", FIVE_MINUTES),
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            threshold: 1,
            evaluationPeriods: 1,
          });
    this.noticesFailedAlarm = alarm("NoticesFailedAlarm", {
      alarmDescription: `settlewatch ${deployment.name}: a notice could not be sent (SNS refused or throttled); the queue retries it and parks it in the dead-letter queue after ${deployment.notifier.maxReceiveCount} tries. See the notify function's logs.`,
      metric: metrics.total("NoticesFailed", FIVE_MINUTES),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
    });
    const throttles = this.tableThrottles(props.table, FIVE_MINUTES);
    this.tableThrottlesAlarm = alarm("TableThrottlesAlarm", {
      alarmDescription: `settlewatch ${deployment.name}: DynamoDB throttled reads or writes on the table (on-demand: a burst above the table's or account's limits). The SDK retries; repeated throttling delays ingest and the overdue check.`,
      metric: throttles,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
    });

    const smsDelivery = smsDeliveryMonitoring(deployment, alarm);
    this.smsDeliveryRateAlarms = smsDelivery.alarms;

    // --- Dashboard -----------------------------------------------------------------------------
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: `settlewatch-${deployment.name}`,
      defaultInterval: Duration.days(1),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title,
        left,
        width,
        height: 6,
        legendPosition: cloudwatch.LegendPosition.BOTTOM,
      });
    const business = (name: DashboardBusinessMetric): cloudwatch.GraphWidget =>
      graph(name, metrics.perAcquirer(name));

    const alarms = [
      this.ingestErrorsAlarm,
      ...Object.values(overdueSpikeAlarms),
      ...(this.settlementFilesLateAlarm ? [this.settlementFilesLateAlarm] : []),
      this.noticesFailedAlarm,
      this.tableThrottlesAlarm,
      ...Object.values(smsDelivery.alarms),
      ...(props.existingAlarms ?? []),
    ];
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# settlewatch ${deployment.name}\nBusiness counters per acquirer (namespace Settlewatch, sum per 5 min); Lambda, DynamoDB and SQS below. Runbook: docs/operations.md.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms, width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmWidget({
        title: "Ingest errors",
        alarm: this.ingestErrorsAlarm,
        width: 8,
        height: 6,
      }),
      ...(this.settlementFilesLateAlarm
        ? [
            new cloudwatch.AlarmWidget({
              title: "Settlement files late (all acquirers)",
              alarm: this.settlementFilesLateAlarm,
              width: 8,
              height: 6,
            }),
          ]
        : []),
      new cloudwatch.AlarmWidget({
        title: "Notices failed (all)",
        alarm: this.noticesFailedAlarm,
        width: 8,
        height: 6,
      }),
    );
    // Open payments now (gauges from the check), then what moved them.
    this.dashboard.addWidgets(
      business("PendingPayments"),
      business("OverduePayments"),
      graph("Overdue amount now, per acquirer and currency (minor units)", [
        metrics.perCurrency("OverdueAmountMinor"),
      ]),
    );
    const filesReceived = new cloudwatch.GraphWidget({
      title: "Settlement files received per day vs expected",
      left: metrics.perAcquirer("SettlementFilesReceived", ONE_DAY),
      leftAnnotations:
        fileAcquirers.length > 0
          ? [{ value: 1, label: `expected: 1 per day (${fileAcquirers.join(", ")})` }]
          : [],
      width: 8,
      height: 6,
      legendPosition: cloudwatch.LegendPosition.BOTTOM,
    });
    this.dashboard.addWidgets(
      graph("Pending amount now, per acquirer and currency (minor units)", [
        metrics.perCurrency("PendingAmountMinor"),
      ]),
      business("PaymentsSettledLate"),
      filesReceived,
    );
    // The calendar check: years missing within the horizon (the CalendarHorizonAlarm's metric), and
    // per calendar and year, the missing years and the payments held for them (found by SEARCH).
    const perCalendarYear = (metricName: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{Settlewatch,calendar,deployment,service,year} MetricName="${metricName}" service="settlewatch" deployment="${deployment.name}"', 'Maximum', ${ONE_HOUR.toSeconds()})`,
        usingMetrics: {},
        period: ONE_HOUR,
        label: "",
      });
    this.dashboard.addWidgets(
      graph("Calendars: years missing within the horizon, payments held per calendar and year", [
        new cloudwatch.Metric({
          namespace: "Settlewatch",
          metricName: "CalendarYearsMissing",
          dimensionsMap: { service: "settlewatch", deployment: deployment.name },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: ONE_HOUR,
          label: "calendar years missing",
        }),
        perCalendarYear("CalendarYearMissing"),
        perCalendarYear("PaymentsAwaitingCalendar"),
      ]),
    );
    const rows: DashboardBusinessMetric[][] = [
      ["ConfirmationsAccepted", "ConfirmationsRejected", "RequestsRejected"],
      ["UnregisteredMerchantConfirmations", "CalendarNotCovered", "PaymentsAwaitingFile"],
      ["PaymentsOverdue", "SettlementFilesLate", "MerchantsUnreachable"],
      ["SettlementLinesMatched", "SettlementLinesMismatched", "SettlementLinesUnmatched"],
      ["SettlementLinesRejected", "SettlementFileControlMismatch", "SettlementFilesUnreadable"],
      ["NoticesSent", "NoticesFailed", "PaymentsReversed"],
    ];
    for (const row of rows) {
      const shown = row.filter((name) => metrics.acquirersOf(name).length > 0);
      if (shown.length > 0) this.dashboard.addWidgets(...shown.map(business));
    }
    // SMS per provider: sent / delivered / failed and the delivery rate (two widgets per provider).
    if (smsDelivery.widgets.length > 0) this.dashboard.addWidgets(...smsDelivery.widgets);

    const fns = Object.entries(props.functions);
    this.dashboard.addWidgets(
      graph(
        "Lambda errors",
        fns.map(([name, fn]) =>
          fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: name }),
        ),
      ),
      graph(
        "Lambda throttles",
        fns.map(([name, fn]) =>
          fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: name }),
        ),
      ),
      graph(
        "Lambda duration p99",
        fns.map(([name, fn]) =>
          fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(99), label: name }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      ...(props.tableStreamConsumer
        ? [
            graph("Open-payment counters: table stream lag (ms)", [
              props.tableStreamConsumer.metric("IteratorAge", {
                period: FIVE_MINUTES,
                statistic: cloudwatch.Stats.MAXIMUM,
                label: "iterator age",
              }),
            ]),
          ]
        : []),
      graph("DynamoDB throttled reads + writes", [throttles]),
      graph(
        "SQS age of oldest message (s)",
        props.queues.map(({ name, queue }) =>
          queue.metricApproximateAgeOfOldestMessage({
            period: FIVE_MINUTES,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: name,
          }),
        ),
      ),
      graph(
        "Dead-letter queues: messages visible",
        props.queues.map(({ name, deadLetterQueue }) =>
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: `${name} DLQ`,
          }),
        ),
      ),
    );
  }

  /** ReadThrottleEvents + WriteThrottleEvents of the table (base table; sum per period, gaps as 0). */
  private tableThrottles(table: { readonly tableName: string }, period: Duration): cloudwatch.MathExpression {
    const event = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: "AWS/DynamoDB",
        metricName,
        dimensionsMap: { TableName: table.tableName },
        statistic: cloudwatch.Stats.SUM,
        period,
      });
    return new cloudwatch.MathExpression({
      expression: "FILL(reads, 0) + FILL(writes, 0)",
      usingMetrics: { reads: event("ReadThrottleEvents"), writes: event("WriteThrottleEvents") },
      period,
      label: "throttled reads + writes",
    });
  }
}
