/**
 * How many of the machine's cores sat idle over a short window: the pool's test of whether a
 * thread it starts would get a core of its own. Sampled from os.cpus()'s idle times (the
 * kernel's per-core counters, in 10 ms ticks on Linux), so it sees every process on the
 * machine, not only this one: with one core of two busy elsewhere, a second thread only
 * shares a core with the first and adds its start (~0.1 s of CPU) to the scan.
 */

import { cpus } from "node:os";

/** The machine's idle ms so far, summed over its cores, and how many cores it reported (~80 µs a call here). */
function idleNow(): { idleMs: number; cores: number } {
  const all = cpus();
  let idleMs = 0;
  for (const cpu of all) idleMs += cpu.times.idle;
  return { idleMs, cores: all.length };
}

/** A sample of the machine's idle cores (what the pool's start decision reads). */
export interface IdleSample {
  /**
   * Idle cores averaged over the sample (1.5: one core and a half sat idle), or undefined
   * while it is shorter than `minWindowMs`.
   */
  cores(minWindowMs: number): number | undefined;
}

/** Idle cores since the moment it was made. */
export class IdleCores implements IdleSample {
  readonly #start = idleNow();
  readonly #startedAt = performance.now();

  /**
   * Idle cores averaged since construction (1.5: one core and a half sat idle), or undefined
   * while fewer than `minWindowMs` have passed (the counters tick every 10 ms). Infinity where
   * the platform does not tell.
   */
  cores(minWindowMs: number): number | undefined {
    // No cores reported (some platforms): every answer is "room".
    if (this.#start.cores === 0) return Number.POSITIVE_INFINITY;
    const window = performance.now() - this.#startedAt;
    if (window < minWindowMs) return undefined;
    return (idleNow().idleMs - this.#start.idleMs) / window;
  }
}

/** The sample begun by {@link beginIdleSample}, and when. */
let begun: { sample: IdleCores; at: number } | undefined;

/**
 * How long a sample from {@link beginIdleSample} still stands for "since the scan began": a CLI
 * run reaches its first task 15-25 ms after main() begins, so its pool can be decided then
 * instead of 10 ms into the scan; a later scan gets a fresh sample.
 */
const BEGUN_SAMPLE_MS = 1000;

/**
 * Begins an idle-core sample now, for the next scan's pool decision: the command line calls it
 * first thing, so that by the time its scan asks, the sample is long enough to answer.
 */
export function beginIdleSample(): void {
  begun = { sample: new IdleCores(), at: performance.now() };
}

/** An idle-core sample begun as early as still fits a scan beginning now (see BEGUN_SAMPLE_MS). */
export function idleSampleForNewScan(): IdleCores {
  return begun !== undefined && performance.now() - begun.at < BEGUN_SAMPLE_MS ? begun.sample : new IdleCores();
}
