import type { SmsProvider, SmsReceipt, SmsToSend } from "../../use-cases/ports.js";

/**
 * A provider with at most `limit` requests in flight from this container: the notifier handles a
 * queue batch in parallel, and the provider's API rate is per account. Across containers the bound
 * is this times the queue's maximum concurrency (notifier.maxConcurrency).
 */
export class BoundedSmsProvider implements SmsProvider {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly inner: SmsProvider,
    private readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("concurrency is at least 1");
  }

  get id() {
    return this.inner.id;
  }

  // biome-ignore lint/suspicious/noConfusingVoidType: the inner provider's receipt, if it gives one
  async send(input: SmsToSend): Promise<SmsReceipt | void> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight += 1;
    try {
      // The provider's message id goes back to the notifier: delivery reports find the notice by it.
      return await this.inner.send(input);
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight -= 1;
    }
  }
}
