import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import {
  checkCalendarsEnvSchema,
  checkOverdueEnvSchema,
  countTableChangesEnvSchema,
  notifyEnvSchema,
} from "../../functions/shared/env.js";
import { type Deployment, merchantEmailTopicPrefix } from "../config/deployment-schema.js";
import {
  deliveryReportSettings,
  smsEnvironment,
  smsPacingEnvironment,
  smsSecretNames,
  usedSmsProviders,
} from "../config/sms-deployment.js";
import type { DeploymentMetric } from "../constructs/monitoring/metric-factory.js";
import { PINNED_LOGICAL_IDS } from "../constructs/pinned-logical-ids.js";
import { type BindableTable, SettlewatchFunction } from "../constructs/settlewatch-function.js";
import { SnsDeliveryStatusLogs } from "../constructs/sns-delivery-status-logs.js";
import { acknowledgeNagFinding } from "../nag.js";

/** The check stops 20 s before this (see check-overdue.handler.ts); what is left waits for the next run. */
export const CHECK_TIMEOUT = Duration.minutes(5);
/** The calendar check reads a few small partitions and recomputes held payments (a few thousand at most). */
export const CALENDAR_CHECK_TIMEOUT = Duration.minutes(5);
/**
 * The calendar check's alarm metric: (calendar, year) pairs the horizon lacks (EmfCalendarMetrics).
 * The monitoring stack alarms on it (infra/constructs/monitoring).
 */
export const CALENDAR_HORIZON_METRIC = "CalendarYearsMissing" satisfies DeploymentMetric;
/** Ten notices (one SQS batch), each a conditional write and an SNS Publish with SDK retries. */
export const NOTIFIER_TIMEOUT = Duration.seconds(30);
/** Messages per notifier invocation. */
export const NOTIFIER_BATCH_SIZE = 10;
/**
 * AWS advises a visibility timeout of at least six times the timeout of the function a queue feeds:
 * a message still being retried by one invocation must not reappear for another.
 */
export const NOTICE_VISIBILITY_TIMEOUT = Duration.seconds(NOTIFIER_TIMEOUT.toSeconds() * 6);
/** The longest SQS keeps a message: the dead-letter queue holds failed notices this long. */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/** Table-stream records per invocation of the counter (counted in transactions of 25). */
export const TABLE_STREAM_BATCH_SIZE = 100;
/** The stream event source's tumbling window, there to name the shard of each batch. */
export const TABLE_STREAM_WINDOW_SECONDS = 60;
/** Retries of a failing stream batch (bisected each time) before it is given up and reported. */
export const TABLE_STREAM_RETRY_ATTEMPTS = 10;
/**
 * The table changes that can move an open-payment counter or a flow: payment items, and new
 * settlement-file days. Everything else on the table (notices, files, lines, the counters and
 * markers themselves) never invokes the function.
 */
export const TABLE_STREAM_FILTERS = [
  lambda.FilterCriteria.filter({ dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith("PAY#") } } } }),
  lambda.FilterCriteria.filter({
    eventName: lambda.FilterRule.isEqual("INSERT"),
    dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith("FILEDAY#") } } },
  }),
];

export interface NotificationsStackProps extends StackProps {
  readonly deployment: Deployment;
  readonly table: BindableTable;
  /** The data stack's notifications key: queues, ops topic, merchant email topics. */
  readonly notificationsKey: kms.IKey;
}

/**
 * The overdue check and the notices: EventBridge schedule → check-overdue → SQS → notify → SNS (SMS,
 * merchant email topics, ops topic), with a dead-letter queue; its alarms are the monitoring stack's.
 * Nothing here is the only copy of anything: notices live in the table (the check re-enqueues what
 * was not sent), so the stack can be rebuilt; the queues and the ops topic keep pinned logical IDs
 * anyway, so a refactor never drops messages in flight or the ops' confirmed email subscriptions.
 */
export class NotificationsStack extends Stack {
  readonly noticeQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly opsTopic: sns.Topic;
  readonly checkOverdue: SettlewatchFunction<typeof checkOverdueEnvSchema>;
  readonly notify: SettlewatchFunction<typeof notifyEnvSchema>;
  /** Keeps the open-payment counters from the table's stream (the check publishes them). */
  readonly countTableChanges: SettlewatchFunction<typeof countTableChangesEnvSchema>;
  /** Where the stream event source reports batches it gave up on (the counters may be off by them). */
  readonly tableStreamFailureQueue: sqs.Queue;
  readonly checkSchedule: events.Rule;
  /** Calendar horizon and held payments (run-calendar-check.ts), on its own schedule. */
  readonly checkCalendars: SettlewatchFunction<typeof checkCalendarsEnvSchema>;
  readonly calendarCheckSchedule: events.Rule;
  /** SNS SMS delivery-status logs read into notices (sms.deliveryReports.snsStatusLogs). */
  readonly snsDeliveryStatusLogs: SnsDeliveryStatusLogs | undefined;

  constructor(scope: Construct, id: string, props: NotificationsStackProps) {
    super(scope, id, props);
    const { deployment, notificationsKey: key } = props;
    const logRetention = deployment.logRetentionDays as logs.RetentionDays;

    this.deadLetterQueue = new sqs.Queue(this, "NoticeDeadLetterQueue", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.noticeQueue = new sqs.Queue(this, "NoticeQueue", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      visibilityTimeout: NOTICE_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: deployment.notifier.maxReceiveCount },
    });
    this.opsTopic = new sns.Topic(this, "OpsTopic", {
      displayName: `settlewatch ${deployment.name} ops`,
      masterKey: key,
      enforceSSL: true,
    });
    (this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).overrideLogicalId(
      PINNED_LOGICAL_IDS.noticeDeadLetterQueue,
    );
    (this.noticeQueue.node.defaultChild as sqs.CfnQueue).overrideLogicalId(PINNED_LOGICAL_IDS.noticeQueue);
    (this.opsTopic.node.defaultChild as sns.CfnTopic).overrideLogicalId(PINNED_LOGICAL_IDS.opsTopic);

    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: CloudWatch
    // alarms of this account and region need an explicit Allow to publish (and the key policy entry
    // in the data stack to encrypt).
    this.opsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchAlarmsOfThisAccount",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.opsTopic.topicArn],
        conditions: {
          ArnLike: { "aws:SourceArn": this.formatArn({ service: "cloudwatch", resource: "alarm:*" }) },
          StringEquals: { "aws:SourceAccount": this.account },
        },
      }),
    );
    for (const email of deployment.alarmEmails) {
      this.opsTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const observability = {
      DEPLOYMENT: deployment.name,
      POWERTOOLS_SERVICE_NAME: "settlewatch",
      POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
    };

    // CALENDAR_OVERRIDES_PARAMETER (optional in the schema) is left out: the check reads expected
    // arrival from the payments, never a calendar, so it gets no SSM grant either.
    // SNS alone needs no SMS settings (the defaults); a mainland provider needs its routing and codes.
    const mainland = usedSmsProviders(deployment.region, deployment.sms).filter((id) => id !== "sns");
    this.checkOverdue = new SettlewatchFunction(this, "CheckOverdue", {
      entry: "functions/handlers/check-overdue.handler.ts",
      description: `settlewatch ${deployment.name}: overdue check (every ${deployment.checkSchedule.rateMinutes} min)`,
      envSchema: checkOverdueEnvSchema,
      environment: {
        ...observability,
        DUE_SHARDS: String(deployment.dueShards),
        DEFAULT_MERCHANT_TERMS: JSON.stringify(deployment.defaultMerchantTerms),
        INPUT_LIMITS: JSON.stringify(deployment.inputLimits),
        ...checkEnvironment(deployment),
        ...(mainland.length > 0 ? smsEnvironment(deployment) : {}),
      },
      logRetention,
      timeout: CHECK_TIMEOUT,
    })
      .bindTable(props.table, "RW")
      .bindQueueSender("NOTICE_QUEUE_URL", this.noticeQueue);
    // A failed run is retried by the next scheduled one; Lambda's own async retries would only add
    // overlapping runs. An event older than one period is dropped for the same reason.
    const period = Duration.minutes(deployment.checkSchedule.rateMinutes);
    this.checkOverdue.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.max(60, period.toSeconds())),
    });
    this.checkSchedule = new events.Rule(this, "CheckSchedule", {
      description: `settlewatch ${deployment.name}: run the overdue check`,
      schedule: events.Schedule.rate(period),
      targets: [new targets.LambdaFunction(this.checkOverdue.function)],
    });

    this.notify = new SettlewatchFunction(this, "Notify", {
      entry: "functions/handlers/notify.handler.ts",
      description: `settlewatch ${deployment.name}: send queued notices (SMS, merchant email, ops)`,
      envSchema: notifyEnvSchema,
      environment: {
        ...observability,
        ...(deployment.sms.senderId ? { SMS_SENDER_ID: deployment.sms.senderId } : {}),
        ...(deployment.sms.maxPriceUsd ? { SMS_MAX_PRICE_USD: deployment.sms.maxPriceUsd } : {}),
        ...(mainland.length > 0 ? { SMS_PROVIDERS: smsEnvironment(deployment).SMS_PROVIDERS } : {}),
        DUE_SHARDS: String(deployment.dueShards),
        // Without it the notifier uses the same defaults (SMS_PACING_DEFAULTS).
        ...(mainland.length > 0 || deployment.sms.pacing ? smsPacingEnvironment(deployment) : {}),
      },
      logRetention,
      timeout: NOTIFIER_TIMEOUT,
    })
      .bindTable(props.table, "RW")
      .bindTopicPublisher("OPS_TOPIC_ARN", this.opsTopic)
      .bindMerchantEmailTopics({ prefix: merchantEmailTopicPrefix(deployment), key }, "publish")
      .consumeQueue(this.noticeQueue, {
        batchSize: NOTIFIER_BATCH_SIZE,
        maxConcurrency: deployment.notifier.maxConcurrency,
      });
    // SNS SMS only where SNS sends the texts; a mainland provider's credentials secret, read only.
    if (usedSmsProviders(deployment.region, deployment.sms).includes("sns"))
      this.notify.allowSmsToPhoneNumbers();
    for (const name of smsSecretNames(deployment)) this.notify.allowSecretByName(name);
    this.snsDeliveryStatusLogs = deliveryReportSettings(deployment.sms).snsStatusLogs
      ? new SnsDeliveryStatusLogs(this, "SnsDeliveryStatusLogs", {
          deployment,
          table: props.table,
          logRetention,
        })
      : undefined;

    this.tableStreamFailureQueue = new sqs.Queue(this, "TableStreamFailureQueue", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    acknowledgeNagFinding(
      this.tableStreamFailureQueue,
      "AwsSolutions-SQS3",
      "This queue is itself the failure destination of the table-stream event source: it holds the positions of stream records the counter gave up on, for ops to inspect; nothing consumes it, so it needs no dead-letter queue of its own.",
    );
    this.countTableChanges = new SettlewatchFunction(this, "CountTableChanges", {
      entry: "functions/handlers/count-table-changes.handler.ts",
      description: `settlewatch ${deployment.name}: keep the open-payment counters from the table's stream`,
      envSchema: countTableChangesEnvSchema,
      environment: observability,
      logRetention,
      timeout: Duration.seconds(60),
    })
      .bindTable(props.table, "RW")
      .consumeTableStream(props.table, {
        batchSize: TABLE_STREAM_BATCH_SIZE,
        filters: TABLE_STREAM_FILTERS,
        retryAttempts: TABLE_STREAM_RETRY_ATTEMPTS,
        onFailure: this.tableStreamFailureQueue,
        // Only for the shardId in the event: the counter's watermark per stream shard (lane).
        tumblingWindow: Duration.seconds(TABLE_STREAM_WINDOW_SECONDS),
      });

    this.checkCalendars = new SettlewatchFunction(this, "CheckCalendars", {
      entry: "functions/handlers/check-calendars.handler.ts",
      description: `settlewatch ${deployment.name}: calendar horizon and held payments (every ${deployment.calendarCheck.rateMinutes} min)`,
      envSchema: checkCalendarsEnvSchema,
      environment: {
        ...observability,
        DUE_SHARDS: String(deployment.dueShards),
        DEFAULT_MERCHANT_TERMS: JSON.stringify(deployment.defaultMerchantTerms),
        CALENDAR_HORIZON_DAYS: String(deployment.calendarCheck.horizonDays),
        INPUT_LIMITS: JSON.stringify(deployment.inputLimits),
      },
      logRetention,
      timeout: CALENDAR_CHECK_TIMEOUT,
    })
      // Reads calendar usage and hold markers, recomputes held payments, writes ops notices.
      .bindTable(props.table, "RW")
      .bindParameter("CALENDAR_OVERRIDES_PARAMETER", deployment.calendarOverridesParameter);
    const calendarPeriod = Duration.minutes(deployment.calendarCheck.rateMinutes);
    this.checkCalendars.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.max(60, calendarPeriod.toSeconds())),
    });
    this.calendarCheckSchedule = new events.Rule(this, "CalendarCheckSchedule", {
      description: `settlewatch ${deployment.name}: run the calendar check`,
      schedule: events.Schedule.rate(calendarPeriod),
      targets: [new targets.LambdaFunction(this.checkCalendars.function)],
    });

    new CfnOutput(this, "NoticeQueueUrl", { value: this.noticeQueue.queueUrl });
    new CfnOutput(this, "NoticeDeadLetterQueueUrl", { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, "OpsTopicArn", { value: this.opsTopic.topicArn });
    new CfnOutput(this, "MerchantEmailTopicPrefix", { value: merchantEmailTopicPrefix(deployment) });
    new CfnOutput(this, "CheckOverdueLogGroup", { value: this.checkOverdue.logGroup.logGroupName });
    new CfnOutput(this, "CheckCalendarsLogGroup", { value: this.checkCalendars.logGroup.logGroupName });
    new CfnOutput(this, "NotifyLogGroup", { value: this.notify.logGroup.logGroupName });
    new CfnOutput(this, "TableStreamFailureQueueUrl", { value: this.tableStreamFailureQueue.queueUrl });
  }
}

/**
 * The check's JSON settings from the deployment: what functions/shared/check-config.ts parses at init
 * (test/infra runs that parser on the synthesized values).
 */
export function checkEnvironment(deployment: Deployment): {
  ESCALATION_HOURS: string;
  SETTLEMENT_FILE_EXPECTATIONS: string;
  ACQUIRER_CONTACTS: string;
} {
  const expectations = Object.fromEntries(
    deployment.acquirers.flatMap((acquirer) =>
      acquirer.settlementFile ? [[acquirer.id, acquirer.settlementFile]] : [],
    ),
  );
  // Every acquirer gets its configured name in English unless contact.names has one.
  const contacts = Object.fromEntries(
    deployment.acquirers.map((acquirer) => [
      acquirer.id,
      {
        names: { en: acquirer.name, ...acquirer.contact?.names },
        ...(acquirer.contact?.hotline ? { hotline: acquirer.contact.hotline } : {}),
      },
    ]),
  );
  return {
    ESCALATION_HOURS: JSON.stringify(deployment.escalationHours),
    SETTLEMENT_FILE_EXPECTATIONS: JSON.stringify(expectations),
    ACQUIRER_CONTACTS: JSON.stringify(contacts),
  };
}
