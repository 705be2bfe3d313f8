import { type HttpRequest, type HttpResponse, json } from "../functions/http/http-types.js";
import { confirmationsRoute, operatorRoutes, type Route } from "../functions/http/routes.js";
import { InvalidJsonError, InvalidRequestError } from "../functions/use-cases/errors.js";
import type { LocalServices } from "./local-services.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** The body of POST /local/check: empty, or a JSON object with an optional RFC 3339 `asOf`. */
export function parseCheckRequest(body: string): { asOf?: Date } {
  if (body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InvalidJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequestError('body must be a JSON object such as {"asOf":"2026-10-09T00:00:00Z"}');
  }
  const { asOf } = parsed as { asOf?: unknown };
  if (asOf === undefined) return {};
  if (typeof asOf !== "string" || !RFC3339.test(asOf) || Number.isNaN(Date.parse(asOf))) {
    throw new InvalidRequestError("asOf must be an RFC 3339 instant", [
      { field: "asOf", message: "expected an RFC 3339 instant, e.g. 2026-10-09T00:00:00Z" },
    ]);
  }
  return { asOf: new Date(asOf) };
}

/**
 * Every route of the local monitor: the AWS HTTP API's routes, the settlement-file upload (an S3
 * drop in AWS) and POST /local/check (the EventBridge schedule in AWS). One table, so a known path
 * asked with another method answers 405 with its Allow header.
 */
export function localRoutes(services: LocalServices, runCheck: (asOf?: Date) => Promise<unknown>): Route[] {
  return [
    confirmationsRoute(services.ingest),
    {
      method: "POST",
      pattern: /^\/local\/check$/,
      run: async (_params, request) => json(200, await runCheck(parseCheckRequest(request.body).asOf)),
    },
    {
      // The local server streams this upload before routing (see monitor.ts); listed for 405 answers.
      method: "POST",
      pattern: /^\/v1\/settlement-files$/,
      run: async (): Promise<HttpResponse> => {
        throw new Error("POST /v1/settlement-files is streamed by the local server, not routed");
      },
    },
    ...operatorRoutes(services.operator),
  ];
}

export type LocalRoute = (request: HttpRequest) => Promise<HttpResponse>;
