/**
 * What `npm run bench:check` measures: a few ratios, each between two things timed side by
 * side in the same process run, small enough to finish in well under 3 minutes on the 2-core
 * CI VM including making the data:
 *
 * - matcher.<format>.wasm_vs_reference and .wasm_vs_indexof: the wasm engine against the
 *   reference engine and the plain-JS baseline, on one 4 MiB input (XML and flat JSON, rare
 *   hits), in memory;
 * - evtx.fast_vs_reference: the EVTX fast scan against the reference scan, 4 MiB in memory;
 * - e2e.xml.cli_vs_cat: the CLI's throughput on a 512 MiB XML file in page cache as a fraction
 *   of `cat FILE > /dev/null` on the same file.
 *
 * Each measurement: one warm-up call, then at least `samples` timed calls, medians.
 */

import { scanEvtxBytes } from "../src/formats/evtx/index.js";
import type { BenchEngines } from "./bench-engines.js";
import type { MeasuredRatio } from "./check-ratios.js";
import { textCorpusFile } from "./data-store.js";
import { buildEvtxCorpus } from "./evtx-corpus.js";
import { expectCount, measure, type SampleOptions } from "./measure.js";
import { checkCliRun, cliScanArgs, runProcess } from "./processes.js";
import { matcherInputs, measureMatchers } from "./suites/matcher-suite.js";
import { RARE_HITS_PER_GB } from "./suites/suite-context.js";

/** Which parts to measure and how big. */
export interface CheckOptions {
  engines: BenchEngines;
  /** `matcher` (and evtx, in memory) and/or `e2e` (the CLI against cat). */
  parts: ReadonlySet<"matcher" | "e2e">;
  /** Bytes of each in-memory input. */
  matcherBytes: number;
  /** Size of the XML file for the end-to-end ratio. */
  e2eBytes: number;
  seed: number;
  sampling: SampleOptions;
  /** A CLI run slower than this is stopped and its ratio bounded from above. */
  cliTimeoutMs: number;
  progress(line: string): void;
}

/** Measures the check's ratios; never throws for a slow result, only for a wrong one. */
export async function measureCheckRatios(options: CheckOptions): Promise<Map<string, MeasuredRatio>> {
  const ratios = new Map<string, MeasuredRatio>();
  const { engines } = options;
  if (options.parts.has("matcher")) {
    for (const format of ["xml", "flat"] as const) {
      options.progress(`matcher ${format}`);
      const inputs = matcherInputs(format, RARE_HITS_PER_GB, options.matcherBytes, options.matcherBytes, options.seed);
      const speeds = await measureMatchers(inputs, engines, options.sampling, `check ${format}`);
      if (speeds.wasm === undefined) {
        const why = engines.wasmMissing ?? "wasm engine unavailable";
        ratios.set(`matcher.${format}.wasm_vs_reference`, { missing: why });
        ratios.set(`matcher.${format}.wasm_vs_indexof`, { missing: why });
        continue;
      }
      const detail = (other: number) => `wasm ${speeds.wasm?.toFixed(0)} MB/s vs ${other.toFixed(0)} MB/s`;
      ratios.set(`matcher.${format}.wasm_vs_reference`, {
        value: speeds.wasm / speeds.reference,
        detail: detail(speeds.reference),
      });
      ratios.set(`matcher.${format}.wasm_vs_indexof`, {
        value: speeds.wasm / speeds.indexOf,
        detail: detail(speeds.indexOf),
      });
    }
    options.progress("evtx");
    const corpus = buildEvtxCorpus({ size: options.matcherBytes, seed: options.seed, hitsPerGb: RARE_HITS_PER_GB });
    const scan = (mode: "fast" | "reference") => () => {
      let matches = 0;
      scanEvtxBytes(
        corpus.bytes,
        () => {
          matches++;
        },
        { mode },
      );
      expectCount(`evtx ${mode} scan`, matches, corpus.hits);
    };
    const fast = await measure("check evtx fast", scan("fast"), options.sampling);
    const reference = await measure("check evtx reference", scan("reference"), options.sampling);
    ratios.set("evtx.fast_vs_reference", {
      value: reference.medianMs / fast.medianMs,
      detail: `fast ${fast.medianMs.toFixed(1)} ms vs ${reference.medianMs.toFixed(1)} ms`,
    });
  }
  if (options.parts.has("e2e")) ratios.set("e2e.xml.cli_vs_cat", await cliVersusCat(options));
  return ratios;
}

/** The CLI's speed as a fraction of cat's on the same file in page cache. */
async function cliVersusCat(options: CheckOptions): Promise<MeasuredRatio> {
  const { engines } = options;
  if (engines.wasm === undefined) return { missing: engines.wasmMissing ?? "wasm engine unavailable" };
  const file = await textCorpusFile(
    { format: "xml", size: options.e2eBytes, seed: options.seed, hitsPerGb: RARE_HITS_PER_GB },
    "corpus",
  );
  options.progress(`e2e: cat and the CLI on ${file.path}`);
  const cat = await measure(
    "check cat",
    async () => {
      const r = await runProcess("cat", [file.path], { discardStdout: true });
      if (r.status !== 0) throw new Error(`cat: exit status ${r.status}: ${r.stderr}`);
    },
    options.sampling,
  );
  const args = cliScanArgs([file.path], engines.cliFastEngine);
  // The warm-up run also tells a hopelessly slow CLI from a slow one, without waiting for it.
  const first = await runProcess(process.execPath, args, { discardStdout: true, timeoutMs: options.cliTimeoutMs });
  if (first.timedOut) {
    return {
      value: cat.medianMs / options.cliTimeoutMs,
      detail: `the CLI did not finish in ${options.cliTimeoutMs / 1000} s; cat took ${cat.medianMs.toFixed(0)} ms (upper bound)`,
    };
  }
  checkCliRun(first, file.hits, "check cli");
  const cli = await measure(
    "check cli",
    async () => {
      const r = await runProcess(process.execPath, args, { discardStdout: true, timeoutMs: options.cliTimeoutMs });
      checkCliRun(r, file.hits, "check cli");
    },
    { samples: options.sampling.samples, timeMs: 0 },
  );
  return {
    value: cat.medianMs / cli.medianMs,
    detail: `cli ${cli.medianMs.toFixed(0)} ms vs cat ${cat.medianMs.toFixed(0)} ms on ${(file.bytes / 2 ** 20).toFixed(0)} MiB`,
  };
}
