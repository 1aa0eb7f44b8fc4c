/**
 * What every suite gets: the run's configuration, the engines found, sampling options, and a
 * place to leave numbers for later suites (the small-files suite compares itself with the
 * single big file the end-to-end suite measured).
 */

import type { BenchEngines } from "../bench-engines.js";
import type { BenchConfig } from "../config.js";
import type { SampleOptions } from "../measure.js";
import type { ResultRow } from "../result-table.js";

/** Hit densities: none, rare (1 per MiB), dense (1 per 10 KiB, issue 5). */
export const DENSITIES = [
  { name: "none", hitsPerGb: 0 },
  { name: "rare", hitsPerGb: 1024 },
  { name: "dense", hitsPerGb: 2 ** 30 / 10240 },
] as const;

/** The density used where only one is measured (end to end, pool): realistic, rare. */
export const RARE_HITS_PER_GB = 1024;

/** Shared by the suites of one run. */
export interface SuiteContext {
  config: BenchConfig;
  engines: BenchEngines;
  /** Sampling for in-process measurements. */
  sampling: SampleOptions;
  /** Sampling for whole processes (seconds each): exactly `samples` runs after a warm-up. */
  processSampling: SampleOptions;
  /** Numbers left by earlier suites, by key (e.g. "e2e:wasm:mbps"). */
  facts: Map<string, number>;
  /** A progress line on stderr. */
  progress(line: string): void;
}

/** A suite: measures and returns its rows. */
export type Suite = (context: SuiteContext) => Promise<ResultRow[]>;
