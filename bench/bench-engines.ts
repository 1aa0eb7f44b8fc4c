/**
 * The engines a benchmark run compares, found at run time: the reference engine always, the
 * wasm engine when `engineByName("wasm")` builds one. A missing wasm engine is a row that says
 * so in `npm run bench`, and an error in `npm run bench:check`.
 *
 * Self-test: with LDS_BENCH_SELFTEST_SLOW=1 the "wasm" slot holds the reference engine (and the
 * CLI runs with `--engine reference`), which is what a real regression to the slow path looks
 * like; bench:check must then fail.
 */

import type { Engine, EngineName } from "../src/engine/engine.js";
import { engineByName } from "../src/engine/engines.js";
import { referenceEngine } from "../src/engine/reference-engine.js";

/** The engines of one run. */
export interface BenchEngines {
  reference: Engine;
  /** The fast engine, or undefined when this build has none. */
  wasm: Engine | undefined;
  /** Why `wasm` is undefined. */
  wasmMissing?: string | undefined;
  /** LDS_BENCH_SELFTEST_SLOW=1: `wasm` is really the reference engine. */
  selfTestSlow: boolean;
  /** The `--engine` the CLI gets for the fast engine's rows. */
  cliFastEngine: EngineName;
  /** How the fast engine is named in the table. */
  fastLabel: string;
}

/** True when LDS_BENCH_SELFTEST_SLOW asks for the reference engine in the wasm engine's place. */
export function selfTestSlow(): boolean {
  const v = process.env.LDS_BENCH_SELFTEST_SLOW;
  return v !== undefined && v !== "" && v !== "0";
}

/** Builds the engines this run compares. */
export async function benchEngines(): Promise<BenchEngines> {
  if (selfTestSlow()) {
    return {
      reference: referenceEngine,
      wasm: referenceEngine,
      selfTestSlow: true,
      cliFastEngine: "reference",
      fastLabel: "wasm (SELF-TEST: reference)",
    };
  }
  try {
    const wasm = await engineByName("wasm");
    return { reference: referenceEngine, wasm, selfTestSlow: false, cliFastEngine: "wasm", fastLabel: "wasm" };
  } catch (err) {
    return {
      reference: referenceEngine,
      wasm: undefined,
      wasmMissing: `wasm engine unavailable (${err instanceof Error ? err.message : String(err)})`,
      selfTestSlow: false,
      cliFastEngine: "wasm",
      fastLabel: "wasm",
    };
  }
}
