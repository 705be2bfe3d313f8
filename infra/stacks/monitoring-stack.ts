import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { Deployment } from "../config/deployment-schema.js";
import {
  type MonitoredQueue,
  SettlewatchMonitoring,
} from "../constructs/monitoring/settlewatch-monitoring.js";

export interface MonitoringStackProps extends StackProps {
  readonly deployment: Deployment;
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly ingestFunction: lambda.IFunction;
  readonly table: { readonly tableName: string };
  readonly queues: readonly MonitoredQueue[];
  readonly opsTopic: sns.ITopic;
  readonly existingAlarms?: readonly cloudwatch.IAlarm[];
  readonly tableStreamConsumer?: lambda.IFunction;
}

/**
 * The dashboard and the alarms of one deployment. It only reads the other stacks (names, ARNs) and
 * nothing refers to it, so it deploys last and can be rebuilt at any time without touching data.
 */
export class MonitoringStack extends Stack {
  readonly monitoring: SettlewatchMonitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { deployment, ...rest } = props;
    this.monitoring = new SettlewatchMonitoring(this, "Monitoring", { deployment, ...rest });
    new CfnOutput(this, "DashboardName", { value: this.monitoring.dashboard.dashboardName });
  }
}
