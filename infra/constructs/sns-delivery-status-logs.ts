import { Duration, Stack } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import { LambdaDestination } from "aws-cdk-lib/aws-logs-destinations";
import { Construct } from "constructs";
import { smsDeliveryLogsEnvSchema } from "../../functions/shared/env.js";
import type { Deployment } from "../config/deployment-schema.js";
import { type BindableTable, SettlewatchFunction } from "./settlewatch-function.js";

/**
 * The log groups SNS writes SMS delivery status to once the account's SMS delivery-status logging
 * is on (SetSMSAttributes DeliveryStatusIAMRole / DeliveryStatusSuccessSamplingRate): successes and
 * failures. SNS creates them at the first logged text; they are the account's, never the stack's.
 */
export function snsSmsStatusLogGroupNames(stack: Stack): string[] {
  const base = `sns/${stack.region}/${stack.account}/DirectPublishToPhoneNumber`;
  return [base, `${base}/Failure`];
}

/** SNS SMS delivery-status logs → a subscription filter on each log group → the sms-delivery-logs function. */
export class SnsDeliveryStatusLogs extends Construct {
  readonly fn: SettlewatchFunction<typeof smsDeliveryLogsEnvSchema>;

  constructor(
    scope: Construct,
    id: string,
    props: { deployment: Deployment; table: BindableTable; logRetention: logs.RetentionDays },
  ) {
    super(scope, id);
    const { deployment } = props;
    this.fn = new SettlewatchFunction(this, "Function", {
      entry: "functions/handlers/sms-delivery-logs.handler.ts",
      description: `settlewatch ${deployment.name}: SNS SMS delivery-status logs → DELIVERED / FAILED on notices`,
      envSchema: smsDeliveryLogsEnvSchema,
      environment: {
        DEPLOYMENT: deployment.name,
        DUE_SHARDS: String(deployment.dueShards),
        POWERTOOLS_SERVICE_NAME: "settlewatch",
        POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
      },
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
    }).bindTable(props.table, "RW");
    snsSmsStatusLogGroupNames(Stack.of(this)).forEach((name, index) => {
      new logs.SubscriptionFilter(this, `Subscription${index}`, {
        logGroup: logs.LogGroup.fromLogGroupName(this, `LogGroup${index}`, name),
        destination: new LambdaDestination(this.fn.function),
        filterPattern: logs.FilterPattern.allEvents(),
      });
    });
  }
}
