/**
 * The page's client of the merchant API (docs/contracts.md, "Merchant page API"): same origin,
 * session in an HttpOnly cookie the page never reads, a CSRF header on every state-changing request.
 */

/** One payment as the lookup and the outstanding list return it (no customer data). */
export interface PaymentMatch {
  /** The acquirer's reference, masked by the API ("4200****0001"). */
  paymentId: string;
  amountMinor: number;
  currency: string;
  /** UTC instant the acquirer confirmed the payment. */
  confirmedAt: string;
  /** The same instant on the merchant's wall clock ("YYYY-MM-DD HH:MM" in `timeZone`). */
  confirmedAtLocal?: string | null;
  timeZone?: string | null;
  channel?: string | null;
  /** The last characters of the merchant's order number. */
  orderTail?: string | null;
  status: string;
  expectedBy?: string | null;
  /** Where the money stands, in the language asked for. */
  explanation?: string | null;
  /** What to do now: whom to call and which reference to quote, when something is wrong. */
  whatToDo?: string | null;
}

export interface LookupAnswer {
  verdict: "confirmed" | "not-found";
  window?: { from: string; to: string };
  matches: PaymentMatch[];
}

export interface OutstandingAnswer {
  pending: PaymentMatch[];
  overdue: PaymentMatch[];
  arrived: PaymentMatch[];
  truncated?: boolean;
}

/** What WeChat Pay / Alipay said about one order number (GET /m/api/platform-check). */
export interface PlatformCheckAnswer {
  available: boolean;
  platform: string;
  orderNo: string;
  verdict: "paid" | "not-paid" | "unknown";
  state: string | null;
  amountMinor: number | null;
  currency: string | null;
  paidAt: string | null;
  reason?: string;
}

export interface LookupQuery {
  amountMinor: number;
  currency: string;
  /** Absent: the last `withinMinutes` up to now; given: `withinMinutes` either side of it. */
  around?: Date;
  withinMinutes: number;
  orderEndsWith?: string;
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

/** Sent on every POST: a cross-site form cannot set it, and a cross-site fetch would need CORS. */
const CSRF_HEADER = "x-settlewatch-csrf";

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") {
    headers["content-type"] = "application/json";
    headers[CSRF_HEADER] = "1";
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
  outstanding: (lang: string) =>
    call<OutstandingAnswer>("GET", `/m/api/outstanding?${new URLSearchParams({ lang })}`),
  lookup: (query: LookupQuery, lang: string) => {
    const params = new URLSearchParams({
      amountMinor: String(query.amountMinor),
      currency: query.currency,
      withinMinutes: String(query.withinMinutes),
      lang,
    });
    if (query.around) params.set("around", query.around.toISOString());
    if (query.orderEndsWith) params.set("orderEndsWith", query.orderEndsWith);
    return call<LookupAnswer>("GET", `/m/api/lookup?${params}`);
  },
  platforms: () => call<{ platforms: string[] }>("GET", "/m/api/platforms"),
  platformCheck: (platform: string, orderNo: string) =>
    call<PlatformCheckAnswer>("GET", `/m/api/platform-check?${new URLSearchParams({ platform, orderNo })}`),
};
