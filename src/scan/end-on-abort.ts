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
    while (!signal.aborted) {
      const step = await untilAborted(inner.next(), signal);
      if (step.done === true) return;
      yield step.value;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

function untilAborted<T>(step: Promise<IteratorResult<T>>, signal: AbortSignal): Promise<IteratorResult<T>> {
  if (signal.aborted) return Promise.resolve({ done: true, value: undefined });
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve({ done: true, value: undefined });
    signal.addEventListener("abort", onAbort, { once: true });
    const settle = () => signal.removeEventListener("abort", onAbort);
    step.then(
      (result) => {
        settle();
        resolve(result);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
  });
}
