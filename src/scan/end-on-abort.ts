/**
 * A stream that ends when a signal aborts. Ctrl-C or SIGTERM while standard input is quiet
 * (`tail -f log | lsass-dump-scan scan -`, a writer that stalled) must not wait for the writer:
 * the bytes read so far are scanned and their rows printed.
 */

import { Readable } from "node:stream";

/**
 * `stream`'s chunks until it ends or `signal` aborts, whichever comes first. Lazy: `stream` is
 * not read before the result is.
 *
 * @example
 * ```ts
 * const stdin = endOnAbort(process.stdin, controller.signal);
 * ```
 */
export function endOnAbort(stream: NodeJS.ReadableStream, signal: AbortSignal): NodeJS.ReadableStream {
  async function* chunks(): AsyncGenerator<Buffer | string> {
    const inner = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    for (;;) {
      const step = await untilAborted(inner.next(), signal);
      if (step === undefined || step.done === true) return;
      yield step.value;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * `promise`'s value, or undefined once `signal` aborts. After the abort, what is at hand still
 * comes (a value that settles before the next turn of the event loop: bytes already read and
 * held), so the scan keeps them; only a wait for more ends at once.
 *
 * @example
 * ```ts
 * const step = await untilAborted(iterator.next(), signal); // undefined: aborted while waiting
 * ```
 */
export async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (signal === undefined) return promise;
  let onAbort = (): void => {};
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => setImmediate(() => resolve(undefined));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  // A read that fails after the abort failed because its stream was let go (destroyed): it ended.
  const settled = promise.then(
    (value) => value,
    (err: unknown) => {
      if (signal.aborted) return undefined;
      throw err;
    },
  );
  try {
    return await Promise.race([settled, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
