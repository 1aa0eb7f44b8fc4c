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

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Times several subjects in interleaved rounds (one call of each per round, the order rotated
 * every round), after one untimed call of each. Returns the ms of every call, by subject, in
 * round order. Interleaving makes the subjects of one round share the machine's state (a
 * neighbour's burst of work slows all of them alike), so per-round ratios are far steadier on
 * a shared, noisy machine than ratios of separately taken medians.
 */
export async function interleave(
  subjects: readonly { name: string; fn: () => unknown | Promise<unknown> }[],
  rounds: number,
): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  for (const s of subjects) await s.fn();
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(round + k) % subjects.length] as (typeof subjects)[number];
      const started = performance.now();
      await s.fn();
      times.get(s.name)?.push(performance.now() - started);
    }
  }
  return times;
}

/** The median over rounds of `numerator[i] / denominator[i]`. */
export function medianRatio(numerator: readonly number[], denominator: readonly number[]): number {
  return median(numerator.map((n, i) => n / (denominator[i] as number)));
}
