import type { PlatformOrderAnswer } from "../../use-cases/platform-check.js";

/** Largest platform answer read (an order query answers in about 1 KB). */
const MAX_BODY_BYTES = 64 * 1024;

export interface PlatformResponse {
  status: number;
  headers: Headers;
  body: string;
}

export type Failed = Extract<PlatformOrderAnswer, { kind: "failed" }>;

export const failed = (reason: Failed["reason"], detail: string): Failed => ({
  kind: "failed",
  reason,
  detail,
});

/**
 * One request with a deadline covering the answer's body too (the merchant is at the till: the
 * page waits ~3 s, not the platform's own timeout). A timeout or a network error is a failure,
 * never an exception.
 */
export async function platformRequest(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<PlatformResponse | Failed> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchFn(url, { ...init, signal, redirect: "error" });
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_BODY_BYTES) return failed("bad-response", `answer of ${bytes.length} bytes`);
    return { status: response.status, headers: response.headers, body: new TextDecoder().decode(bytes) };
  } catch (error) {
    if (signal.aborted) return failed("timeout", `no answer within ${timeoutMs} ms`);
    return failed("platform-error", `request failed: ${(error as Error).message.slice(0, 200)}`);
  }
}
