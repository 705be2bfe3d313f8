import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Deployment } from "../../config/deployment-schema.js";
import {
  type AlarmContext,
  type AlarmDefinition,
  type AlarmFacts,
  type MonitoredResources,
  settlewatchAlarms,
  tableThrottles,
} from "./alarm-definitions.js";
import {
  type DashboardBusinessMetric,
  DEPLOYMENT_METRICS,
  SettlewatchMetricFactory,
} from "./metric-factory.js";
import { smsDeliveryAlarms, smsDeliveryWidgets } from "./sms-delivery-monitoring.js";

export interface MonitoredQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export interface SettlewatchMonitoringProps {
  readonly deployment: Deployment;
  /** Functions by display name, e.g. { "ingest-confirmations": fn }: charted on the dashboard. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** What the alarms watch. */
  readonly resources: MonitoredResources;
  /** Facts of the other stacks the alarm texts quote. */
  readonly facts: AlarmFacts;
  readonly queues: readonly MonitoredQueue[];
  readonly opsTopic: sns.ITopic;
  /** Alarms beyond settlewatchAlarms' list (same treatment: ops topic, dashboard). */
  readonly extraAlarms?: (context: AlarmContext) => readonly AlarmDefinition[];
  /** Dashboard rows beyond the built-in ones, added last (e.g. per SMS provider). */
  readonly extraDashboardRows?: (metrics: SettlewatchMetricFactory) => readonly cloudwatch.IWidget[][];
  /** The function that keeps the open-payment counters from the table stream: its lag is charted. */
  readonly tableStreamConsumer?: lambda.IFunction;
}

const FIVE_MINUTES = Duration.minutes(5);
const ONE_HOUR = Duration.hours(1);
const ONE_DAY = Duration.days(1);

/**
 * The one place a deployment's alarms and its CloudWatch dashboard are built: every alarm is a
 * definition (alarm-definitions.ts) created here, to the ops topic (alarm and OK), from one metric
 * factory, so a widget and an alarm on the same metric cannot drift apart.
 */
export class SettlewatchMonitoring extends Construct {
  readonly metrics: SettlewatchMetricFactory;
  readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm of the deployment by its definition id, e.g. "IngestErrorsAlarm". */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: SettlewatchMonitoringProps) {
    super(scope, id);
    const { deployment } = props;
    const acquirers = deployment.acquirers.map((acquirer) => acquirer.id);
    const fileAcquirers = deployment.acquirers.flatMap((acquirer) =>
      acquirer.settlementFile ? [acquirer.id] : [],
    );
    const metrics = new SettlewatchMetricFactory(deployment.name, acquirers, fileAcquirers);
    this.metrics = metrics;

    const context: AlarmContext = { deployment, metrics, resources: props.resources };
    const definitions = [
      ...settlewatchAlarms(context, props.facts),
      ...smsDeliveryAlarms(deployment),
      ...(props.extraAlarms?.(context) ?? []),
    ];
    const toOps = new SnsAction(props.opsTopic);
    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const definition of definitions) {
      if (alarms.has(definition.id)) throw new Error(`two alarms with the id ${definition.id}`);
      alarms.set(definition.id, createAlarm(this, definition, toOps));
    }
    this.alarms = alarms;
    const throttles = tableThrottles(props.resources.table, FIVE_MINUTES);

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

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# settlewatch ${deployment.name}\nBusiness counters per acquirer (namespace Settlewatch, sum per 5 min); Lambda, DynamoDB and SQS below. Runbook: docs/operations.md.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: "Alarms",
        alarms: [...alarms.values()],
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      ...definitions.flatMap((definition) => {
        const alarm = alarms.get(definition.id);
        return definition.dashboardTitle && alarm
          ? [new cloudwatch.AlarmWidget({ title: definition.dashboardTitle, alarm, width: 8, height: 6 })]
          : [];
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
    this.dashboard.addWidgets(
      graph("Calendars: years missing within the horizon, payments held per calendar and year", [
        metrics
          .deploymentWide("CalendarYearsMissing", ONE_HOUR)
          .with({ label: DEPLOYMENT_METRICS.CalendarYearsMissing.label }),
        metrics.perCalendarYear("CalendarYearMissing", ONE_HOUR),
        metrics.perCalendarYear("PaymentsAwaitingCalendar", ONE_HOUR),
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
    for (const row of smsDeliveryWidgets(deployment)) this.dashboard.addWidgets(...row);
    for (const row of props.extraDashboardRows?.(metrics) ?? []) this.dashboard.addWidgets(...row);
  }
}

const COMPARISON_OPERATORS: Record<AlarmDefinition["comparison"], cloudwatch.ComparisonOperator> = {
  ">": cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  ">=": cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  "<": cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
};

/** One alarm from its definition, to the ops topic on ALARM and on OK. */
function createAlarm(scope: Construct, definition: AlarmDefinition, toOps: SnsAction): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, definition.id, {
    ...(definition.alarmName ? { alarmName: definition.alarmName } : {}),
    alarmDescription: definition.description,
    metric: definition.metric,
    comparisonOperator: COMPARISON_OPERATORS[definition.comparison],
    threshold: definition.threshold,
    evaluationPeriods: definition.evaluationPeriods ?? 1,
    treatMissingData: definition.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (definition.pinnedLogicalId)
    (alarm.node.defaultChild as cloudwatch.CfnAlarm).overrideLogicalId(definition.pinnedLogicalId);
  alarm.addAlarmAction(toOps);
  alarm.addOkAction(toOps);
  return alarm;
}
