/**
 * What `npm run bench:check` measures: a few ratios, each between two things timed side by
 * side in the same process run, small enough to finish in well under 3 minutes on the 2-core
 * CI VM including making the data:
 *
 * - matcher.<format>.wasm_vs_reference and .wasm_vs_indexof: the wasm engine against the
 *   reference engine and the plain-JS baseline, on one 4 MiB input (XML and flat JSON, rare
 *   hits), in memory;
 * - prefilter.<format>.wasm_vs_indexof: the wasm SIMD prefilter alone against fold + indexOf
 *   alone on the same bytes: the ratio that drops when the kernel stops being vectorized;
 * - evtx.fast_vs_reference: the EVTX fast scan against the reference scan, 4 MiB in memory;
 * - e2e.xml.cli_vs_cat: the CLI's throughput on a 1 GiB XML file in page cache as a fraction
 *   of `cat FILE > /dev/null` on the same file;
 * - embed.<format>.scanner_vs_matcher and embed.xml.prefilter_stream_vs_pipe: the embedding
 *   API against the CLI's one-thread matcher and against a plain file-stream pipe
 *   (bench/embed-measure.ts);
 * - dense.<format>.dense_vs_rare: the wasm engine on dense hits (one per 10 KiB) against the
 *   same on rare hits, 8 MiB each in memory: what each hit costs, relative to the scan
 *   (issue 12: decided hits, interned strings, the cheaper confirm).
 *
 * Each comparison: one warm-up call of each subject, then `rounds` interleaved rounds (one
 * call of each per round); a ratio is the median of the per-round ratios (see `interleave`).
 */

import type { Engine } from "../src/engine/engine.js";
import { engineByName } from "../src/engine/engines.js";
import { evtxPrefiltersOf, scanEvtxBytes } from "../src/engine/evtx-searcher.js";
import { loadMatcherModule } from "../src/wasm/module.js";
import type { BenchEngines } from "./bench-engines.js";
import type { MeasuredRatio } from "./check-ratios.js";
import { textCorpusFile } from "./data-store.js";
import { prefilterVersusPipe, scannerVersusMatcher } from "./embed-measure.js";
import { buildEvtxCorpus } from "./evtx-corpus.js";
import { countAnchor } from "./indexof-baseline.js";
import { expectCount, interleave, median, medianRatio } from "./measure.js";
import { WasmPrefilter } from "./prefilter-kernels.js";
import { checkCliRun, cliScanArgs, runProcess } from "./processes.js";
import { engineScanAll, indexOfScanAll, type MatcherInputs, matcherInputs } from "./suites/matcher-suite.js";
import { RARE_HITS_PER_GB } from "./suites/suite-context.js";

/** Hits per GB of the dense inputs: one per 10 KiB (bench/suites/suite-context.ts DENSITIES). */
const DENSE_HITS_PER_GB = 2 ** 30 / 10240;

/** Which parts to measure and how big. */
export interface CheckOptions {
  engines: BenchEngines;
  /**
   * `matcher` (and evtx, in memory), `e2e` (the CLI against cat), `embed` (the embedding API),
   * `dense` (dense hits against rare ones).
   */
  parts: ReadonlySet<CheckPart>;
  /** Bytes of each in-memory input. */
  matcherBytes: number;
  /** Size of the XML file for the end-to-end ratio. */
  e2eBytes: number;
  seed: number;
  /** Interleaved rounds per comparison (in process); the CLI gets at least 3. */
  rounds: number;
  /** A CLI run slower than this is stopped and its ratio bounded from above. */
  cliTimeoutMs: number;
  progress(line: string): void;
}

/**
 * The parts bench:check measures (`LDS_BENCH_CHECK_PARTS`, all by default); `startup` and
 * `threads` are bench/check-speed.ts's, `text` bench/check-text.ts's.
 */
export const CHECK_PARTS = ["matcher", "e2e", "embed", "dense", "startup", "threads", "text"] as const;
/** One part of bench:check. */
export type CheckPart = (typeof CHECK_PARTS)[number];

/** Which part measures the ratio called `name`. */
export function checkPartOf(name: string): CheckPart {
  if (name.startsWith("e2e.")) return "e2e";
  if (name.startsWith("embed.")) return "embed";
  if (name.startsWith("dense.")) return "dense";
  if (name.startsWith("startup.")) return "startup";
  if (name.startsWith("text.")) return "text";
  if (name.startsWith("threads.") || name.startsWith("evtx_folder.")) return "threads";
  return "matcher";
}

/** Bytes of the embedding API's inputs: 16 MiB in memory, and a 64 MiB file for the stream. */
const EMBED_MEMORY_BYTES = 16 * 2 ** 20;
const EMBED_FILE_BYTES = 64 * 2 ** 20;

const mbps = (bytes: number, ms: readonly number[]) => (bytes / median(ms) / 1000).toFixed(0);

/** Measures the check's ratios; never throws for a slow result, only for a wrong one. */
export async function measureCheckRatios(options: CheckOptions): Promise<Map<string, MeasuredRatio>> {
  const ratios = new Map<string, MeasuredRatio>();
  const { engines } = options;
  if (options.parts.has("matcher")) {
    for (const format of ["xml", "flat"] as const) {
      options.progress(`matcher ${format}`);
      const inputs = matcherInputs(format, RARE_HITS_PER_GB, options.matcherBytes, options.matcherBytes, options.seed);
      const wasm = engines.wasm;
      if (wasm === undefined) {
        const why = engines.wasmMissing ?? "wasm engine unavailable";
        ratios.set(`matcher.${format}.wasm_vs_reference`, { missing: why });
        ratios.set(`matcher.${format}.wasm_vs_indexof`, { missing: why });
        continue;
      }
      const times = await interleave(
        [
          {
            name: "wasm",
            fn: async () => expectCount(`wasm, ${format}`, await engineScanAll(wasm, inputs), inputs.hits),
          },
          {
            name: "reference",
            fn: async () =>
              expectCount(`reference, ${format}`, await engineScanAll(engines.reference, inputs), inputs.hits),
          },
          { name: "indexOf", fn: () => expectCount(`indexOf, ${format}`, indexOfScanAll(inputs), inputs.hits) },
        ],
        options.rounds,
      );
      const [w, r, i] = [times.get("wasm") ?? [], times.get("reference") ?? [], times.get("indexOf") ?? []];
      ratios.set(
        `prefilter.${format}.wasm_vs_indexof`,
        await prefilterRatio(inputs, options.rounds * 3, engines.selfTestSlow),
      );
      ratios.set(`matcher.${format}.wasm_vs_reference`, {
        value: medianRatio(r, w),
        detail: `medians: wasm ${mbps(inputs.bytes, w)} MB/s, reference ${mbps(inputs.bytes, r)} MB/s`,
      });
      ratios.set(`matcher.${format}.wasm_vs_indexof`, {
        value: medianRatio(i, w),
        detail: `medians: wasm ${mbps(inputs.bytes, w)} MB/s, indexOf ${mbps(inputs.bytes, i)} MB/s`,
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
        mode === "fast" ? { prefilters: evtxPrefiltersOf(loadMatcherModule()) } : {},
      );
      expectCount(`evtx ${mode} scan`, matches, corpus.hits);
    };
    const times = await interleave(
      [
        { name: "fast", fn: scan("fast") },
        { name: "reference", fn: scan("reference") },
      ],
      options.rounds,
    );
    const [f, r] = [times.get("fast") ?? [], times.get("reference") ?? []];
    ratios.set("evtx.fast_vs_reference", {
      value: medianRatio(r, f),
      detail: `medians: fast ${mbps(corpus.bytes.length, f)} MB/s, reference ${mbps(corpus.bytes.length, r)} MB/s`,
    });
  }
  if (options.parts.has("e2e")) ratios.set("e2e.xml.cli_vs_cat", await cliVersusCat(options));
  if (options.parts.has("embed")) await measureEmbed(options, ratios);
  if (options.parts.has("dense")) await measureDense(options, ratios);
  return ratios;
}

/**
 * The wasm engine's speed on dense hits as a fraction of its speed on rare hits, same size, in
 * interleaved rounds. Before issue 12 every hit cost ~5 us of confirmation and string building
 * (~0.26-0.29 here); the self-test's reference engine parses every record either way (~1), so
 * only a revert shows this guard (bench/RESULTS.md).
 */
async function measureDense(options: CheckOptions, ratios: Map<string, MeasuredRatio>): Promise<void> {
  const { engines } = options;
  for (const format of ["xml", "flat"] as const) {
    const name = `dense.${format}.dense_vs_rare`;
    const wasm = engines.selfTestSlow ? engines.reference : engines.wasm;
    if (wasm === undefined) {
      ratios.set(name, { missing: engines.wasmMissing ?? "wasm engine unavailable" });
      continue;
    }
    options.progress(`dense ${format}`);
    const bytes = 2 * options.matcherBytes;
    const dense = matcherInputs(format, DENSE_HITS_PER_GB, bytes, bytes, options.seed);
    const rare = matcherInputs(format, RARE_HITS_PER_GB, bytes, bytes, options.seed);
    const times = await interleave(
      [
        {
          name: "dense",
          fn: async () => expectCount(`dense, ${format}`, await engineScanAll(wasm, dense), dense.hits),
        },
        { name: "rare", fn: async () => expectCount(`rare, ${format}`, await engineScanAll(wasm, rare), rare.hits) },
      ],
      options.rounds * 2,
    );
    const [d, r] = [times.get("dense") ?? [], times.get("rare") ?? []];
    ratios.set(name, {
      value: medianRatio(r, d) * (dense.bytes / rare.bytes),
      detail: `medians: dense ${mbps(dense.bytes, d)} MB/s (${dense.hits} hits), rare ${mbps(rare.bytes, r)} MB/s`,
    });
  }
}

/** The embedding API's ratios (see bench/embed-measure.ts). */
async function measureEmbed(options: CheckOptions, ratios: Map<string, MeasuredRatio>): Promise<void> {
  const names = ["embed.xml.scanner_vs_matcher", "embed.flat.scanner_vs_matcher", "embed.xml.prefilter_stream_vs_pipe"];
  // The baseline is always the real wasm matcher; in the self-test the reference engine stands
  // in for the embedding API (bench/embed-measure.ts), so the ratios must fail.
  const standIn = options.engines.selfTestSlow ? options.engines.reference : undefined;
  let wasm: Engine;
  try {
    wasm =
      standIn === undefined && options.engines.wasm !== undefined ? options.engines.wasm : await engineByName("wasm");
  } catch (err) {
    const why = options.engines.wasmMissing ?? `wasm engine unavailable (${String(err)})`;
    for (const name of names) ratios.set(name, { missing: why });
    return;
  }
  const mb = (bytes: number, ms: number) => (bytes / ms / 1000).toFixed(0);
  for (const format of ["xml", "flat"] as const) {
    options.progress(`embed ${format}: createScanner vs the matcher`);
    const inputs = matcherInputs(format, RARE_HITS_PER_GB, EMBED_MEMORY_BYTES, EMBED_MEMORY_BYTES, options.seed);
    const c = await scannerVersusMatcher(wasm, inputs.whole, format, inputs.hits, options.rounds, standIn);
    ratios.set(`embed.${format}.scanner_vs_matcher`, {
      value: c.ratio,
      detail: `medians: createScanner ${mb(inputs.bytes, c.subjectMs)} MB/s, matcher ${mb(inputs.bytes, c.baselineMs)} MB/s`,
    });
  }
  const file = await textCorpusFile(
    { format: "xml", size: EMBED_FILE_BYTES, seed: options.seed, hitsPerGb: RARE_HITS_PER_GB },
    "check-embed",
  );
  options.progress(`embed: createPrefilterStream vs a plain pipe on ${file.path}`);
  const p = await prefilterVersusPipe(file.path, file.hits, options.rounds, standIn);
  ratios.set("embed.xml.prefilter_stream_vs_pipe", {
    value: p.ratio,
    detail: `medians: prefilter stream ${mb(file.bytes, p.subjectMs)} MB/s, plain pipe ${mb(file.bytes, p.baselineMs)} MB/s`,
  });
}

/**
 * The wasm prefilter alone against fold + indexOf alone, after checking they agree. Self-test
 * (`slow`): the indexOf prefilter stands in for the wasm one.
 */
async function prefilterRatio(inputs: MatcherInputs, rounds: number, slow: boolean): Promise<MeasuredRatio> {
  const wasm = new WasmPrefilter(inputs.whole, inputs.format);
  const expected = countAnchor(inputs.whole);
  const wasmCount = slow ? () => countAnchor(inputs.whole) : () => wasm.candidates().anchors;
  const times = await interleave(
    [
      { name: "wasm", fn: () => expectCount("wasm prefilter", wasmCount(), expected) },
      { name: "indexOf", fn: () => expectCount("indexOf prefilter", countAnchor(inputs.whole), expected) },
    ],
    rounds,
  );
  const [w, i] = [times.get("wasm") ?? [], times.get("indexOf") ?? []];
  return {
    value: medianRatio(i, w),
    detail: `medians: wasm ${mbps(inputs.bytes, w)} MB/s, indexOf ${mbps(inputs.bytes, i)} MB/s`,
  };
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
  const cat = async () => {
    const r = await runProcess("cat", [file.path], { discardStdout: true });
    if (r.status !== 0) throw new Error(`cat: exit status ${r.status}: ${r.stderr}`);
  };
  const args = cliScanArgs([file.path], engines.cliFastEngine);
  const cli = async () => {
    const r = await runProcess(process.execPath, args, { discardStdout: true, timeoutMs: options.cliTimeoutMs });
    checkCliRun(r, file.hits, "check cli");
  };
  // A first run tells a hopelessly slow CLI from a slow one without waiting for it.
  await cat();
  const catStarted = performance.now();
  await cat();
  const catMs = performance.now() - catStarted;
  const first = await runProcess(process.execPath, args, { discardStdout: true, timeoutMs: options.cliTimeoutMs });
  if (first.timedOut) {
    return {
      value: catMs / options.cliTimeoutMs,
      detail: `the CLI did not finish in ${options.cliTimeoutMs / 1000} s, cat took ${catMs.toFixed(0)} ms: an upper bound`,
    };
  }
  checkCliRun(first, file.hits, "check cli");
  const times = await interleave(
    [
      { name: "cat", fn: cat },
      { name: "cli", fn: cli },
    ],
    Math.max(3, Math.ceil(options.rounds / 2)),
  );
  const [c, l] = [times.get("cat") ?? [], times.get("cli") ?? []];
  return {
    value: medianRatio(c, l),
    detail: `medians: cli ${mbps(file.bytes, l)} MB/s, cat ${mbps(file.bytes, c)} MB/s on ${(file.bytes / 2 ** 20).toFixed(0)} MiB`,
  };
}
