import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * Acknowledges one cdk-nag AwsSolutions finding on `scope` and everything under it, with the reason.
 *
 * The "AwsSolutions::" prefix makes CDK's validation framework (not cdk-nag itself) apply the
 * acknowledgment, so each one is listed with its reason under `suppressedViolations` in
 * cdk.out/validation-report.json, and an acknowledgment that no longer matches anything shows up
 * as missing there (test/infra checks the list).
 *
 * @param rule a rule id, optionally with a finding: "AwsSolutions-APIG4", "AwsSolutions-IAM5[Resource::*]"
 */
export function acknowledgeNagFinding(
  scope: IConstruct,
  rule: `AwsSolutions-${string}`,
  reason: string,
): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${rule}`, reason });
}
