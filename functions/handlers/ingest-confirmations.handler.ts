import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { SecretsManagerWebhookSecretStore } from "../adapters/secrets/secrets-manager-webhook-secrets.js";
import { fromApiGatewayEvent, toApiGatewayResult } from "../http/api-gateway.js";
import { postConfirmations } from "../http/confirmation-route.js";
import { handleHttp } from "../http/handle-http.js";
import { ingestConfirmationsEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { awsDependencies } from "./aws-dependencies.js";

const env = ingestConfirmationsEnvSchema.parse(process.env);
const deps = {
  ...awsDependencies(env),
  secrets: new SecretsManagerWebhookSecretStore(env.WEBHOOK_SECRETS_ID),
};

/** POST /v1/confirmations — public, HMAC-signed webhook. */
const ingestConfirmations = async (event: APIGatewayProxyEventV2) => {
  try {
    return toApiGatewayResult(
      await handleHttp(fromApiGatewayEvent(event), (request) => postConfirmations(request, deps), logger),
    );
  } finally {
    deps.metrics.flush();
  }
};

export const handler = middy(ingestConfirmations).use(injectLambdaContext(logger)).use(logMetrics(metrics));
