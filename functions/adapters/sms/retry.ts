import { SmsProviderError } from "../../use-cases/sms-errors.js";

export interface RetryOptions {
  /** Tries in all, the first included. Default 3. */
  attempts?: number;
  /** Wait before the second try; doubled each time, with full jitter. Default 200 ms. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `send` again, with exponential backoff and full jitter, while the provider says it is
 * throttling. Any other failure is thrown at once (the queue retries it later); after the last
 * try the throttling error itself is thrown, so the notice goes back to the queue.
 */
export async function retryThrottled<T>(send: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const throttled = error instanceof SmsProviderError && error.kind === "throttled";
      if (!throttled || attempt >= attempts) throw error;
      await sleep(Math.floor(random() * (options.baseDelayMs ?? 200) * 2 ** (attempt - 1)));
    }
  }
}
