import { InvalidJsonError, InvalidRequestError, NotFoundError } from "../use-cases/errors.js";
import type { IngestConfirmationsDeps } from "../use-cases/ingest-confirmations.js";
import { getMerchant, type MerchantDeps, registerMerchant } from "../use-cases/merchants.js";
import { getPayment } from "../use-cases/payments.js";
import { getSettlementFileReport } from "../use-cases/settlement-file-report.js";
import type { SettlementStore } from "../use-cases/settlement-ports.js";
// The webhook route lives apart so the confirmations function does not bundle the operator routes
// (merchant registration brings the phone-number metadata); re-exported for the local server.
import { postConfirmations } from "./confirmation-route.js";
import { MethodNotAllowedError } from "./error-responses.js";
import { type HttpRequest, type HttpResponse, json, truncateForLog } from "./http-types.js";

export { postConfirmations };

export type OperatorDeps = MerchantDeps &
  Pick<IngestConfirmationsDeps, "payments"> & {
    /** Settlement-file reports; absent in deployments without settlement files. */
    settlementFiles?: Pick<SettlementStore, "getFile" | "keptLines"> | undefined;
  };

/** One route: a method and a path pattern whose groups are the path's (still encoded) ids. */
export interface Route {
  method: string;
  pattern: RegExp;
  run(params: string[], request: HttpRequest): Promise<HttpResponse>;
}

/** Longest path segment (an id) a route accepts: ids are at most 64 characters, file ids 64 hex digits. */
export const MAX_PATH_SEGMENT = 256;

const segment = "([^/]+)";

/** The IAM-authorized operator routes (merchants, payment reads, settlement-file reports). */
export function operatorRoutes(deps: OperatorDeps): Route[] {
  return [
    {
      method: "PUT",
      pattern: new RegExp(`^/v1/merchants/${segment}$`),
      run: async ([merchantId], request) => {
        const { created, profile } = await registerMerchant(
          merchantId as string,
          parseJson(request.body),
          deps,
        );
        return json(created ? 201 : 200, profile);
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/v1/merchants/${segment}$`),
      run: async ([merchantId]) => json(200, await getMerchant(merchantId as string, deps)),
    },
    {
      method: "GET",
      pattern: new RegExp(`^/v1/settlement-files/${segment}$`),
      run: async ([fileId]) => json(200, await getSettlementFileReport(fileId as string, deps)),
    },
    {
      method: "GET",
      pattern: new RegExp(`^/v1/payments/${segment}/${segment}$`),
      run: async ([acquirer, paymentId]) =>
        json(200, await getPayment(acquirer as string, paymentId as string, deps)),
    },
  ];
}

/** POST /v1/confirmations as a route (the local monitor serves it beside the operator routes). */
export function confirmationsRoute(deps: IngestConfirmationsDeps): Route {
  return {
    method: "POST",
    pattern: /^\/v1\/confirmations$/,
    run: async (_params, request) => await postConfirmations(request, deps),
  };
}

/** Decodes the ids of a path; broken percent-encoding and over-long ids are the caller's fault (400). */
function pathParams(encoded: string[]): string[] {
  return encoded.map((value) => {
    if (value.length > MAX_PATH_SEGMENT) {
      throw new InvalidRequestError(
        `an id in the path is longer than ${MAX_PATH_SEGMENT} characters (${value.length})`,
      );
    }
    try {
      return decodeURIComponent(value);
    } catch {
      throw new InvalidRequestError(`the id "${value}" in the path is not valid percent-encoding`);
    }
  });
}

/** Runs the route of a request: 404 when no route has its path, 405 (with Allow) when none has its method. */
export async function dispatch(request: HttpRequest, routes: Route[]): Promise<HttpResponse> {
  const method = request.method.toUpperCase();
  const allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(request.path);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    return await route.run(pathParams(match.slice(1)), request);
  }
  const path = truncateForLog(request.path);
  if (allowed.length > 0)
    throw new MethodNotAllowedError(`method ${method} is not allowed on ${path}`, allowed);
  throw new NotFoundError(`no route for ${method} ${path}`);
}

export async function routeOperatorRequest(request: HttpRequest, deps: OperatorDeps): Promise<HttpResponse> {
  return await dispatch(request, operatorRoutes(deps));
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new InvalidJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
}
