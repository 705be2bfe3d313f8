import { InvalidJsonError, NotFoundError } from "../use-cases/errors.js";
import type { IngestConfirmationsDeps } from "../use-cases/ingest-confirmations.js";
import { getMerchant, type MerchantDeps, registerMerchant } from "../use-cases/merchants.js";
import { getPayment } from "../use-cases/payments.js";
import { getSettlementFileReport } from "../use-cases/settlement-file-report.js";
import type { SettlementStore } from "../use-cases/settlement-ports.js";
import { type HttpRequest, type HttpResponse, json } from "./http-types.js";

// The webhook route lives apart so the confirmations function does not bundle the operator routes
// (merchant registration brings the phone-number metadata); re-exported for the local server.
export { postConfirmations } from "./confirmation-route.js";

export type OperatorDeps = MerchantDeps &
  Pick<IngestConfirmationsDeps, "payments"> & {
    /** Settlement-file reports; absent in deployments without settlement files. */
    settlementFiles?: Pick<SettlementStore, "getFile" | "keptLines"> | undefined;
  };

interface Route {
  method: string;
  pattern: RegExp;
  run(params: string[], request: HttpRequest, deps: OperatorDeps): Promise<HttpResponse>;
}

const segment = "([^/]+)";
const operatorRoutes: Route[] = [
  {
    method: "PUT",
    pattern: new RegExp(`^/v1/merchants/${segment}$`),
    run: async ([merchantId], request, deps) => {
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
    run: async ([merchantId], _request, deps) => json(200, await getMerchant(merchantId as string, deps)),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/settlement-files/${segment}$`),
    run: async ([fileId], _request, deps) => json(200, await getSettlementFileReport(fileId as string, deps)),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/payments/${segment}/${segment}$`),
    run: async ([acquirer, paymentId], _request, deps) =>
      json(200, await getPayment(acquirer as string, paymentId as string, deps)),
  },
];

/** The IAM-authorized operator routes (merchants, payment reads). */
export async function routeOperatorRequest(request: HttpRequest, deps: OperatorDeps): Promise<HttpResponse> {
  for (const route of operatorRoutes) {
    const match = route.pattern.exec(request.path);
    if (!match) continue;
    if (route.method !== request.method.toUpperCase()) continue;
    const params = match.slice(1).map((value) => decodeURIComponent(value));
    return await route.run(params, request, deps);
  }
  const pathKnown = operatorRoutes.some((route) => route.pattern.test(request.path));
  if (pathKnown) return json(405, { error: `method ${request.method} is not allowed on ${request.path}` });
  throw new NotFoundError(`no route for ${request.method} ${request.path}`);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new InvalidJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
}
