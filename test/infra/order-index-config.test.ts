import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentInput } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { addSettlewatch } from "../../infra/settlewatch-app.js";
import { testApp } from "./support/synth.js";

// `acquirers[].matchByOrderNumber: false` reaches the functions that store confirmed payments as
// ACQUIRERS_WITHOUT_ORDER_INDEX. Templates only (no bundling).
const input: DeploymentInput = {
  name: "test-order-index",
  region: "ap-southeast-1",
  stage: "dev",
  acquirers: [
    { id: "card", name: "Card acquirer" },
    { id: "qr-lean", name: "QR acquirer", matchByOrderNumber: false },
  ],
  webhookSecretName: "settlewatch/test-order-index/webhook-secrets",
  defaultMerchantTerms: { timeZone: "Asia/Singapore", calendar: "SG", settlement: { cycle: "T+1" } },
  calendarOverridesParameter: "/settlewatch/test-order-index/calendar-overrides",
};

type Resource = { Type: string; Properties: Record<string, unknown> };
const variablesOf = (template: Template, description: string) => {
  const fn = Object.values(template.toJSON().Resources as Record<string, Resource>).find(
    (r) => r.Type === "AWS::Lambda::Function" && String(r.Properties.Description).includes(description),
  );
  if (!fn) throw new Error(`no function "${description}" in the template`);
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};

describe("matchByOrderNumber in a deployment", () => {
  let api: Template;
  let cleanup = () => {};
  beforeAll(() => {
    const synth = testApp({ "aws:cdk:bundling-stacks": [] });
    cleanup = synth.cleanup;
    const [stacks] = addSettlewatch(synth.app, loadDeployments([input]));
    if (!stacks) throw new Error("no stacks");
    synth.app.synth();
    api = Template.fromStack(stacks.api);
  }, 60_000);
  afterAll(() => cleanup());

  it("lists the acquirers that switched it off for the webhook and the operator API, and defaults to on", () => {
    for (const description of ["POST /v1/confirmations", "operator routes"]) {
      expect(variablesOf(api, description).ACQUIRERS_WITHOUT_ORDER_INDEX).toBe('["qr-lean"]');
    }
    const [deployment] = loadDeployments([input]);
    expect(deployment?.acquirers.map((acquirer) => acquirer.matchByOrderNumber)).toEqual([true, false]);
  });

  it("refuses a value that is not a boolean, naming the field", () => {
    const bad = { ...input, acquirers: [{ id: "card", name: "Card", matchByOrderNumber: "no" }] };
    expect(() => loadDeployments([bad as unknown as DeploymentInput])).toThrow(/matchByOrderNumber/);
  });
});
