/**
 * A decoded stream that may fail part way (a truncated or corrupt archive): the engines scan
 * what came before the failure as a whole input, then report it, as `gzip -dc | scan -` would.
 * Only the source's own failure is held back; an error thrown while scanning a chunk (a
 * caller's callback) passes through at once.
 */

/** The chunks of `source` until it ends or fails; `rethrow()` then throws its error, if any. */
export function untilFailure(source: AsyncIterable<Uint8Array>): {
  chunks: AsyncIterable<Uint8Array>;
  rethrow: () => void;
} {
  let failed: { error: unknown } | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      yield* source;
    } catch (error) {
      failed = { error };
    }
  }
  return {
    chunks: chunks(),
    rethrow: () => {
      if (failed !== undefined) throw failed.error;
    },
  };
}
