import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  type Deployment,
  SETTLEMENT_FILE_QUEUE_RETENTION_MINUTES,
  SETTLEMENT_FILE_VISIBILITY_FACTOR,
} from "../config/deployment-schema.js";
import { acknowledgeNagFinding } from "../nag.js";
import { PINNED_LOGICAL_IDS } from "./pinned-logical-ids.js";

/** The construct ID CDK gives its singleton custom resource function for bucket notifications (aws-s3). */
const NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834";

/** Files are dropped under this prefix (`incoming/<acquirer>/[<YYYY-MM-DD>/]<file name>`); only it notifies. */
export const INCOMING_PREFIX = "incoming/";
/** The dead-letter queue keeps a file's message this long (the SQS maximum) for ops to redrive. */
export const SETTLEMENT_FILE_DEAD_LETTER_RETENTION = Duration.days(14);
/** Unfinished multipart uploads (a dropped connection) are cleaned up after this. */
export const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7);

/** The ingest function's timeout: the queue's visibility timeout is derived from it. */
export function settlementFileIngestTimeout(deployment: Deployment): Duration {
  return Duration.minutes(deployment.settlementFiles.ingest.timeoutMinutes);
}

/**
 * At least six times the function's timeout, as AWS advises for a queue feeding a Lambda function
 * (the event source may retry a throttled invocation while the message stays in flight). A run that
 * stops at its deadline hands the file back: it is resumed when this timeout expires.
 */
export function settlementFileVisibilityTimeout(deployment: Deployment): Duration {
  return Duration.minutes(
    settlementFileIngestTimeout(deployment).toMinutes() * SETTLEMENT_FILE_VISIBILITY_FACTOR,
  );
}

/**
 * Where acquirers' settlement files land and how their arrival is announced: a versioned, private,
 * KMS-encrypted bucket (TLS only) with server access logs, and S3 "object created" notifications for
 * `incoming/` into an encrypted queue with a dead-letter queue. Two customer-managed keys: one for
 * the files, one for the queues (see `queueKey`). The ingest function (its own stack)
 * consumes the queue. The queue sits here, with the bucket, because the bucket's notification
 * configuration names the queue and the queue's policy names the bucket: across two stacks that is
 * a dependency cycle.
 */
export class SettlementFileStore extends Construct {
  /** Encrypts the files (bucket default encryption). Its policy admits no AWS service. */
  readonly key: kms.Key;
  /**
   * Encrypts the notification queue and its dead-letter queue. Its policy lets S3 use it (S3
   * encrypts each notification for the queue), naming the bucket: that is why it is not the
   * bucket's key, which the bucket names (key -> bucket -> key would be a cycle).
   */
  readonly queueKey: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: { readonly deployment: Deployment }) {
    super(scope, id);
    const { deployment } = props;
    const files = deployment.settlementFiles;

    this.key = new kms.Key(this, "Key", {
      description: `settlewatch ${deployment.name}: settlement files (bucket default encryption)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queueKey = new kms.Key(this, "QueueKey", {
      description: `settlewatch ${deployment.name}: S3 notifications of settlement files (queue, dead-letter queue)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // S3-managed encryption: log delivery then needs no grant on a KMS key (a customer-managed one
    // would have to admit logging.s3.amazonaws.com). The logs hold object keys, requesters and
    // times, never file contents.
    this.accessLogs = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: "expire-access-logs",
          expiration: Duration.days(files.accessLogDays),
          abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No access logs of its own, and no cdk-nag S1 finding: cdk-nag recognizes a bucket that is
    // another bucket's access-log target (logging its own access would log every delivery).

    this.bucket = new s3.Bucket(this, "Bucket", {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket instead of a KMS call per object: cheaper, and fewer KMS throttles
      // when a batch of files arrives.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // The ingest function reads the version named in the notification, twice (hash, then records),
      // so an overwrite while it runs cannot mix two files; a resumed run reads the same bytes.
      versioned: true,
      // (A Bucket is an IBucket; CDK's optional `isWebsite` clashes with exactOptionalPropertyTypes.)
      serverAccessLogsBucket: this.accessLogs as s3.IBucket,
      serverAccessLogsPrefix: "settlement-files/",
      lifecycleRules: [
        {
          id: "expire-noncurrent-versions",
          noncurrentVersionExpiration: Duration.days(files.noncurrentVersionDays),
          abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER,
          ...(files.retentionDays === undefined ? {} : { expiration: Duration.days(files.retentionDays) }),
        },
        // Once every version of a key has expired, its delete marker is all that is left: drop it.
        { id: "remove-expired-delete-markers", expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new sqs.Queue(this, "DeadLetterQueue", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: SETTLEMENT_FILE_DEAD_LETTER_RETENTION,
    });
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      visibilityTimeout: settlementFileVisibilityTimeout(deployment),
      retentionPeriod: Duration.minutes(SETTLEMENT_FILE_QUEUE_RETENTION_MINUTES),
      // Each run that stops at its deadline (to be resumed) uses a delivery, as a failure does.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: files.ingest.maxReceiveCount },
    });

    // SqsDestination allows s3.amazonaws.com to send to the queue for this bucket only
    // (aws:SourceArn in the queue policy) and lets S3 use the queue key in its key policy (S3 must
    // encrypt each message for the KMS-encrypted queue). CDK writes the bucket's notification
    // configuration through its BucketNotificationsHandler custom resource, which breaks the
    // bucket -> queue policy -> bucket cycle a plain template would have.
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), {
      prefix: INCOMING_PREFIX,
    });
    const handler = Stack.of(this).node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
    if (!handler) throw new Error(`${this.node.path}: CDK's ${NOTIFICATIONS_HANDLER_ID} was not created`);
    acknowledgeNagFinding(
      handler,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "CDK's own BucketNotificationsHandler custom resource (it writes the bucket's notification configuration at deploy time; CDK attaches this managed policy and offers no option to leave it out). The policy only lets the function write its own CloudWatch logs; its one other permission is s3:PutBucketNotification on this bucket. It runs only during deployments, never on file traffic.",
    );

    (this.key.node.defaultChild as kms.CfnKey).overrideLogicalId(PINNED_LOGICAL_IDS.settlementFilesKey);
    (this.queueKey.node.defaultChild as kms.CfnKey).overrideLogicalId(
      PINNED_LOGICAL_IDS.settlementFileQueueKey,
    );
    (this.bucket.node.defaultChild as s3.CfnBucket).overrideLogicalId(
      PINNED_LOGICAL_IDS.settlementFilesBucket,
    );
    (this.accessLogs.node.defaultChild as s3.CfnBucket).overrideLogicalId(
      PINNED_LOGICAL_IDS.settlementFilesAccessLogsBucket,
    );
    (this.queue.node.defaultChild as sqs.CfnQueue).overrideLogicalId(PINNED_LOGICAL_IDS.settlementFileQueue);
    (this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).overrideLogicalId(
      PINNED_LOGICAL_IDS.settlementFileDeadLetterQueue,
    );
  }
}
