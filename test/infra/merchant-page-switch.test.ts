import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployments, loadDeployments } from "../../infra/config/deployments.js";
import { readValidationReport, type SynthesizedDeployment, synthesizeDeployment } from "./support/synth.js";

// merchantPage.enabled = false at synth: the API stack has no page or API function, no /m/ route, no
// sign-in secret and no page outputs; the rest of the API is unchanged and cdk-nag stays clean.

const input = deployments.find((d) => d.name === "cn-example");
if (!input) throw new Error("the cn-example deployment is missing from infra/config/deployments.ts");
const [deployment] = loadDeployments([{ ...input, merchantPage: { enabled: false } }]);

let synth: SynthesizedDeployment;
let api: Template;

beforeAll(() => {
  if (!deployment) throw new Error("no deployment");
  synth = synthesizeDeployment(deployment, { bundling: false });
  api = Template.fromStack(synth.api);
}, 300_000);
afterAll(() => synth?.cleanup());

describe("merchant page switched off (merchantPage.enabled: false)", () => {
  it("synthesizes no page or API function, no /m/ route, no sign-in secret and no page outputs", () => {
    expect(deployment?.merchantPage.enabled).toBe(false);
    expect(synth.api.merchantApi).toBeUndefined();
    expect(synth.api.merchantPage).toBeUndefined();
    const routes = Object.values(api.findResources("AWS::ApiGatewayV2::Route")).map((route) =>
      String(route.Properties.RouteKey),
    );
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((key) => key.includes("/m/"))).toEqual([]);
    const descriptions = Object.values(api.findResources("AWS::Lambda::Function")).map((fn) =>
      String(fn.Properties.Description),
    );
    expect(descriptions.some((text) => text.includes("POST /v1/confirmations"))).toBe(true);
    expect(descriptions.filter((text) => text.includes("merchant page"))).toEqual([]);
    api.resourceCountIs("AWS::SecretsManager::Secret", 0);
    expect(Object.keys(api.toJSON().Outputs ?? {}).filter((name) => name.startsWith("Merchant"))).toEqual([]);
    const stage = Object.values(api.findResources("AWS::ApiGatewayV2::Stage"))[0];
    expect(JSON.stringify(stage?.Properties.RouteSettings ?? {})).not.toContain("/m/");
  });

  it("leaves no cdk-nag error", () => {
    const nag = readValidationReport(synth.outdir).pluginReports.find((r) => r.pluginName === "AwsSolutions");
    expect(nag?.conclusion).toBe("success");
    expect(nag?.violations).toEqual([]);
  });
});
