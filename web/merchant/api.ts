/**
 * The page's client of the merchant API (docs/contracts.md, "Merchant page API"): same origin,
 * session in an HttpOnly cookie the page never reads, a CSRF token on every state-changing request.
 */

/** One payment as the lookup and the outstanding list return it. Optional fields may be absent. */
export interface PaymentMatch {
  paymentId: string;
  amountMinor: number;
  currency: string;
  confirmedAt: string;
  status: string;
  expectedBy?: string | null;
  explanation?: string | null;
  channel?: string | null;
  reference?: string | null;
  orderId?: string | null;
  acquirer?: string | null;
  contact?: string | null;
  timeZone?: string | null;
}

export interface LookupAnswer {
  verdict: "confirmed" | "not-found";
  matches: PaymentMatch[];
}

export interface LookupQuery {
  amountMinor: number;
  currency: string;
  around: Date;
  withinMinutes: number;
  orderSuffix?: string;
}

/** A refused or failed call: `status` 0 when the network failed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CSRF_COOKIE = "settlewatch_csrf";
const CSRF_HEADER = "x-csrf-token";

function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") {
    headers["content-type"] = "application/json";
    const token = cookie(CSRF_COOKIE);
    if (token) headers[CSRF_HEADER] = token;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(0, (error as Error).message);
  }
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, text.slice(0, 200));
  return (text ? JSON.parse(text) : {}) as T;
}

export const merchantApi = {
  signIn: (phone: string) => call<unknown>("POST", "/m/api/sign-in", { phone }),
  verify: (phone: string, code: string) => call<unknown>("POST", "/m/api/verify", { phone, code }),
  signOut: () => call<unknown>("POST", "/m/api/sign-out", {}),
  outstanding: () => call<{ matches: PaymentMatch[] }>("GET", "/m/api/outstanding"),
  lookup: (query: LookupQuery) => {
    const params = new URLSearchParams({
      amountMinor: String(query.amountMinor),
      currency: query.currency,
      around: query.around.toISOString(),
      withinMinutes: String(query.withinMinutes),
    });
    if (query.orderSuffix) params.set("orderSuffix", query.orderSuffix);
    return call<LookupAnswer>("GET", `/m/api/lookup?${params}`);
  },
};
