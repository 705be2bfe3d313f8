import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { Deployment } from "../config/deployment-schema.js";
import { PINNED_LOGICAL_IDS } from "../constructs/pinned-logical-ids.js";
import { SettlementFileStore } from "../constructs/settlement-file-store.js";
import { SettlewatchTable } from "../constructs/settlewatch-table.js";
import { acknowledgeNagFinding } from "../nag.js";

export interface DataStackProps extends StackProps {
  readonly deployment: Deployment;
}

/**
 * What must outlive any deploy: the table, its key, the webhook secret, the notifications key, and
 * the settlement files (bucket, access logs, their key). These are RETAINed; they and the settlement
 * file queues (here because the bucket's notification must name a queue of its own template) have
 * pinned logical IDs. The API, notifications and settlement-file stacks can be destroyed and rebuilt
 * freely.
 */
export class DataStack extends Stack {
  readonly dataKey: kms.Key;
  readonly notificationsKey: kms.Key;
  readonly table: SettlewatchTable;
  readonly webhookSecrets: secretsmanager.Secret;
  readonly settlementFiles: SettlementFileStore;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { deployment } = props;

    // One customer-managed key for the table and the webhook secret; its policy admits no AWS
    // service. Notifications and settlement files have their own keys (below).
    this.dataKey = new kms.Key(this, "DataKey", {
      description: `settlewatch ${deployment.name}: data at rest (table, webhook secrets)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.dataKey.node.defaultChild as kms.CfnKey).overrideLogicalId(PINNED_LOGICAL_IDS.dataKey);

    this.table = new SettlewatchTable(this, "Table", { encryptionKey: this.dataKey });

    // The notice queues, the ops topic and the merchant email topics. Its own key, and kept here,
    // because (1) the operator API creates a topic per merchant at run time, encrypted with it, so the
    // key must outlive every stateless stack, and (2) its policy admits CloudWatch (alarms publish to
    // the encrypted ops topic), which the key of the table and secrets should not.
    this.notificationsKey = new kms.Key(this, "NotificationsKey", {
      description: `settlewatch ${deployment.name}: notice queues, ops topic, merchant email topics`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.notificationsKey.node.defaultChild as kms.CfnKey).overrideLogicalId(
      PINNED_LOGICAL_IDS.notificationsKey,
    );
    // CloudWatch alarms cannot publish to a topic encrypted with a key whose policy does not let
    // CloudWatch use it (the AWS-managed alias/aws/sns key cannot be used for that at all).
    this.notificationsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchAlarmsPublishToEncryptedTopics",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );

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

    // Keys of their own rather than the data key: whoever uploads or reads files is granted the
    // files key, never the key of the table and the webhook secrets; and S3 must encrypt
    // notification messages for the KMS-encrypted queue, so the queue key's policy admits
    // s3.amazonaws.com, which the data key's policy should not.
    this.settlementFiles = new SettlementFileStore(this, "SettlementFiles", { deployment });

    new CfnOutput(this, "TableName", { value: this.table.table.tableName });
    new CfnOutput(this, "WebhookSecretsName", { value: deployment.webhookSecretName });
    new CfnOutput(this, "WebhookSecretsArn", { value: this.webhookSecrets.secretArn });
    new CfnOutput(this, "NotificationsKeyArn", { value: this.notificationsKey.keyArn });
    new CfnOutput(this, "SettlementBucketName", { value: this.settlementFiles.bucket.bucketName });
    new CfnOutput(this, "SettlementFilesKeyArn", { value: this.settlementFiles.key.keyArn });
    new CfnOutput(this, "SettlementAccessLogsBucketName", {
      value: this.settlementFiles.accessLogs.bucketName,
    });
    new CfnOutput(this, "SettlementFileDeadLetterQueueUrl", {
      value: this.settlementFiles.deadLetterQueue.queueUrl,
    });
  }
}
