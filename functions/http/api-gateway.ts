import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { HttpRequest, HttpResponse } from "./http-types.js";

/** API Gateway HTTP API (payload v2) event → transport-neutral request. */
export function fromApiGatewayEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  // Payload v2 moves the Cookie header into `cookies`.
  if (event.cookies?.length) headers.cookie = event.cookies.join("; ");
  const rawBody = event.body ?? "";
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    rawQuery: event.rawQueryString ?? "",
    headers,
    // The signature is over the exact bytes sent, so a base64 body is decoded, never re-serialised.
    body: event.isBase64Encoded ? Buffer.from(rawBody, "base64").toString("utf8") : rawBody,
    query: { ...event.queryStringParameters },
  };
}

export function toApiGatewayResult(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body };
}
