/**
 * The fast engine: the WebAssembly SIMD matcher (assembly/) behind the Engine interface.
 *
 * Text formats go through a TextSearcher (src/engine/text-searcher.ts): files (and remote
 * objects: a ByteSource, src/source/) are read straight into the matcher's input region, streams are copied chunk by chunk into
 * it. EVTX goes to the EVTX searcher (src/engine/evtx-searcher.ts) with this engine's prefilters, of
 * the same compiled module. Shards: {@link Engine.scanFileRange} scans the records whose sync
 * point lies in [start, end) (src/engine/shard-edges.ts), reading past `end` to the next sync
 * point; sync points are where the reference splitters' state never depends on earlier bytes,
 * so shards cut anywhere add up to the whole file.
 */

import type { LogFormat, TextFormat } from "../formats/log-format.js";
import { type ByteSource, openByteSource, type SourceLocation } from "../source/byte-source.js";
import { Matcher } from "../wasm/matcher.js";
import { loadMatcherModule, type MatcherBuild } from "../wasm/module.js";
import { untilFailure } from "./cut-stream.js";
import { type Engine, emptyStats, type MatchHandler, type ScanStats } from "./engine.js";
import {
  type EvtxScanOptions,
  evtxPrefiltersOf,
  scanEvtxFile,
  scanEvtxFileRange,
  scanEvtxStream,
} from "./evtx-searcher.js";
import { firstSyncAtOrAfter } from "./shard-edges.js";
import { TextSearcher } from "./text-searcher.js";

/**
 * Input region per matcher instance: 4 MiB. Whole-file scans of generated XML from the page
 * cache (fs.readSync into the region, then the scan), bench/matcher.bench.ts's block table on
 * the 2-core EPYC VM, medians of two runs (128 and 256 MiB files): 256 KiB 6.9 / 7.1 GB/s,
 * 1 MiB 8.2 / 8.5, 4 MiB 8.3 / 6.8, 16 MiB 6.7 / 8.1, 64 MiB 5.8 / 6.9. From 1 to 16 MiB the
 * differences are noise; below, the per-block calls and carries show; above, the block falls
 * out of cache between the read and the scan. 4 MiB keeps each worker's memory small. A record
 * longer than this takes the slow path (the reference parser).
 */
export const DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024;

/** Options of {@link createWasmEngine}. */
export interface WasmEngineOptions {
  /** The compiled matcher (compile once, hand to workers); by default build/matcher.wasm. */
  module?: WebAssembly.Module | undefined;
  /** Which build to load when `module` is not given. */
  build?: MatcherBuild | undefined;
  /** Input region size per instance (tests use tiny blocks to force every boundary). */
  blockBytes?: number | undefined;
  /** EVTX: also recover records from slack space (reported as carved). */
  carve?: boolean | undefined;
}

/** Matchers of one engine, reused across scans (a scan holds one for its whole length). */
class MatcherPool {
  readonly #free: Matcher[] = [];
  readonly #module: () => WebAssembly.Module;
  readonly #blockBytes: number;

  constructor(module: () => WebAssembly.Module, blockBytes: number) {
    this.#module = module;
    this.#blockBytes = blockBytes;
  }

  acquire(): Matcher {
    return this.#free.pop() ?? new Matcher(this.#module(), this.#blockBytes);
  }

  release(matcher: Matcher): void {
    this.#free.push(matcher);
  }
}

/** Reads source bytes [from, to) into the searcher's region as it fills. */
async function readInto(source: ByteSource, searcher: TextSearcher, matcher: Matcher, from: number, to: number) {
  source.expect(from, to);
  let position = from;
  while (position < to) {
    const length = Math.min(searcher.writeSpace, to - position);
    const n = await source.read(matcher.input, searcher.writeOffset, length, position);
    if (n === 0) break; // the input shrank: scan what was there
    position += n;
    searcher.commit(n);
  }
}

/**
 * Builds a wasm engine. Each concurrent scan takes its own matcher instance (memory sized once
 * at creation); instances are kept for reuse.
 */
export function createWasmEngine(options: WasmEngineOptions = {}): Engine {
  let module = options.module;
  const moduleOf = (): WebAssembly.Module => {
    module ??= loadMatcherModule(options.build ?? "release");
    return module;
  };
  const pool = new MatcherPool(moduleOf, options.blockBytes ?? DEFAULT_BLOCK_BYTES);
  const evtxOptions = (): EvtxScanOptions => ({
    carve: options.carve === true,
    prefilters: evtxPrefiltersOf(moduleOf()),
  });

  async function scanSpan(
    location: SourceLocation,
    format: TextFormat,
    start: number,
    end: number | undefined,
    onMatch: MatchHandler,
  ): Promise<ScanStats> {
    const source = await openByteSource(location);
    const matcher = pool.acquire();
    try {
      const stats = emptyStats();
      let from = 0;
      let to = source.size;
      if (end !== undefined) {
        from = await firstSyncAtOrAfter(source, format, start);
        if (from >= Math.min(end, source.size)) return stats;
        to = await firstSyncAtOrAfter(source, format, end);
      }
      const searcher = new TextSearcher(matcher, format, onMatch, stats, from === 0, from);
      await readInto(source, searcher, matcher, from, to);
      searcher.finish();
      return stats;
    } finally {
      pool.release(matcher);
      await source.close();
    }
  }

  return {
    name: "wasm",
    async scanStream(chunks: AsyncIterable<Uint8Array>, format: LogFormat, onMatch: MatchHandler): Promise<ScanStats> {
      if (format === "evtx") return scanEvtxStream(chunks, onMatch, evtxOptions());
      const matcher = pool.acquire();
      try {
        const stats = emptyStats();
        const searcher = new TextSearcher(matcher, format, onMatch, stats);
        // A stream cut short: the block held is scanned before the failure is reported.
        const source = untilFailure(chunks);
        for await (const chunk of source.chunks) searcher.push(chunk);
        searcher.finish();
        source.rethrow();
        return stats;
      } finally {
        pool.release(matcher);
      }
    },
    async scanFile(path: SourceLocation, format: LogFormat, onMatch: MatchHandler): Promise<ScanStats> {
      if (format === "evtx") return scanEvtxFile(path, onMatch, evtxOptions());
      return scanSpan(path, format, 0, undefined, onMatch);
    },
    async scanFileRange(path: SourceLocation, format: LogFormat, start: number, end: number, onMatch: MatchHandler) {
      if (format === "evtx") return scanEvtxFileRange(path, start, end, onMatch, evtxOptions());
      return scanSpan(path, format, start, end, onMatch);
    },
    canShard: () => true,
  };
}
