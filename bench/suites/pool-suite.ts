/**
 * Pool scaling: `scanParallel` (the CLI's searcher) on one generated file in page cache, with
 * 1..N worker threads at the default shard size, then every shard size at N workers. Text is
 * measured with the wasm engine (the reference engine scans text files whole, on one thread,
 * so it has nothing to scale); EVTX, which both engines shard by chunk, with the fastest
 * engine this build has.
 */

import type { EngineName } from "../../src/engine/engine.js";
import type { LogFormat } from "../../src/formats/log-format.js";
import { DEFAULT_SHARD_SIZE, scanParallel } from "../../src/pool/parallel-scan.js";
import { formatSize } from "../config.js";
import { type DataFile, evtxCorpusFile, textCorpusFile } from "../data-store.js";
import { expectCount, measure, megabytesPerSecond } from "../measure.js";
import { formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { RARE_HITS_PER_GB, type Suite, type SuiteContext } from "./suite-context.js";

/** Times one scanParallel configuration; returns its median ms. */
async function timePool(
  context: SuiteContext,
  file: DataFile,
  format: LogFormat,
  engine: EngineName,
  workers: number,
  shardSize: number,
): Promise<number> {
  const label = `pool ${format} ${engine} ${workers}w ${formatSize(shardSize)}`;
  context.progress(label);
  const timing = await measure(
    label,
    async () => {
      const result = await scanParallel([file.path], { engine, workers, shardSize, inputFormat: format });
      if (result.problems.length > 0) throw new Error(`${label}: ${result.problems[0]?.message}`);
      expectCount(label, result.stats.matches, file.hits);
    },
    // In process and well under a second a scan: sample like the matcher (≥ 5 calls, ≥ 1 s),
    // since 3 runs on a shared 2-core machine gave medians that moved by 2× between neighbours.
    context.sampling,
  );
  return timing.medianMs;
}

async function sweep(
  context: SuiteContext,
  file: DataFile,
  format: LogFormat,
  engine: EngineName,
  engineLabel: string,
  shardSizes: readonly number[],
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const caseText = `${format} ${formatSize(file.bytes)}`;
  const note = hitsChecked(file.hits);
  const { poolWorkers } = context.config;
  let oneWorkerMs: number | undefined;
  for (const workers of poolWorkers) {
    const ms = await timePool(context, file, format, engine, workers, DEFAULT_SHARD_SIZE);
    if (workers === 1) oneWorkerMs = ms;
    rows.push({
      suite: "pool",
      case: caseText,
      subject: `${engineLabel}, ${workers} worker${workers === 1 ? "" : "s"}, ${formatSize(DEFAULT_SHARD_SIZE)} shards`,
      medianMs: ms,
      mbps: megabytesPerSecond(file.bytes, ms),
      ratios: oneWorkerMs === undefined || workers === 1 ? undefined : `${formatRatio(oneWorkerMs / ms)} 1 worker`,
      note,
    });
  }
  const most = Math.max(...poolWorkers);
  for (const shardSize of shardSizes) {
    if (shardSize === DEFAULT_SHARD_SIZE) continue;
    const ms = await timePool(context, file, format, engine, most, shardSize);
    rows.push({
      suite: "pool",
      case: caseText,
      subject: `${engineLabel}, ${most} worker${most === 1 ? "" : "s"}, ${formatSize(shardSize)} shards`,
      medianMs: ms,
      mbps: megabytesPerSecond(file.bytes, ms),
      ratios: oneWorkerMs === undefined ? undefined : `${formatRatio(oneWorkerMs / ms)} 1 worker`,
      note,
    });
  }
  return rows;
}

/** The pool suite. */
export const poolSuite: Suite = async (context) => {
  const { config, engines } = context;
  const rows: ResultRow[] = [];
  if (engines.wasm !== undefined) {
    const xml = await textCorpusFile(
      { format: "xml", size: config.poolSize, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
      "corpus",
    );
    rows.push(...(await sweep(context, xml, "xml", engines.cliFastEngine, engines.fastLabel, config.shardSizes)));
  } else {
    rows.push({
      suite: "pool",
      case: `xml ${formatSize(config.poolSize)}`,
      subject: "wasm",
      note: `${engines.wasmMissing}; the reference engine does not shard text`,
    });
  }
  const evtx = evtxCorpusFile({ size: config.poolEvtxSize, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB }, "pool");
  const evtxEngine: EngineName = engines.wasm !== undefined ? engines.cliFastEngine : "reference";
  const evtxLabel = engines.wasm !== undefined ? engines.fastLabel : "reference";
  // EVTX: the worker sweep, and the shard sizes that still give every worker a shard.
  const evtxShards = config.shardSizes.filter((s) => s <= evtx.bytes / 2);
  rows.push(...(await sweep(context, evtx, "evtx", evtxEngine, evtxLabel, evtxShards)));
  return rows;
};
