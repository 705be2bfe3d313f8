import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";

/** A Lambda behind the HTTP API (payload format 2.0), as the handler modules export it. */
export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The Lambda context fields our handlers read (logs and metrics name the function and request). */
export function lambdaContext(functionName: string): Context {
  return { functionName, awsRequestId: "r-1", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
}

/**
 * An HTTP API request as API Gateway hands it to the function: the raw path and query string, the
 * headers, a text body, and the route it matched (and the parsed query parameters, when given).
 */
export function httpApiEvent(request: {
  method: string;
  path: string;
  query?: string;
  queryParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** The route key API Gateway matched, e.g. "POST /v1/confirmations" (default) or "$default". */
  routeKey?: string;
}): APIGatewayProxyEventV2 {
  const query = request.query ?? "";
  return {
    version: "2.0",
    routeKey: request.routeKey ?? `${request.method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: query,
    ...(request.queryParameters ? { queryStringParameters: request.queryParameters } : {}),
    headers: request.headers ?? {},
    ...(request.body === undefined ? {} : { body: request.body, isBase64Encoded: false }),
    requestContext: { http: { method: request.method, path: request.path }, requestId: "r-1" },
  } as unknown as APIGatewayProxyEventV2;
}
