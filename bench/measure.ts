/**
 * Timing, the same way for every suite: tinybench runs one untimed warm-up call, then at least
 * `samples` timed calls (and keeps sampling until `timeMs` has passed), and we quote the
 * median. The call under test checks its own answer and throws when it is wrong, so a fast
 * wrong result is an error, never a number.
 */

import { Bench } from "tinybench";

/** How long and how often to sample. */
export interface SampleOptions {
  /** Fewest timed calls. */
  samples: number;
  /** Least time spent on timed calls, ms (0: exactly `samples` calls). */
  timeMs: number;
}

/** A measurement's medians and spread. */
export interface Timing {
  /** Median time of one call, ms. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Timed calls made. */
  samples: number;
}

/**
 * Times `fn` (sync or async). `fn` must verify its result and throw when it is wrong; the error
 * is rethrown here with `name` in front.
 */
export async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
  options: SampleOptions,
): Promise<Timing> {
  const bench = new Bench({
    name,
    time: options.timeMs,
    iterations: options.samples,
    warmup: true,
    warmupIterations: 1,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, fn);
  try {
    await bench.run();
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const task = bench.tasks[0];
  const result = task?.result;
  if (result === undefined || !("latency" in result)) {
    const error = result !== undefined && "error" in result ? `: ${result.error.message}` : "";
    throw new Error(`${name}: no timing (${result?.state ?? "not run"})${error}`);
  }
  const { latency } = result;
  return { medianMs: latency.p50, minMs: latency.min, maxMs: latency.max, samples: latency.samplesCount };
}

/** Throws unless `actual` equals `expected`: the benchmark found the wrong answer. */
export function expectCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new Error(`wrong answer: ${what} found ${actual} matches, expected ${expected}`);
  }
}

/** MB/s (10^6 bytes per second) for `bytes` in `ms`. */
export function megabytesPerSecond(bytes: number, ms: number): number {
  return bytes / ms / 1000;
}
