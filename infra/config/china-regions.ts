import { isChinaRegion } from "./sms-deployment.js";

// What differs in the AWS China regions (cn-north-1 Beijing, cn-northwest-1 Ningxia) for the
// services these stacks use, checked at synth so it fails there, not half-way through a deploy.
// SNS SMS is checked with the SMS settings (sms-deployment.ts).

/** Problems of a China-region deployment, as [path, message] pairs; none elsewhere. */
export function chinaRegionProblems(deployment: {
  readonly region: string;
  readonly icpRecordal?: unknown;
}): Array<[string[], string]> {
  if (!isChinaRegion(deployment.region)) return [];
  const problems: Array<[string[], string]> = [];
  if (deployment.icpRecordal === undefined) {
    problems.push([
      ["icpRecordal"],
      `${deployment.region} is an AWS China region: API Gateway there answers routes without AWS authentication (the acquirers' HMAC-signed webhook POST /v1/confirmations) with 403 unless the account has an ICP recordal (ICP 备案, filed with the MIIT through the account's ICP service provider, per region, before any custom domain). Set icpRecordal to { licence: "<your ICP number>" } once filed, or { pending: true } to deploy knowing the webhook is refused until then.`,
    ]);
  }
  return problems;
}

/**
 * Whether Lambda's active X-Ray tracing may be turned on: "Amazon X-Ray integration with Lambda
 * functions is not available in the China Regions" (Getting Started with AWS in China, Lambda).
 */
export function lambdaActiveTracingAvailable(region: string): boolean {
  return !isChinaRegion(region);
}

/** Notes synth prints for a China-region deployment (warnings, not errors). */
export function chinaRegionNotes(deployment: {
  readonly region: string;
  readonly icpRecordal?: unknown;
}): string[] {
  if (!isChinaRegion(deployment.region)) return [];
  const notes = [
    `${deployment.region}: ARNs use the aws-cn partition and service endpoints end in amazonaws.com.cn; IAM policies here are built from the stack's partition, never a literal "arn:aws:".`,
    `${deployment.region}: merchant SMS go through a mainland provider (Amazon SNS has no SMS in the China regions); email notices still use SNS topics.`,
    `${deployment.region}: Lambda has no X-Ray integration in the China regions, so the API functions are deployed without active tracing (elsewhere they are traced); follow a request through its structured logs (requestId, noticeId) and the dashboard's metrics instead.`,
    `${deployment.region}: SQS dead-letter-queue redrive (console "Start DLQ redrive", StartMessageMoveTask) is not available in the China regions; after fixing the cause of a dead-letter alarm, move the messages back with receive-message / send-message / delete-message (docs/operations.md, "Redrive in the China regions").`,
    `${deployment.region}: Lambda runtimes reach the China regions on their own schedule (AWS's runtime release dates do not apply there): check that nodejs24.x is offered in ${deployment.region} before the first deploy.`,
  ];
  const icp = deployment.icpRecordal as { pending?: true } | undefined;
  if (icp?.pending) {
    notes.push(
      `${deployment.region}: icpRecordal is pending: the webhook route (no AWS authentication) answers 403 until the account's ICP recordal is done; IAM-authorized operator routes work.`,
    );
  }
  return notes;
}
