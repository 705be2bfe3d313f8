import { type App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { Deployment } from "./config/deployment-schema.js";
import { ApiStack } from "./stacks/api-stack.js";
import { DataStack } from "./stacks/data-stack.js";
import { NotificationsStack } from "./stacks/notifications-stack.js";

export interface DeploymentStacks {
  readonly deployment: Deployment;
  readonly data: DataStack;
  readonly api: ApiStack;
  readonly notifications: NotificationsStack;
}

/** Stack names, so scripts and the README can name them: Settlewatch-<deployment>-Data / -Api / -Notifications. */
export const stackNames = (deployment: Pick<Deployment, "name">) => ({
  data: `Settlewatch-${deployment.name}-Data`,
  api: `Settlewatch-${deployment.name}-Api`,
  notifications: `Settlewatch-${deployment.name}-Notifications`,
});

/**
 * Adds three stacks per deployment to the app (data, then API and notifications, which both use the
 * data stack) and the cdk-nag AwsSolutions checks.
 * With cdk-nag 3 the checks run as a policy-validation plugin: an unacknowledged finding fails synth.
 */
export function addSettlewatch(app: App, deployments: readonly Deployment[]): DeploymentStacks[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return deployments.map((deployment) => {
    // Region always explicit (no lookups, right partition); account only when configured.
    const env = { region: deployment.region, ...(deployment.account ? { account: deployment.account } : {}) };
    const names = stackNames(deployment);
    const data = new DataStack(app, names.data, {
      env,
      deployment,
      description: `settlewatch ${deployment.name}: table, data key, webhook secrets (retained)`,
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
    const notifications = new NotificationsStack(app, names.notifications, {
      env,
      deployment,
      table: data.table.table,
      notificationsKey: data.notificationsKey,
      description: `settlewatch ${deployment.name}: overdue check, notice queue, notifier, ops topic and alarms`,
      terminationProtection: deployment.stage === "prod",
    });
    for (const stack of [data, api, notifications]) {
      Tags.of(stack).add("settlewatch:deployment", deployment.name);
      Tags.of(stack).add("settlewatch:stage", deployment.stage);
    }
    return { deployment, data, api, notifications };
  });
}
