import { join } from "node:path";
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { merchantPageEnvSchema } from "../../functions/shared/env.js";
import { writeMerchantPage } from "../../web/build-merchant-page.js";
import { acknowledgeNagFinding } from "../nag.js";
import { SettlewatchFunction } from "./settlewatch-function.js";

export interface MerchantPageProps {
  readonly deploymentName: string;
  /** The HTTP API whose /m/api/ routes the page calls: same origin, so no CORS and a SameSite=Strict cookie. */
  readonly httpApi: apigwv2.HttpApi;
  readonly logRetention: logs.RetentionDays;
}

/** The directory, beside the function's index.mjs, that the page's files are built into. */
export const MERCHANT_PAGE_BUNDLE_DIR = "merchant-page";

/** Builds the page into a function bundle, beside its index.mjs (at synth, in this process). */
export function addMerchantPageToBundle(outputDir: string): void {
  writeMerchantPage(join(outputDir, MERCHANT_PAGE_BUNDLE_DIR));
}

/**
 * The merchant page at /m/ on the existing HTTP API: a small function whose bundle carries the
 * page's three files (built by web/build-merchant-page.ts at synth), served with the page's
 * Content-Security-Policy and cache headers (functions/http/merchant-page.ts). Why not S3 +
 * CloudFront: docs/design.md, "The merchant page".
 */
export class MerchantPage extends Construct {
  readonly function: SettlewatchFunction<typeof merchantPageEnvSchema>;

  constructor(scope: Construct, id: string, props: MerchantPageProps) {
    super(scope, id);
    this.function = new SettlewatchFunction(this, "Function", {
      entry: "functions/handlers/merchant-page.handler.ts",
      description: `settlewatch ${props.deploymentName}: the merchant page (GET /m/ and its files)`,
      envSchema: merchantPageEnvSchema,
      environment: {
        DEPLOYMENT: props.deploymentName,
        POWERTOOLS_SERVICE_NAME: "settlewatch",
        POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
      },
      logRetention: props.logRetention,
      memorySize: 256,
      afterBundling: addMerchantPageToBundle,
    });
    const integration = new HttpLambdaIntegration("MerchantPage", this.function.function);
    // API Gateway routes /m and /m/ alike; /m/{file} is the hashed script and style sheet.
    const routes = props.httpApi.addRoutes({ path: "/m", methods: [HttpMethod.GET], integration });
    routes.push(...props.httpApi.addRoutes({ path: "/m/{file}", methods: [HttpMethod.GET], integration }));
    for (const route of routes) {
      acknowledgeNagFinding(
        route,
        "AwsSolutions-APIG4",
        "The merchant page's HTML, script and style sheet are public by design (a phone opens them before signing in) and hold no data; every data route under /m/api/ checks the merchant's session cookie.",
      );
    }
  }
}
