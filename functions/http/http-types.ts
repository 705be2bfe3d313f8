/** A transport-neutral HTTP exchange: API Gateway events and the local server both map to it. */
export interface HttpRequest {
  method: string;
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
  /** Query parameters (the last value of a repeated name); never logged (may carry a token). */
  query?: Record<string, string | undefined>;
  /** The query string as sent (still percent-encoded, without "?"); absent = none. */
  rawQuery?: string | undefined;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function json(statusCode: number, payload: unknown): HttpResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(payload),
  };
}

/** Longest path that goes into a log line or an error message as is. */
const PATH_SHOWN = 200;

/** A path as logs and messages show it: a 10 KB path is cut, saying how long it was. */
export function truncateForLog(path: string): string {
  return path.length <= PATH_SHOWN ? path : `${path.slice(0, PATH_SHOWN)}… (${path.length} characters)`;
}
