import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { systemClock } from "../adapters/clock/system-clock.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { EmfSmsMetrics } from "../adapters/metrics/emf-sms-metrics.js";
import { SecretsManagerReportTokens } from "../adapters/secrets/secrets-manager-report-tokens.js";
import { fromApiGatewayEvent, toApiGatewayResult } from "../http/api-gateway.js";
import { handleHttp } from "../http/handle-http.js";
import { dispatch } from "../http/routes.js";
import { smsReportsRoute } from "../http/sms-report-route.js";
import { smsReportsEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = smsReportsEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const smsMetrics = new EmfSmsMetrics(metrics);
const routes = [
  smsReportsRoute({
    notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
    merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
    clock: systemClock,
    metrics: smsMetrics,
    config: { dueShards: env.DUE_SHARDS },
    tokens: new SecretsManagerReportTokens(env.SMS_REPORT_TOKEN_SECRET_ID),
  }),
];

/** POST /v1/sms-reports/{provider}?token=… — Alibaba Cloud and Tencent Cloud delivery-report pushes. */
const smsReports = async (event: APIGatewayProxyEventV2) =>
  toApiGatewayResult(
    await handleHttp(fromApiGatewayEvent(event), (request) => dispatch(request, routes), logger),
  );

export const handler = settlewatchHandler(smsReports, { businessMetrics: smsMetrics });
