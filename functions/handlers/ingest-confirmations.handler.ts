import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { SecretsManagerWebhookSecretStore } from "../adapters/secrets/secrets-manager-webhook-secrets.js";
import { fromApiGatewayEvent, toApiGatewayResult } from "../http/api-gateway.js";
import { postConfirmations } from "../http/confirmation-route.js";
import { handleHttp } from "../http/handle-http.js";
import { ingestConfirmationsEnvSchema } from "../shared/env.js";
import { logger } from "../shared/observability.js";
import { awsDependencies } from "./aws-dependencies.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = ingestConfirmationsEnvSchema.parse(process.env);
const deps = {
  ...awsDependencies(env),
  secrets: new SecretsManagerWebhookSecretStore(env.WEBHOOK_SECRETS_ID),
};

/** POST /v1/confirmations — public, HMAC-signed webhook. */
const ingestConfirmations = async (event: APIGatewayProxyEventV2) =>
  toApiGatewayResult(
    await handleHttp(fromApiGatewayEvent(event), (request) => postConfirmations(request, deps), logger),
  );

export const handler = settlewatchHandler(ingestConfirmations, { businessMetrics: deps.metrics });
