/**
 * Reads the start of an async stream (to sniff it) without losing it: `replay` yields the items
 * already read, then the rest of the source. Closing `replay` early closes the source too.
 */
export async function prefetch<T>(
  source: AsyncIterable<T>,
  sizeOf: (item: T) => number,
  min: number,
): Promise<{ head: T[]; replay: AsyncGenerator<T, void, undefined> }> {
  const iterator = source[Symbol.asyncIterator]();
  const head: T[] = [];
  let size = 0;
  let finished = false;
  while (size < min) {
    const next = await iterator.next();
    if (next.done) {
      finished = true;
      break;
    }
    head.push(next.value);
    size += sizeOf(next.value);
  }
  async function* replay(): AsyncGenerator<T, void, undefined> {
    try {
      yield* head;
      while (!finished) {
        const next = await iterator.next();
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!finished) {
        finished = true;
        await iterator.return?.();
      }
    }
  }
  return { head, replay: replay() };
}
