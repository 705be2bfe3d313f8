import { fileURLToPath } from "node:url";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { fromApiGatewayEvent, toApiGatewayResult } from "../http/api-gateway.js";
import { handleHttp } from "../http/handle-http.js";
import { merchantPageRoutes, readPageAssets } from "../http/merchant-page.js";
import { dispatch } from "../http/routes.js";
import { merchantPageEnvSchema } from "../shared/env.js";
import { logger } from "../shared/observability.js";
import { settlewatchHandler } from "./middy-stack.js";

merchantPageEnvSchema.parse(process.env);
// The build writes the page's files beside the bundle (infra/constructs/merchant-page.ts); read once.
const assets = readPageAssets(fileURLToPath(new URL("./merchant-page/", import.meta.url)));
const routes = merchantPageRoutes(async () => assets);

/** GET /m/ and its files on the HTTP API (same origin as the merchant API under /m/api/). */
const merchantPage = async (event: APIGatewayProxyEventV2) =>
  toApiGatewayResult(
    await handleHttp(fromApiGatewayEvent(event), (request) => dispatch(request, routes), logger),
  );

export const handler = settlewatchHandler(merchantPage);
