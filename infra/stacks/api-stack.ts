import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import {
  ingestConfirmationsEnvSchema,
  merchantApiEnvSchema,
  operatorApiEnvSchema,
  smsReportsEnvSchema,
} from "../../functions/shared/env.js";
import { AMOUNT_INDEX, MERCHANT_OPEN_INDEX } from "../../functions/shared/table-schema.js";
import { lambdaActiveTracingAvailable } from "../config/china-regions.js";
import { type Deployment, merchantEmailTopicPrefix } from "../config/deployment-schema.js";
import {
  deliveryReportSettings,
  smsEnvironment,
  smsSecretNames,
  usedSmsProviders,
} from "../config/sms-deployment.js";
import { MerchantPage } from "../constructs/merchant-page.js";
import {
  type BindableSecret,
  type BindableTable,
  SETTLEMENT_STORE_INDEXES,
  SettlewatchFunction,
} from "../constructs/settlewatch-function.js";
import { acknowledgeNagFinding } from "../nag.js";
import { checkEnvironment } from "./notifications-stack.js";

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
  /** SMS delivery-report callbacks; only where sms.deliveryReports.tokenSecretName is set. */
  readonly smsReports: SettlewatchFunction<typeof smsReportsEnvSchema> | undefined;
  /** The merchant page and its API; absent where the deployment switched the page off (merchantPage.enabled). */
  readonly merchantApi: SettlewatchFunction<typeof merchantApiEnvSchema> | undefined;
  readonly merchantPage: MerchantPage | undefined;

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

    // The functions that store confirmed payments file them by order number unless the acquirer says not to.
    const paymentFiling = {
      ACQUIRERS_WITHOUT_ORDER_INDEX: JSON.stringify(
        deployment.acquirers
          .filter((acquirer) => !acquirer.matchByOrderNumber)
          .map((acquirer) => acquirer.id),
      ),
    };

    this.ingestConfirmations = new SettlewatchFunction(this, "IngestConfirmations", {
      entry: "functions/handlers/ingest-confirmations.handler.ts",
      description: `settlewatch ${deployment.name}: POST /v1/confirmations (signed webhooks)`,
      envSchema: ingestConfirmationsEnvSchema,
      environment: { ...common, ...paymentFiling },
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
        ...paymentFiling,
        ...(usedSmsProviders(deployment.region, deployment.sms).some((id) => id !== "sns")
          ? { SMS_ROUTING: smsEnvironment(deployment).SMS_ROUTING }
          : {}),
      },
      logRetention,
      tracing: lambdaActiveTracingAvailable(deployment.region),
    })
      // The settlement-file report reads FILE# items; the route shares the settlement store. A
      // profile whose number changed drops the old number's sign-in link (MPHONE# items only).
      .bindTable(props.table, "RW", { indexes: SETTLEMENT_STORE_INDEXES, deletablePartitions: ["MPHONE#*"] })
      .bindParameter("CALENDAR_OVERRIDES_PARAMETER", deployment.calendarOverridesParameter)
      // Registering a merchant creates its email topic and subscribes the merchant's address.
      .bindMerchantEmailTopics(
        { prefix: merchantEmailTopicPrefix(deployment), key: props.notificationsKey },
        "register",
      );

    this.merchantApi = deployment.merchantPage.enabled
      ? this.merchantApiFunction(props, common, logRetention)
      : undefined;

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

    this.smsReports = this.addSmsReportsRoute(deployment, props.table, logRetention);
    if (this.merchantApi) {
      this.addMerchantRoutes(deployment, this.merchantApi);
      this.merchantPage = new MerchantPage(this, "MerchantPage", {
        deploymentName: deployment.name,
        httpApi: this.api,
        logRetention,
      });
      new CfnOutput(this, "MerchantPageUrl", { value: `${this.stage.url}m/` });
      new CfnOutput(this, "MerchantApiUrl", { value: `${this.stage.url}m/api/` });
    }

    new CfnOutput(this, "ApiUrl", { value: this.stage.url });
    new CfnOutput(this, "WebhookUrl", { value: `${this.stage.url}v1/confirmations` });
    new CfnOutput(this, "IngestConfirmationsLogGroup", {
      value: this.ingestConfirmations.logGroup.logGroupName,
    });
    new CfnOutput(this, "OperatorApiLogGroup", { value: this.operatorApi.logGroup.logGroupName });
  }

  /** The merchant page's API function: the table (codes, sessions, the amount index), SMS like the notifier. */
  private merchantApiFunction(
    props: ApiStackProps,
    common: {
      DEPLOYMENT: string;
      DUE_SHARDS: string;
      DEFAULT_MERCHANT_TERMS: string;
      INPUT_LIMITS: string;
      POWERTOOLS_SERVICE_NAME: string;
      POWERTOOLS_METRICS_NAMESPACE: string;
    },
    logRetention: logs.RetentionDays,
  ): SettlewatchFunction<typeof merchantApiEnvSchema> {
    const { deployment } = props;
    // The HMAC key of the sign-in codes. Rotating it only voids the codes of the last 5 minutes.
    const signInSecret = new secretsmanager.Secret(this, "SignInSecret", {
      description: `settlewatch ${deployment.name}: HMAC key of the merchant page's one-time sign-in codes`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeNagFinding(
      signInSecret,
      "AwsSolutions-SMG4",
      "The sign-in secret only keys the hashes of one-time codes that live 5 minutes; replacing it (a redeploy with a new value, or a manual PutSecretValue) voids at most the codes in flight and signs nobody out, so no rotation Lambda is kept for it.",
    );
    const mainland = usedSmsProviders(deployment.region, deployment.sms).some((id) => id !== "sns");
    const fn = new SettlewatchFunction(this, "MerchantApi", {
      entry: "functions/handlers/merchant-api.handler.ts",
      description: `settlewatch ${deployment.name}: the merchant page's API (/m/api/…)`,
      envSchema: merchantApiEnvSchema,
      environment: {
        ...common,
        MERCHANT_PAGE: JSON.stringify(deployment.merchantPage),
        ACQUIRER_CONTACTS: checkEnvironment(deployment).ACQUIRER_CONTACTS,
        ...(deployment.sms.senderId ? { SMS_SENDER_ID: deployment.sms.senderId } : {}),
        ...(deployment.sms.maxPriceUsd ? { SMS_MAX_PRICE_USD: deployment.sms.maxPriceUsd } : {}),
        ...(mainland ? smsEnvironment(deployment) : {}),
      },
      logRetention,
      tracing: lambdaActiveTracingAvailable(deployment.region),
    })
      // Sign-out deletes its session item (MSESSION# only); codes and quotas expire by TTL.
      .bindTable(props.table, "RW", {
        indexes: [AMOUNT_INDEX.name, MERCHANT_OPEN_INDEX.name],
        deletablePartitions: ["MSESSION#*"],
      })
      .bindSecret("SIGN_IN_SECRET_ID", signInSecret)
      // Which trade dates can still hold PENDING payments depends on the merchant's calendar.
      .bindParameter("CALENDAR_OVERRIDES_PARAMETER", deployment.calendarOverridesParameter);
    if (usedSmsProviders(deployment.region, deployment.sms).includes("sns")) fn.allowSmsToPhoneNumbers();
    for (const name of smsSecretNames(deployment)) fn.allowSecretByName(name);
    // The real-time check with WeChat Pay / Alipay reads each configured platform's credentials.
    const platformCheck = deployment.merchantPage.platformCheck;
    for (const name of [platformCheck?.wechatpay?.secretName, platformCheck?.alipay?.secretName])
      if (name) fn.allowSecretByName(name);
    return fn;
  }

  /**
   * Public routes (a merchant has no AWS credentials): the function checks the session cookie and
   * CSRF on each. Sign-in and verify get their own, lower throttle on top of the stage's.
   */
  private addMerchantRoutes(
    deployment: Deployment,
    merchantApi: SettlewatchFunction<typeof merchantApiEnvSchema>,
  ): void {
    const integration = new HttpLambdaIntegration("MerchantApi", merchantApi.function);
    const routes = [
      ...this.api.addRoutes({
        path: "/m/api/{action}",
        methods: [apigwv2.HttpMethod.POST, apigwv2.HttpMethod.GET],
        integration,
      }),
    ];
    for (const route of routes)
      acknowledgeNagFinding(
        route,
        "AwsSolutions-APIG4",
        "The merchant page is used by merchants on their phones, who have no AWS credentials. The function authenticates every read by a session cookie (HttpOnly, Secure, SameSite=Strict) opened with a one-time SMS code, refuses state-changing requests without the CSRF header or from another origin, and sign-in is throttled per route and capped per number.",
      );
    const { rateLimit, burstLimit } = deployment.merchantPageThrottle.signIn;
    // RouteSettings is plain JSON in CloudFormation: its keys are written as CloudFormation spells them.
    const throttle = { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit };
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = {
      "POST /m/api/{action}": throttle,
    };
    // Route settings name the route's key: the stage must not be updated before the route exists.
    for (const route of routes) this.stage.node.addDependency(route);
  }

  /**
   * POST /v1/sms-reports/{provider}: Alibaba Cloud and Tencent Cloud push delivery reports here. The
   * providers cannot sign with AWS credentials; the function checks the secret token of the URL.
   */
  private addSmsReportsRoute(
    deployment: Deployment,
    table: BindableTable,
    logRetention: logs.RetentionDays,
  ): SettlewatchFunction<typeof smsReportsEnvSchema> | undefined {
    const tokenSecretName = deliveryReportSettings(deployment.sms).tokenSecretName;
    if (!tokenSecretName) return undefined;
    const fn = new SettlewatchFunction(this, "SmsReports", {
      entry: "functions/handlers/sms-reports.handler.ts",
      description: `settlewatch ${deployment.name}: SMS delivery reports (Alibaba Cloud, Tencent Cloud callbacks)`,
      envSchema: smsReportsEnvSchema,
      environment: {
        DEPLOYMENT: deployment.name,
        DUE_SHARDS: String(deployment.dueShards),
        POWERTOOLS_SERVICE_NAME: "settlewatch",
        POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
        SMS_REPORT_TOKEN_SECRET_ID: tokenSecretName,
      },
      logRetention,
      tracing: lambdaActiveTracingAvailable(deployment.region),
    })
      .bindTable(table, "RW")
      .allowSecretByName(tokenSecretName);
    const [route] = this.api.addRoutes({
      path: "/v1/sms-reports/{provider}",
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration("SmsReports", fn.function),
    });
    if (route) {
      acknowledgeNagFinding(
        route,
        "AwsSolutions-APIG4",
        "SMS providers (Alibaba Cloud, Tencent Cloud) push delivery reports to a plain URL and cannot sign with AWS credentials. The function checks the secret token the URL carries (Secrets Manager, constant-time comparison) before anything is stored.",
      );
    }
    new CfnOutput(this, "SmsReportsUrl", {
      value: `${this.stage.url}v1/sms-reports/<aliyun|tencent>?token=<the token in ${tokenSecretName}>`,
    });
    return fn;
  }
}
