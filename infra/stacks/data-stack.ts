import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { Deployment } from "../config/deployment-schema.js";
import { PINNED_LOGICAL_IDS, SettlewatchTable } from "../constructs/settlewatch-table.js";
import { acknowledgeNagFinding } from "../nag.js";

export interface DataStackProps extends StackProps {
  readonly deployment: Deployment;
}

/**
 * What must outlive any deploy: the table, its key and the webhook secret. Everything here is
 * RETAINed and has a pinned logical ID; the API stack can be destroyed and rebuilt freely.
 */
export class DataStack extends Stack {
  readonly dataKey: kms.Key;
  readonly table: SettlewatchTable;
  readonly webhookSecrets: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { deployment } = props;

    // One customer-managed key for the deployment's data at rest: the table and the webhook secret
    // now; the settlement-file bucket and the notification queue later.
    this.dataKey = new kms.Key(this, "DataKey", {
      description: `settlewatch ${deployment.name}: data at rest (table, webhook secrets)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.dataKey.node.defaultChild as kms.CfnKey).overrideLogicalId(PINNED_LOGICAL_IDS.dataKey);

    this.table = new SettlewatchTable(this, "Table", { encryptionKey: this.dataKey });

    this.webhookSecrets = new secretsmanager.Secret(this, "WebhookSecrets", {
      secretName: deployment.webhookSecretName,
      description: `settlewatch ${deployment.name}: webhook signing secrets, {"<acquirer>": ["current", "previous"]} for ${deployment.acquirers.map((a) => a.id).join(", ")}`,
      encryptionKey: this.dataKey,
      // A valid but useless value until ops put the real one: every webhook is rejected (401), none is
      // accepted unsigned. The template never changes, so CloudFormation never regenerates the value.
      generateSecretString: {
        secretStringTemplate: "{}",
        generateStringKey: "placeholder-not-an-acquirer",
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.webhookSecrets.node.defaultChild as secretsmanager.CfnSecret).overrideLogicalId(
      PINNED_LOGICAL_IDS.webhookSecrets,
    );
    acknowledgeNagFinding(
      this.webhookSecrets,
      "AwsSolutions-SMG4",
      "Webhook signing secrets are shared with the acquirers, so no Lambda can rotate them alone: rotation is a coordinated runbook (add the new secret next to the old one, switch the acquirer, drop the old one), which the JSON list of secrets per acquirer supports without downtime.",
    );

    new CfnOutput(this, "TableName", { value: this.table.table.tableName });
    new CfnOutput(this, "WebhookSecretsName", { value: deployment.webhookSecretName });
    new CfnOutput(this, "WebhookSecretsArn", { value: this.webhookSecrets.secretArn });
  }
}
