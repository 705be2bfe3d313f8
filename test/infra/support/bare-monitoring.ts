import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Deployment } from "../../../infra/config/deployment-schema.js";
import {
  SettlewatchMonitoring,
  type SettlewatchMonitoringProps,
} from "../../../infra/constructs/monitoring/settlewatch-monitoring.js";

/**
 * The monitoring construct alone in a bare stack (no bundling, no other stacks): every watched
 * resource is one imported function, queue and state machine, so only the alarms and the dashboard
 * are under test.
 */
export function synthMonitoringAlone(
  config: Deployment,
  extras: Partial<SettlewatchMonitoringProps> = {},
  region = config.region,
): Template {
  const stack = new Stack(new App(), "M", { env: { region, account: "123456789012" } });
  const fn = lambda.Function.fromFunctionName(stack, "F", "f");
  const queue = sqs.Queue.fromQueueArn(stack, "Q", `arn:aws:sqs:${region}:123456789012:q`);
  new SettlewatchMonitoring(stack, "Monitoring", {
    deployment: config,
    functions: { f: fn },
    resources: {
      table: { tableName: "t" },
      ingestConfirmations: fn,
      checkOverdue: fn,
      checkCalendars: fn,
      noticeDeadLetterQueue: queue,
      tableStreamFailureQueue: queue,
      settlementFileDeadLetterQueue: queue,
      distributedIngestStateMachine: sfn.StateMachine.fromStateMachineName(stack, "S", "s"),
    },
    facts: { noticeDeadLetterRetentionDays: 14, tableStreamRetryAttempts: 10 },
    queues: [{ name: "q", queue, deadLetterQueue: queue }],
    opsTopic: sns.Topic.fromTopicArn(stack, "T", `arn:aws:sns:${region}:123456789012:ops`),
    ...extras,
  });
  return Template.fromStack(stack);
}
