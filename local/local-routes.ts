import { checkAsOf, type InputLimits } from "../functions/domain/validation/input-limits.js";
import { type HttpRequest, type HttpResponse, json } from "../functions/http/http-types.js";
import { merchantPageRoutes } from "../functions/http/merchant-page.js";
import { merchantRoutes } from "../functions/http/merchant-routes.js";
import { confirmationsRoute, operatorRoutes, type Route } from "../functions/http/routes.js";
import { smsReportsRoute } from "../functions/http/sms-report-route.js";
import { InvalidJsonError, InvalidRequestError } from "../functions/use-cases/errors.js";
import { buildMerchantPage } from "../web/build-merchant-page.js";
import type { LocalServices } from "./local-services.js";

/**
 * The body of POST /local/check: empty, or a JSON object with an optional `asOf`, a real and
 * plausible RFC 3339 instant (from 2000 on, not past the input limits' future bound).
 */
export function parseCheckRequest(
  body: string,
  options: { now: Date; limits?: InputLimits | undefined },
): { asOf?: Date } {
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
  const at = typeof asOf === "string" ? checkAsOf(asOf, options) : undefined;
  if (!at?.ok) {
    const message = at?.message ?? "expected an RFC 3339 instant, e.g. 2026-10-09T00:00:00Z";
    throw new InvalidRequestError(`asOf: ${message}`, [{ field: "asOf", message }]);
  }
  return { asOf: at.value };
}

/**
 * Every route of the local monitor: the AWS HTTP API's routes (SMS delivery reports and the merchant page's /m/api/… included), the settlement-file upload (an S3
 * drop in AWS) and POST /local/check (the EventBridge schedule in AWS). One table, so a known path
 * asked with another method answers 405 with its Allow header. With `merchantPage: false` (the
 * config's merchantPage.enabled) neither the page nor its API is routed: /m/… answers 404.
 */
export function localRoutes(
  services: LocalServices,
  runCheck: (asOf?: Date) => Promise<unknown>,
  limits?: InputLimits,
  options: { merchantPage: boolean } = { merchantPage: true },
): Route[] {
  return [
    confirmationsRoute(services.ingest),
    {
      method: "POST",
      pattern: /^\/local\/check$/,
      run: async (_params, request) => {
        const now = services.ingest.clock.now();
        return json(200, await runCheck(parseCheckRequest(request.body, { now, limits }).asOf));
      },
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
    smsReportsRoute(services.smsReports),
    ...(options.merchantPage
      ? [
          ...merchantRoutes(services.merchant),
          // The merchant page at /m/, built from web/merchant on its first request.
          ...merchantPageRoutes(buildMerchantPage),
        ]
      : []),
  ];
}

export type LocalRoute = (request: HttpRequest) => Promise<HttpResponse>;
