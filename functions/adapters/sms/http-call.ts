import { SmsProviderError } from "../../use-cases/sms-errors.js";

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export interface ProviderCall {
  /** Names the provider in the SmsProviderError it may throw. */
  provider: string;
  fetch: FetchLike;
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
  timeoutMs: number;
}

/** One HTTP call to a provider, with a deadline; the answer's JSON (or an SmsProviderError). */
export async function callProvider({
  provider,
  fetch: fetchImpl,
  url,
  init,
  timeoutMs,
}: ProviderCall): Promise<{ status: number; json: Record<string, unknown> }> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new SmsProviderError({
        provider,
        kind: "timeout",
        code: name,
        message: `no answer within ${timeoutMs} ms`,
      });
    }
    throw new SmsProviderError({ provider, kind: "failed", code: name, message: (error as Error).message });
  }
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") json = parsed as Record<string, unknown>;
  } catch {
    throw new SmsProviderError({
      provider,
      kind: "failed",
      code: `HTTP${response.status}`,
      message: "the answer is not JSON",
    });
  }
  return { status: response.status, json };
}
