import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Deployment } from "../../config/deployment-schema.js";
import { usedSmsProviders } from "../../config/sms-deployment.js";
import { PINNED_LOGICAL_IDS } from "../pinned-logical-ids.js";
import { SETTLEMENT_FILE_DEAD_LETTER_RETENTION } from "../settlement-file-store.js";
import type { SettlewatchMetricFactory } from "./metric-factory.js";

/**
 * One alarm of a deployment, as data: SettlewatchMonitoring creates each one (ops topic on alarm
 * and OK) and shows it on the dashboard. To add an alarm, add a definition to the list of
 * `settlewatchAlarms` (or pass it in `extraAlarms`).
 */
export interface AlarmDefinition {
  /**
   * Construct id under the monitoring construct: the CloudFormation logical id is derived from it,
   * so renaming it replaces the alarm on deploy (and fails for an alarm with an `alarmName`).
   */
  readonly id: string;
  /** A fixed name, only where ops or docs refer to the alarm by name (then pin its logical id). */
  readonly alarmName?: string;
  /** A logical id of its own (PINNED_LOGICAL_IDS), so no refactor of the construct tree replaces it. */
  readonly pinnedLogicalId?: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly comparison: ">" | ">=" | "<";
  readonly threshold: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default NOT_BREACHING */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /** Shown as its own graph (with the threshold) on the dashboard's alarm row, under this title. */
  readonly dashboardTitle?: string;
}

/** The resources of the other stacks that alarms watch (names and ARNs only: the stacks own them). */
export interface MonitoredResources {
  readonly table: { readonly tableName: string };
  readonly ingestConfirmations: lambda.IFunction;
  readonly checkOverdue: lambda.IFunction;
  readonly checkCalendars: lambda.IFunction;
  readonly noticeDeadLetterQueue: sqs.IQueue;
  /** Where the table-stream event source parks the batches the open-payment counter gave up on. */
  readonly tableStreamFailureQueue: sqs.IQueue;
  readonly settlementFileDeadLetterQueue: sqs.IQueue;
  readonly distributedIngestStateMachine: sfn.IStateMachine;
}

/** What the alarm definitions are built from. */
export interface AlarmContext {
  readonly deployment: Deployment;
  readonly metrics: SettlewatchMetricFactory;
  readonly resources: MonitoredResources;
}

/** Facts the alarm texts quote, owned by the stacks that configure them. */
export interface AlarmFacts {
  /** Days the notice dead-letter queue keeps a message. */
  readonly noticeDeadLetterRetentionDays: number;
  /** Retries of a failing table-stream batch before it is parked. */
  readonly tableStreamRetryAttempts: number;
}

/** The SMS spend alarm fires at this share of the account's monthly spend limit. */
export const SMS_SPEND_ALARM_RATIO = 0.8;

const FIVE_MINUTES = Duration.minutes(5);
const ONE_HOUR = Duration.hours(1);

/** Every alarm of a deployment, in dashboard order. */
export function settlewatchAlarms(context: AlarmContext, facts: AlarmFacts): AlarmDefinition[] {
  return [
    ...requestPathAlarms(context),
    ...overdueCheckAlarms(context),
    ...noticeAlarms(context, facts),
    ...calendarAlarms(context),
    ...settlementFileAlarms(context),
    ...dataAlarms(context, facts),
  ];
}

function requestPathAlarms({ deployment, resources }: AlarmContext): AlarmDefinition[] {
  const { threshold, periodMinutes } = deployment.monitoring.ingestErrors;
  return [
    {
      id: "IngestErrorsAlarm",
      description: `settlewatch ${deployment.name}: the ingest-confirmations function failed more than ${threshold} times in ${periodMinutes} min; acquirers' webhooks get 5xx and retry. See the function's logs.`,
      metric: resources.ingestConfirmations.metricErrors({
        period: Duration.minutes(periodMinutes),
        statistic: cloudwatch.Stats.SUM,
      }),
      comparison: ">",
      threshold,
      dashboardTitle: "Ingest errors",
    },
  ];
}

function overdueCheckAlarms({ deployment, metrics, resources }: AlarmContext): AlarmDefinition[] {
  const spike = deployment.monitoring.overdueSpike;
  const perAcquirer = deployment.acquirers.map((acquirer): AlarmDefinition => {
    const threshold = spike.perAcquirer?.[acquirer.id] ?? spike.threshold;
    return {
      id: `OverdueSpikeAlarm-${acquirer.id}`,
      description: `settlewatch ${deployment.name}: more than ${threshold} ${acquirer.name} (${acquirer.id}) payments became overdue in one hour. Likely an acquirer-side payout delay, a missed settlement file, or wrong merchant terms.`,
      metric: metrics.business("PaymentsOverdue", acquirer.id, ONE_HOUR),
      comparison: ">",
      threshold,
    };
  });
  const filesLate: AlarmDefinition[] = deployment.acquirers.some((acquirer) => acquirer.settlementFile)
    ? [
        {
          id: "SettlementFilesLateAlarm",
          description: `settlewatch ${deployment.name}: an acquirer's settlement file is late; its payments are held (not alerted) until it arrives. The ops notice names the acquirer and day.`,
          metric: metrics.total("SettlementFilesLate", FIVE_MINUTES),
          comparison: ">=",
          threshold: 1,
          dashboardTitle: "Settlement files late (all acquirers)",
        },
      ]
    : [];
  // The monitor's worst failure is a silent one: no check, no alerts.
  const checkFailing: AlarmDefinition = {
    id: "CheckFailingAlarm",
    description: `settlewatch ${deployment.name}: the overdue check failed in two consecutive periods; merchants are not being alerted. See the check-overdue function's logs.`,
    metric: resources.checkOverdue.metricErrors({
      period: Duration.minutes(Math.max(5, deployment.checkSchedule.rateMinutes)),
      statistic: cloudwatch.Stats.SUM,
    }),
    comparison: ">=",
    threshold: 1,
    evaluationPeriods: 2,
  };
  return [...perAcquirer, ...filesLate, checkFailing];
}

function noticeAlarms(
  { deployment, metrics, resources }: AlarmContext,
  facts: AlarmFacts,
): AlarmDefinition[] {
  const alarms: AlarmDefinition[] = [
    {
      id: "NoticesFailedAlarm",
      description: `settlewatch ${deployment.name}: a notice could not be sent (SNS refused or throttled); the queue retries it and parks it in the dead-letter queue after ${deployment.notifier.maxReceiveCount} tries. See the notify function's logs.`,
      metric: metrics.total("NoticesFailed", FIVE_MINUTES),
      comparison: ">=",
      threshold: 1,
      dashboardTitle: "Notices failed (all)",
    },
    queueNotEmpty(
      "NoticeDeadLetterAlarm",
      resources.noticeDeadLetterQueue,
      `settlewatch ${deployment.name}: notices failed ${deployment.notifier.maxReceiveCount} times and wait in the dead-letter queue (kept ${facts.noticeDeadLetterRetentionDays} days). See the notify function's logs, fix the cause, then redrive the queue.`,
    ),
  ];
  // A mainland provider refusing (or missing) its credentials: every text waits until ops fix the secret.
  if (usedSmsProviders(deployment.region, deployment.sms).some((id) => id !== "sns"))
    alarms.push({
      id: "SmsCredentialsAlarm",
      description: `settlewatch ${deployment.name}: an SMS provider refused or could not read its credentials (Secrets Manager); texts stay queued and retry, then wait in the dead-letter queue. Check the provider secret named in the deployment config (sms.<provider>.secretName) and the notify function's logs.`,
      metric: metrics.deploymentWide("SmsCredentialsFailed", FIVE_MINUTES),
      comparison: ">=",
      threshold: 1,
    });
  const spendLimit = deployment.sms.monthlySpendLimitUsd;
  if (spendLimit !== undefined)
    alarms.push({
      id: "SmsSpendAlarm",
      description: `settlewatch ${deployment.name}: SMS spend this month reached ${SMS_SPEND_ALARM_RATIO * 100}% of the account's ${spendLimit} USD limit (SNS MonthlySpendLimit, account-wide in ${deployment.region}). At the limit SNS stops sending texts.`,
      metric: new cloudwatch.Metric({
        namespace: "AWS/SNS",
        metricName: "SMSMonthToDateSpentUSD",
        period: Duration.minutes(15),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      comparison: ">=",
      threshold: spendLimit * SMS_SPEND_ALARM_RATIO,
    });
  return alarms;
}

function calendarAlarms({ deployment, metrics, resources }: AlarmContext): AlarmDefinition[] {
  const period = Duration.minutes(deployment.calendarCheck.rateMinutes);
  return [
    {
      id: "CalendarHorizonAlarm",
      alarmName: `settlewatch-${deployment.name}-calendar-horizon`,
      pinnedLogicalId: PINNED_LOGICAL_IDS.calendarHorizonAlarm,
      description: `settlewatch ${deployment.name}: a calendar merchants use has no holiday data for a year within the next ${deployment.calendarCheck.horizonDays} days. Due dates in that year would be weekends-only guesses: payments depending on them are held (no merchant alerts) until it is loaded. The ops notice and the CalendarYearMissing metric (dimensions calendar, year) name it; load the official schedule as a calendar override (docs/deploy.md, "Yearly calendar routine").`,
      metric: metrics.deploymentWide("CalendarYearsMissing", period),
      comparison: ">=",
      threshold: 1,
      // A period without a run (schedule jitter) keeps the state instead of flapping to OK.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    },
    {
      id: "CalendarCheckFailingAlarm",
      description: `settlewatch ${deployment.name}: the calendar check failed in two consecutive runs; calendar gaps are not being watched and held payments not recomputed. See the check-calendars function's logs (a broken calendar override fails it).`,
      metric: resources.checkCalendars.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      comparison: ">=",
      threshold: 1,
      evaluationPeriods: 2,
    },
  ];
}

function settlementFileAlarms({ deployment, resources }: AlarmContext): AlarmDefinition[] {
  const ingest = deployment.settlementFiles.ingest;
  return [
    queueNotEmpty(
      "SettlementFileDeadLetterAlarm",
      resources.settlementFileDeadLetterQueue,
      `settlewatch ${deployment.name}: a settlement file was not ingested after ${ingest.maxReceiveCount} deliveries (resumptions included); its S3 notification waits in the dead-letter queue (kept ${SETTLEMENT_FILE_DEAD_LETTER_RETENTION.toDays()} days from upload). See the ingest-settlement-file function's logs for the object key and error, fix the cause, then redrive the dead-letter queue to the settlement-file queue.`,
    ),
    {
      id: "DistributedIngestFailedAlarm",
      description: `settlewatch ${deployment.name}: a large settlement file's distributed ingest failed (its execution is named after the file's sha256). See the execution's history and the distributed-ingest function's logs; fix the cause, then redrive the execution (chunks already done are not read again).`,
      metric: resources.distributedIngestStateMachine.metricFailed({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.SUM,
      }),
      comparison: ">",
      threshold: 0,
    },
  ];
}

function dataAlarms({ deployment, resources }: AlarmContext, facts: AlarmFacts): AlarmDefinition[] {
  return [
    {
      id: "TableThrottlesAlarm",
      description: `settlewatch ${deployment.name}: DynamoDB throttled reads or writes on the table (on-demand: a burst above the table's or account's limits). The SDK retries; repeated throttling delays ingest and the overdue check.`,
      metric: tableThrottles(resources.table, FIVE_MINUTES),
      comparison: ">=",
      threshold: 1,
    },
    queueNotEmpty(
      "TableStreamFailureAlarm",
      resources.tableStreamFailureQueue,
      `settlewatch ${deployment.name}: the open-payment counter gave up on table-stream records after ${facts.tableStreamRetryAttempts} retries; the pending/overdue gauges may be off by those changes (payments themselves are unaffected). See the count-table-changes function's logs and the failure queue's messages (they name the shard and sequence numbers).`,
    ),
  ];
}

/**
 * As soon as one message is visible in a queue nothing should leave messages in (a dead-letter or
 * failure queue): maximum of ApproximateNumberOfMessagesVisible per 5 minutes > 0.
 */
function queueNotEmpty(id: string, queue: sqs.IQueue, description: string): AlarmDefinition {
  return {
    id,
    description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    comparison: ">",
    threshold: 0,
  };
}

/** ReadThrottleEvents + WriteThrottleEvents of the table (base table; sum per period, gaps as 0). */
export function tableThrottles(
  table: { readonly tableName: string },
  period: Duration,
): cloudwatch.MathExpression {
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
