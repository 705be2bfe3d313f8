import type { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentInput } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { addSettlewatch, type DeploymentStacks } from "../../infra/settlewatch-app.js";
import { ALIYUN_TEST_SETTINGS } from "./support/sms-fixtures.js";
import { stackMessages, testApp } from "./support/synth.js";

// What differs in the AWS China regions for the services the stacks use, said at synth. No
// bundling: only the templates and the synth annotations are under test.

const ALIYUN = ALIYUN_TEST_SETTINGS;
const base: DeploymentInput = {
  name: "cn-test",
  region: "cn-northwest-1",
  stage: "dev",
  acquirers: [{ id: "wechatpay", name: "WeChat Pay" }],
  webhookSecretName: "settlewatch/cn-test/webhook-secrets",
  defaultMerchantTerms: { timeZone: "Asia/Shanghai", calendar: "CN", settlement: { cycle: "T+1" } },
  calendarOverridesParameter: "/settlewatch/cn-test/calendar-overrides",
  icpRecordal: { licence: "宁ICP备12345678号" },
  sms: { provider: "aliyun", aliyun: ALIYUN },
};

function synthesize(input: DeploymentInput): { app: App; stacks: DeploymentStacks; cleanup: () => void } {
  const { app, cleanup } = testApp({ "aws:cdk:bundling-stacks": [] });
  const [stacks] = addSettlewatch(app, loadDeployments([input]));
  if (!stacks) throw new Error("no stacks");
  app.synth();
  return { app, stacks, cleanup };
}

const tracingOf = (stacks: DeploymentStacks) => {
  const resources = Template.fromStack(stacks.api).toJSON().Resources as Record<
    string,
    { Type: string; Properties: { Description?: string; TracingConfig?: unknown } }
  >;
  return Object.values(resources)
    .filter((r) => r.Type === "AWS::Lambda::Function" && r.Properties.Description?.startsWith("settlewatch"))
    .map((r) => r.Properties.TracingConfig);
};
const infos = (stacks: DeploymentStacks) => stackMessages(stacks.api, "info");

describe("China-region differences at synth", () => {
  let china: ReturnType<typeof synthesize>;
  let singapore: ReturnType<typeof synthesize>;
  beforeAll(() => {
    china = synthesize(base);
    singapore = synthesize({
      ...base,
      name: "sg-test",
      region: "ap-southeast-1",
      icpRecordal: undefined,
      sms: {},
      defaultMerchantTerms: { timeZone: "Asia/Singapore", calendar: "SG", settlement: { cycle: "T+1" } },
    });
  }, 600_000);
  afterAll(() => {
    china?.cleanup();
    singapore?.cleanup();
  });

  it("Lambda X-Ray: the API functions are traced elsewhere, untraced in a China region, and synth says why", () => {
    // Ingest, operator API and merchant API are traced; the merchant page's function only serves
    // static files from its bundle and is never traced.
    const active = { Mode: "Active" };
    expect(tracingOf(singapore.stacks)).toEqual([active, active, active, undefined]);
    expect(tracingOf(china.stacks)).toEqual([undefined, undefined, undefined, undefined]);
    expect(infos(china.stacks)).toContainEqual(
      expect.stringContaining(
        "cn-northwest-1: Lambda has no X-Ray integration in the China regions, so the API functions are deployed without active tracing",
      ),
    );
  });

  it("names SQS redrive's absence with the manual alternative, the runtime check, the partition and the SMS provider", () => {
    const notes = infos(china.stacks);
    expect(notes).toContainEqual(
      expect.stringContaining(
        'cn-northwest-1: SQS dead-letter-queue redrive (console "Start DLQ redrive", StartMessageMoveTask) is not available in the China regions',
      ),
    );
    expect(notes).toContainEqual(expect.stringContaining("receive-message / send-message / delete-message"));
    expect(notes).toContainEqual(
      expect.stringContaining("check that nodejs24.x is offered in cn-northwest-1"),
    );
    expect(notes).toContainEqual(expect.stringContaining("ARNs use the aws-cn partition"));
    expect(notes).toContainEqual(expect.stringContaining("merchant SMS go through a mainland provider"));
    // Every IAM statement built from the partition, never a literal commercial ARN.
    for (const stack of [china.stacks.api, china.stacks.notifications, china.stacks.data])
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain("arn:aws:");
    expect(infos(singapore.stacks).filter((note) => note.includes("China regions"))).toEqual([]);
  });
});
