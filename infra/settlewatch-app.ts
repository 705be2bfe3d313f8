import { Annotations, type App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { checkCalendarCoverage } from "./config/calendar-coverage.js";
import { chinaRegionNotes } from "./config/china-regions.js";
import type { Deployment } from "./config/deployment-schema.js";
import { ApiStack } from "./stacks/api-stack.js";
import { DataStack } from "./stacks/data-stack.js";
import { MonitoringStack } from "./stacks/monitoring-stack.js";
import {
  DEAD_LETTER_RETENTION,
  NotificationsStack,
  TABLE_STREAM_RETRY_ATTEMPTS,
} from "./stacks/notifications-stack.js";
import { SettlementFilesStack } from "./stacks/settlement-files-stack.js";

export interface SettlewatchAppOptions {
  /** The day calendar coverage is checked for ("YYYY-MM-DD", UTC). @default today */
  readonly today?: string;
  /** The bundled calendars by region (tests pass malformed or short ones). @default the bundled data */
  readonly calendars?: Readonly<Record<string, unknown>>;
}

export interface DeploymentStacks {
  readonly deployment: Deployment;
  readonly data: DataStack;
  readonly api: ApiStack;
  readonly notifications: NotificationsStack;
  readonly settlementFiles: SettlementFilesStack;
  readonly monitoring: MonitoringStack;
}

/**
 * Stack names, so scripts and the README can name them:
 * Settlewatch-<deployment>-Data / -Api / -Notifications / -SettlementFiles / -Monitoring.
 */
export const stackNames = (deployment: Pick<Deployment, "name">) => ({
  data: `Settlewatch-${deployment.name}-Data`,
  api: `Settlewatch-${deployment.name}-Api`,
  notifications: `Settlewatch-${deployment.name}-Notifications`,
  settlementFiles: `Settlewatch-${deployment.name}-SettlementFiles`,
  monitoring: `Settlewatch-${deployment.name}-Monitoring`,
});

/**
 * Adds five stacks per deployment to the app (data, then API and notifications, which both use the
 * data stack, then settlement files, which uses the data and notifications stacks, then monitoring,
 * the dashboard and alarms, which reads all four and is read by none) and the cdk-nag
 * AwsSolutions checks. References only point that way, so no deploy order has a cycle.
 * With cdk-nag 3 the checks run as a policy-validation plugin: an unacknowledged finding fails synth.
 */
export function addSettlewatch(
  app: App,
  deployments: readonly Deployment[],
  options: SettlewatchAppOptions = {},
): DeploymentStacks[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  return deployments.map((deployment) => {
    // Stale or malformed calendar data fails synth; a year missing within the horizon is a warning.
    const calendars = checkCalendarCoverage(deployment, {
      today,
      ...(options.calendars ? { calendars: options.calendars } : {}),
    });
    if (calendars.errors.length > 0) throw new Error(calendars.errors.join("\n"));
    // Region always explicit (no lookups, right partition); account only when configured.
    const env = { region: deployment.region, ...(deployment.account ? { account: deployment.account } : {}) };
    const names = stackNames(deployment);
    const data = new DataStack(app, names.data, {
      env,
      deployment,
      description: `settlewatch ${deployment.name}: table, keys, webhook secrets, settlement-files bucket (retained) and its queues`,
      terminationProtection: deployment.stage === "prod",
    });
    const api = new ApiStack(app, names.api, {
      env,
      deployment,
      table: data.table.table,
      webhookSecrets: data.webhookSecrets,
      notificationsKey: data.notificationsKey,
      description: `settlewatch ${deployment.name}: HTTP API and functions`,
      terminationProtection: deployment.stage === "prod",
    });
    // China-region differences that are not errors (ICP pending, aws-cn partition): said at synth.
    for (const note of chinaRegionNotes(deployment)) Annotations.of(api).addInfo(note);
    for (const warning of calendars.warnings)
      Annotations.of(api).addWarningV2("settlewatch:calendar-coverage", warning);
    const notifications = new NotificationsStack(app, names.notifications, {
      env,
      deployment,
      table: data.table.table,
      notificationsKey: data.notificationsKey,
      description: `settlewatch ${deployment.name}: overdue check, notice queue, notifier, ops topic`,
      terminationProtection: deployment.stage === "prod",
    });
    const settlementFiles = new SettlementFilesStack(app, names.settlementFiles, {
      env,
      deployment,
      table: data.table.table,
      bucket: data.settlementFiles.bucket,
      queue: data.settlementFiles.queue,
      noticeQueue: notifications.noticeQueue,
      description: `settlewatch ${deployment.name}: settlement-file ingest (S3 notifications via SQS)`,
      terminationProtection: deployment.stage === "prod",
    });
    const monitoring = new MonitoringStack(app, names.monitoring, {
      env,
      deployment,
      functions: {
        "ingest-confirmations": api.ingestConfirmations.function,
        "operator-api": api.operatorApi.function,
        "check-overdue": notifications.checkOverdue.function,
        notify: notifications.notify.function,
        "count-table-changes": notifications.countTableChanges.function,
        "check-calendars": notifications.checkCalendars.function,
        "ingest-settlement-file": settlementFiles.ingestSettlementFile.function,
        "distributed-ingest": settlementFiles.distributedIngest.function,
        ...(api.smsReports ? { "sms-reports": api.smsReports.function } : {}),
        ...(notifications.snsDeliveryStatusLogs
          ? { "sms-delivery-logs": notifications.snsDeliveryStatusLogs.fn.function }
          : {}),
      },
      tableStreamConsumer: notifications.countTableChanges.function,
      resources: {
        table: data.table.table,
        ingestConfirmations: api.ingestConfirmations.function,
        checkOverdue: notifications.checkOverdue.function,
        checkCalendars: notifications.checkCalendars.function,
        noticeDeadLetterQueue: notifications.deadLetterQueue,
        tableStreamFailureQueue: notifications.tableStreamFailureQueue,
        settlementFileDeadLetterQueue: data.settlementFiles.deadLetterQueue,
        distributedIngestStateMachine: settlementFiles.distributedIngestStateMachine,
      },
      facts: {
        noticeDeadLetterRetentionDays: DEAD_LETTER_RETENTION.toDays(),
        tableStreamRetryAttempts: TABLE_STREAM_RETRY_ATTEMPTS,
      },
      queues: [
        {
          name: "notices",
          queue: notifications.noticeQueue,
          deadLetterQueue: notifications.deadLetterQueue,
        },
        {
          name: "settlement-files",
          queue: data.settlementFiles.queue,
          deadLetterQueue: data.settlementFiles.deadLetterQueue,
        },
      ],
      opsTopic: notifications.opsTopic,
      description: `settlewatch ${deployment.name}: dashboard and alarms (to the ops topic)`,
      terminationProtection: deployment.stage === "prod",
    });
    for (const stack of [data, api, notifications, settlementFiles, monitoring]) {
      Tags.of(stack).add("settlewatch:deployment", deployment.name);
      Tags.of(stack).add("settlewatch:stage", deployment.stage);
    }
    return { deployment, data, api, notifications, settlementFiles, monitoring };
  });
}
