/**
 * The fast engine: the WebAssembly SIMD matcher (assembly/) behind the Engine interface.
 *
 * Text formats go through a TextSearcher (src/wasm/text-searcher.ts): files are read with
 * fs.readSync straight into the matcher's input region, streams are copied chunk by chunk into
 * it. EVTX goes to the EVTX module's fast mode (src/formats/evtx/), with the same compiled
 * module. Shards: {@link Engine.scanFileRange} scans the records whose sync point (JSON: a `{`
 * at column 0 that cannot continue an open record, see assembly/json-scan.ts, or the file's
 * start; XML: the record's `<Event`) lies in [start, end), reading
 * past `end` to the next sync point; sync points are where the reference splitters' state never
 * depends on earlier bytes, so shards cut anywhere add up to the whole file.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { describeError, ScanError } from "../errors.js";
import { scanEvtxFile, scanEvtxFileRange, scanEvtxStream } from "../formats/evtx/index.js";
import type { LogFormat, TextFormat } from "../formats/log-format.js";
import { Matcher } from "../wasm/matcher.js";
import { loadMatcherModule, type MatcherBuild } from "../wasm/matcher-module.js";
import { TextSearcher } from "../wasm/text-searcher.js";
import { type Engine, emptyStats, type MatchHandler, type ScanStats } from "./engine.js";

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

/** Window for looking for a sync point near a shard's edges. */
const SYNC_WINDOW = 64 * 1024;

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

function openInput(path: string): number {
  return fsCall(path, () => openSync(path, "r"));
}

/** fs calls on an input, with their errors as ScanError (errors of onMatch pass through as they are). */
function fsCall<T>(path: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), path, { cause: err });
  }
}

/** Reads file bytes [from, to) into the searcher's region as it fills. */
function readInto(path: string, fd: number, searcher: TextSearcher, matcher: Matcher, from: number, to: number): void {
  let position = from;
  while (position < to) {
    const length = Math.min(searcher.writeSpace, to - position);
    const n = fsCall(path, () => readSync(fd, matcher.input, searcher.writeOffset, length, position));
    if (n === 0) break; // the file shrank: scan what was there
    position += n;
    searcher.commit(n);
  }
}

function isOpenTagEnd(c: number | undefined): boolean {
  return c === 0x3e || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f;
}

const LOOKBACK = 4096;

function isBlank(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Reads file bytes backwards from `before` (exclusive): the last one that is not white space, or -1. */
function lastSignificantInFile(fd: number, before: number, buffer: Buffer): number {
  let end = before;
  while (end > 0) {
    const from = Math.max(0, end - buffer.length);
    const n = readSync(fd, buffer, 0, end - from, from);
    for (let i = n - 1; i >= 0; i--) if (!isBlank(buffer[i])) return from + i;
    end = from;
  }
  return -1;
}

/** A byte of a JSON number or literal. */
function isScalarByte(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2b || c === 0x2d || c === 0x2e
  );
}

/** assembly/json-scan.ts isElementLine over `line` (the bytes from column 0 up to a `,`). */
function isElementLine(line: Buffer): boolean {
  const c = line[0];
  if (c === undefined) return false;
  if (c === 0x7d || c === 0x5d) return line.length === 1;
  if (c === 0x22) {
    for (let i = 1; i < line.length; i++) {
      if (line[i] === 0x5c) i++;
      else if (line[i] === 0x22) return i + 1 === line.length;
    }
    return false;
  }
  return line.every(isScalarByte);
}

/** Longest line {@link mayContinueInFile} reads back; a longer one is taken as "may continue" (no sync point). */
const MAX_ELEMENT_LINE = 1 << 16;

/**
 * True when a `{` after the line feed at `lf` may continue an open JSON record rather than start
 * one: assembly/json-scan.ts mayContinue, with the file's start as the floor.
 */
function mayContinueInFile(fd: number, lf: number): boolean {
  const buffer = Buffer.alloc(LOOKBACK);
  const k = lastSignificantInFile(fd, lf, buffer);
  if (k < 0) return false;
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, k);
  if (one[0] === 0x5b) return true;
  if (one[0] !== 0x2c) return false;
  const from = Math.max(0, k - MAX_ELEMENT_LINE);
  const before = Buffer.alloc(k - from);
  const n = readSync(fd, before, 0, before.length, from);
  const lineStart = before.lastIndexOf(0x0a, n - 1) + 1;
  if (lineStart === 0 && from > 0) return true;
  return isElementLine(before.subarray(lineStart, n));
}

/**
 * The first sync point at or after file offset `at` (see the module comment), or `size`.
 * Offset 0 is the stream's start, a sync point of every format.
 */
function firstSyncAtOrAfter(fd: number, format: TextFormat, at: number, size: number, window: Buffer): number {
  if (at <= 0) return 0;
  const xml = format === "xml";
  const needle = xml ? "<Event" : "\n{";
  // XML: `<Event` and the byte after it; JSON: the line feed and `{`.
  const overlap = xml ? 6 : 1;
  let position = xml ? at : Math.max(0, at - 1);
  while (position < size) {
    const n = readSync(fd, window, 0, Math.min(window.length, size - position), position);
    if (n === 0) break;
    const view = window.subarray(0, n);
    const last = position + n >= size;
    for (let hit = view.indexOf(needle); hit >= 0; hit = view.indexOf(needle, hit + 1)) {
      if (xml) {
        if (hit + 6 >= n) break; // decide in the next window (or: nothing opens at the very end)
        if (isOpenTagEnd(view[hit + 6])) return position + hit;
      } else if (position + hit + 1 >= at && hit + 1 < n && !mayContinueInFile(fd, position + hit)) {
        return position + hit + 1;
      }
    }
    if (last) break;
    position += n - overlap;
  }
  return size;
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
  const evtxOptions = () => ({ mode: "fast" as const, carve: options.carve === true, wasmModule: moduleOf() });
  const syncWindow = Buffer.alloc(SYNC_WINDOW);

  function scanFileSpan(
    path: string,
    format: TextFormat,
    start: number,
    end: number | undefined,
    onMatch: MatchHandler,
  ): ScanStats {
    const fd = openInput(path);
    const matcher = pool.acquire();
    try {
      const stats = emptyStats();
      const size = fsCall(path, () => fstatSync(fd).size);
      let from = 0;
      let to = size;
      if (end !== undefined) {
        from = fsCall(path, () => firstSyncAtOrAfter(fd, format, start, size, syncWindow));
        if (from >= Math.min(end, size)) return stats;
        to = fsCall(path, () => firstSyncAtOrAfter(fd, format, end, size, syncWindow));
      }
      const searcher = new TextSearcher(matcher, format, onMatch, stats, from === 0, from);
      readInto(path, fd, searcher, matcher, from, to);
      searcher.finish();
      return stats;
    } finally {
      pool.release(matcher);
      closeSync(fd);
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
        for await (const chunk of chunks) searcher.push(chunk);
        searcher.finish();
        return stats;
      } finally {
        pool.release(matcher);
      }
    },
    async scanFile(path: string, format: LogFormat, onMatch: MatchHandler): Promise<ScanStats> {
      if (format === "evtx") return scanEvtxFile(path, onMatch, evtxOptions());
      return scanFileSpan(path, format, 0, undefined, onMatch);
    },
    async scanFileRange(path: string, format: LogFormat, start: number, end: number, onMatch: MatchHandler) {
      if (format === "evtx") return scanEvtxFileRange(path, start, end, onMatch, evtxOptions());
      return scanFileSpan(path, format, start, end, onMatch);
    },
    canShard: () => true,
  };
}

/** The wasm engine with the release build and default blocks (made at first use). */
export const wasmEngine: Engine = createWasmEngine();
