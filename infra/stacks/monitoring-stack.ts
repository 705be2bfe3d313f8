import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import {
  SettlewatchMonitoring,
  type SettlewatchMonitoringProps,
} from "../constructs/monitoring/settlewatch-monitoring.js";

export interface MonitoringStackProps extends StackProps, SettlewatchMonitoringProps {}

/**
 * The dashboard and every alarm of one deployment (the other stacks build none). It only reads the other stacks (names, ARNs) and
 * nothing refers to it, so it deploys last and can be rebuilt at any time without touching data.
 */
export class MonitoringStack extends Stack {
  readonly monitoring: SettlewatchMonitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.monitoring = new SettlewatchMonitoring(this, "Monitoring", props);
    new CfnOutput(this, "DashboardName", { value: this.monitoring.dashboard.dashboardName });
  }
}
