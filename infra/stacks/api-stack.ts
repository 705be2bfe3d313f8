import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { ingestConfirmationsEnvSchema, operatorApiEnvSchema } from "../../functions/shared/env.js";
import { lambdaActiveTracingAvailable } from "../config/china-regions.js";
import { type Deployment, merchantEmailTopicPrefix } from "../config/deployment-schema.js";
import { smsEnvironment, usedSmsProviders } from "../config/sms-deployment.js";
import {
  type BindableSecret,
  type BindableTable,
  SETTLEMENT_STORE_INDEXES,
  SettlewatchFunction,
} from "../constructs/settlewatch-function.js";
import { acknowledgeNagFinding } from "../nag.js";

export interface ApiStackProps extends StackProps {
  readonly deployment: Deployment;
  readonly table: BindableTable;
  readonly webhookSecrets: BindableSecret;
  /** The key merchant email topics are created with (the data stack's notifications key). */
  readonly notificationsKey: kms.IKey;
}

/** The HTTP API and the functions behind it. Stateless: safe to destroy and redeploy. */
export class ApiStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly ingestConfirmations: SettlewatchFunction<typeof ingestConfirmationsEnvSchema>;
  readonly operatorApi: SettlewatchFunction<typeof operatorApiEnvSchema>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    const logRetention = deployment.logRetentionDays as logs.RetentionDays;
    const common = {
      DEPLOYMENT: deployment.name,
      DUE_SHARDS: String(deployment.dueShards),
      DEFAULT_MERCHANT_TERMS: JSON.stringify(deployment.defaultMerchantTerms),
      INPUT_LIMITS: JSON.stringify(deployment.inputLimits),
      POWERTOOLS_SERVICE_NAME: "settlewatch",
      POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
    };

    this.ingestConfirmations = new SettlewatchFunction(this, "IngestConfirmations", {
      entry: "functions/handlers/ingest-confirmations.handler.ts",
      description: `settlewatch ${deployment.name}: POST /v1/confirmations (signed webhooks)`,
      envSchema: ingestConfirmationsEnvSchema,
      environment: common,
      logRetention,
      tracing: lambdaActiveTracingAvailable(deployment.region),
    })
      // A confirmation also settles the settlement lines that arrived before it (settlement store).
      .bindTable(props.table, "RW", { indexes: SETTLEMENT_STORE_INDEXES })
      .bindSecret("WEBHOOK_SECRETS_ID", props.webhookSecrets)
      .bindParameter("CALENDAR_OVERRIDES_PARAMETER", deployment.calendarOverridesParameter);

    this.operatorApi = new SettlewatchFunction(this, "OperatorApi", {
      entry: "functions/handlers/operator-api.handler.ts",
      description: `settlewatch ${deployment.name}: operator routes (merchants, payments, settlement files)`,
      envSchema: operatorApiEnvSchema,
      // With a mainland provider, registration refuses numbers no configured provider covers.
      environment: {
        ...common,
        ...(usedSmsProviders(deployment.region, deployment.sms).some((id) => id !== "sns")
          ? { SMS_ROUTING: smsEnvironment(deployment).SMS_ROUTING }
          : {}),
      },
      logRetention,
      tracing: lambdaActiveTracingAvailable(deployment.region),
    })
      // The settlement-file report reads FILE# items; the route shares the settlement store.
      .bindTable(props.table, "RW", { indexes: SETTLEMENT_STORE_INDEXES })
      .bindParameter("CALENDAR_OVERRIDES_PARAMETER", deployment.calendarOverridesParameter)
      // Registering a merchant creates its email topic and subscribes the merchant's address.
      .bindMerchantEmailTopics(
        { prefix: merchantEmailTopicPrefix(deployment), key: props.notificationsKey },
        "register",
      );

    this.api = new apigwv2.HttpApi(this, "HttpApi", {
      description: `settlewatch ${deployment.name}: confirmations webhook and operator API`,
      createDefaultStage: false,
    });

    const accessLogs = new logs.LogGroup(this, "AccessLogs", { retention: logRetention });
    this.stage = new apigwv2.HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      autoDeploy: true,
      throttle: deployment.api.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            requestTime: "$context.requestTime",
            routeKey: "$context.routeKey",
            status: "$context.status",
            sourceIp: "$context.identity.sourceIp",
            caller: "$context.identity.userArn",
            userAgent: "$context.identity.userAgent",
            requestLength: "$context.requestLength",
            responseLength: "$context.responseLength",
            latencyMs: "$context.responseLatency",
            integrationLatencyMs: "$context.integration.latency",
            integrationStatus: "$context.integration.status",
            integrationError: "$context.integrationErrorMessage",
            error: "$context.error.message",
          }),
        ),
      },
    });

    // Body size: HTTP APIs accept up to 10 MB and Lambda 6 MB; the handler enforces its own, smaller limit.
    const [webhookRoute] = this.api.addRoutes({
      path: "/v1/confirmations",
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration("IngestConfirmations", this.ingestConfirmations.function),
    });
    if (webhookRoute) {
      acknowledgeNagFinding(
        webhookRoute,
        "AwsSolutions-APIG4",
        "Acquirers and gateways cannot sign requests with AWS credentials. The route is public by design; the ingest function verifies every request's HMAC signature (Secrets Manager secret per acquirer, timestamp tolerance) before anything is stored.",
      );
    }

    const operatorIntegration = new HttpLambdaIntegration("OperatorApi", this.operatorApi.function);
    const iam = new HttpIamAuthorizer();
    this.api.addRoutes({
      path: "/v1/merchants/{merchantId}",
      methods: [apigwv2.HttpMethod.PUT, apigwv2.HttpMethod.GET],
      integration: operatorIntegration,
      authorizer: iam,
    });
    this.api.addRoutes({
      path: "/v1/payments/{acquirer}/{paymentId}",
      methods: [apigwv2.HttpMethod.GET],
      integration: operatorIntegration,
      authorizer: iam,
    });
    // A settlement file's report (status, progress, counts), by file id (the sha256 of its bytes).
    this.api.addRoutes({
      path: "/v1/settlement-files/{fileId}",
      methods: [apigwv2.HttpMethod.GET],
      integration: operatorIntegration,
      authorizer: iam,
    });

    new CfnOutput(this, "ApiUrl", { value: this.stage.url });
    new CfnOutput(this, "WebhookUrl", { value: `${this.stage.url}v1/confirmations` });
    new CfnOutput(this, "IngestConfirmationsLogGroup", {
      value: this.ingestConfirmations.logGroup.logGroupName,
    });
    new CfnOutput(this, "OperatorApiLogGroup", { value: this.operatorApi.logGroup.logGroupName });
  }
}
