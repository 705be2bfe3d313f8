import { SNSClient } from "@aws-sdk/client-sns";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { SnsMerchantEmailSubscriptions } from "../adapters/sns/merchant-email-topics.js";
import { fromApiGatewayEvent, toApiGatewayResult } from "../http/api-gateway.js";
import { handleHttp } from "../http/handle-http.js";
import { routeOperatorRequest } from "../http/routes.js";
import { operatorApiEnvSchema } from "../shared/env.js";
import { logger } from "../shared/observability.js";
import { smsRoutingSchema } from "../shared/sms-config.js";
import { awsDependencies } from "./aws-dependencies.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = operatorApiEnvSchema.parse(process.env);
const deps = {
  ...awsDependencies(env),
  emailSubscriptions: new SnsMerchantEmailSubscriptions(
    new SNSClient({}),
    env.EMAIL_TOPIC_PREFIX,
    env.EMAIL_TOPIC_KMS_KEY,
  ),
  smsRouting: smsRoutingSchema.parse(JSON.parse(env.SMS_ROUTING ?? '{"default":"sns"}')),
};

/** Merchants and payment reads — IAM-authorized routes of the HTTP API. */
const operatorApi = async (event: APIGatewayProxyEventV2) =>
  toApiGatewayResult(
    await handleHttp(fromApiGatewayEvent(event), (request) => routeOperatorRequest(request, deps), logger),
  );

export const handler = settlewatchHandler(operatorApi);
