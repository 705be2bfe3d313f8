/**
 * Logical IDs of the resources that hold state. A changed logical ID makes CloudFormation create a
 * new resource and delete (or, when RETAINed, orphan) the old one: an empty table in production, a
 * key that no longer decrypts the merchant topics it encrypted, an ops topic whose confirmed email
 * subscriptions are gone. test/infra pins these.
 */
export const PINNED_LOGICAL_IDS = {
  // Data stack (RETAINed)
  table: "SettlewatchTable",
  dataKey: "SettlewatchDataKey",
  webhookSecrets: "SettlewatchWebhookSecrets",
  /** Encrypts the notice queues, the ops topic and the merchant email topics the operator API creates. */
  notificationsKey: "SettlewatchNotificationsKey",
  /** Encrypts the settlement files (bucket default encryption). */
  settlementFilesKey: "SettlewatchSettlementFilesKey",
  /** Encrypts the settlement files' S3 notifications (queue and dead-letter queue); admits S3. */
  settlementFileQueueKey: "SettlewatchSettlementFileQueueKey",
  /** The acquirers' settlement files, versioned: files are the evidence behind every SETTLED decision. */
  settlementFilesBucket: "SettlewatchSettlementFilesBucket",
  /** Server access logs of the settlement-files bucket (who read or wrote which file). */
  settlementFilesAccessLogsBucket: "SettlewatchSettlementFilesAccessLogs",
  // Data stack, not RETAINed: the S3 notification must name a queue of the bucket's own template. A new
  // ID would drop the notifications in flight and the parked ones.
  settlementFileQueue: "SettlewatchSettlementFileQueue",
  settlementFileDeadLetterQueue: "SettlewatchSettlementFileDeadLetterQueue",
  // Notifications stack
  noticeQueue: "SettlewatchNoticeQueue",
  noticeDeadLetterQueue: "SettlewatchNoticeDeadLetterQueue",
  opsTopic: "SettlewatchOpsTopic",
  // Monitoring stack
  /**
   * The one alarm with a fixed name (`settlewatch-<deployment>-calendar-horizon`): CloudFormation
   * cannot replace a custom-named resource, so a new logical ID would fail the deploy.
   */
  calendarHorizonAlarm: "SettlewatchCalendarHorizonAlarm",
} as const;
