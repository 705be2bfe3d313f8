import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { fromApiGatewayEvent, toApiGatewayResult } from "../http/api-gateway.js";
import { handleHttp } from "../http/handle-http.js";
import { type MerchantApiDeps, merchantRoutes } from "../http/merchant-routes.js";
import { dispatch, type Route } from "../http/routes.js";
import { merchantApiEnvSchema } from "../shared/env.js";
import { logger } from "../shared/observability.js";
import { merchantApiDependencies } from "./merchant-api-dependencies.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = merchantApiEnvSchema.parse(process.env);
let routes: Promise<Route[]> | undefined;

/** Built on the first request (the sign-in secret is read then), kept for the container's life. */
function routesOnce(): Promise<Route[]> {
  routes ??= merchantApiDependencies(env).then((deps: MerchantApiDeps) => merchantRoutes(deps));
  routes.catch(() => {
    routes = undefined;
  });
  return routes;
}

/** The merchant page's JSON API: public routes, each refusing what a session or CSRF check does not allow. */
const merchantApi = async (event: APIGatewayProxyEventV2) =>
  toApiGatewayResult(
    await handleHttp(
      fromApiGatewayEvent(event),
      async (request) => dispatch(request, await routesOnce()),
      logger,
    ),
  );

export const handler = settlewatchHandler(merchantApi);
