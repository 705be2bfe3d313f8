/**
 * Logical IDs of the resources that hold state. A changed logical ID makes CloudFormation create a
 * new resource and delete (or, when RETAINed, orphan) the old one: an empty table in production, a
 * key that no longer decrypts the merchant topics it encrypted, an ops topic whose confirmed email
 * subscriptions are gone. test/infra pins these.
 */
export const PINNED_LOGICAL_IDS = {
  // Data stack (all RETAINed)
  table: "SettlewatchTable",
  dataKey: "SettlewatchDataKey",
  webhookSecrets: "SettlewatchWebhookSecrets",
  /** Encrypts the notice queues, the ops topic and the merchant email topics the operator API creates. */
  notificationsKey: "SettlewatchNotificationsKey",
  // Notifications stack
  noticeQueue: "SettlewatchNoticeQueue",
  noticeDeadLetterQueue: "SettlewatchNoticeDeadLetterQueue",
  opsTopic: "SettlewatchOpsTopic",
} as const;
