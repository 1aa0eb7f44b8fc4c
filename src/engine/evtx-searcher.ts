/**
 * The EVTX searcher: walks an input's 64 KiB chunk slots in windows (never trusting the file
 * header's chunk count), checks each chunk and hands it to the chunk searcher. Chunks are
 * independent, so a shard is a range of chunk indices and shards add up to the whole file:
 * every record is counted once, by the shard that holds its chunk.
 *
 * Each engine passes what it needs: the reference engine nothing (every record decoded in
 * full), the wasm engine its prefilters. With a prefilter, file bytes are read straight into
 * its input region (fs.readSync into the one view, no allocation per window) and the
 * UTF-16/8-bit `lsass` prefilter runs over the whole window before any chunk is looked at; a
 * chunk with candidates is then asked for `taskmgr` in wasm too before any record of it is
 * decoded.
 */

import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { describeError, ScanError } from "../errors.js";
import { CHUNK_SIZE, chunkOffset, evtxChunkCount, evtxChunksStart, FILE_HEADER_SIZE } from "../formats/evtx/layout.js";
import { type Candidates, EvtxPrefilter } from "../wasm/evtx-prefilter.js";
import { emptyStats, type MatchHandler, type ScanStats, settleMalformedOffsets } from "./engine.js";
import { type ChunkTarget, searchChunkCandidates, searchChunkWhole } from "./evtx-chunk-searcher.js";
import { evtxChunkRangeOfBytes } from "./shard-edges.js";

/** How to search. */
export interface EvtxScanOptions {
  /**
   * The wasm prefilters to search with (decode only records that hold a candidate); without
   * them every record is decoded in full.
   */
  prefilters?: EvtxPrefilters | undefined;
  /** Also recover records from slack and from chunk slots that are not live (reported carved). */
  carve?: boolean | undefined;
  /** Only chunks [first, end) (indices as counted by {@link evtxChunkCount}); the file header goes with chunk 0. */
  chunkRange?: readonly [number, number] | undefined;
}

/**
 * Window of chunks read and prefiltered at once: 128 chunks = 8 MiB. Reads of 16 MiB pieces
 * into a wasm view run at ~17 GB/s (../shared/design/performance.md); 8 MiB windows keep the
 * memory per instance small and are within noise of 16 MiB in bench/evtx.bench.ts.
 */
export const WINDOW_CHUNKS = 128;

/** Where an input's bytes come from. */
interface Source {
  size: number;
  /** Bytes [position, position + length) into `target` at 0. */
  read(target: Uint8Array, position: number, length: number): void;
  /** Bytes [position, position + length) without copying, when the source can. */
  view?(position: number, length: number): Uint8Array;
}

/**
 * Prefilter instances of one compiled matcher, each with a window-sized input region, reused
 * across scans; a scan holds one for its whole length (a scan started from inside onMatch
 * gets another).
 */
export class EvtxPrefilters {
  readonly #module: WebAssembly.Module;
  readonly #free: EvtxPrefilter[] = [];

  constructor(module: WebAssembly.Module) {
    this.#module = module;
  }

  /** A free instance, made when none is. */
  acquire(): EvtxPrefilter {
    return this.#free.pop() ?? new EvtxPrefilter(this.#module, WINDOW_CHUNKS * CHUNK_SIZE);
  }

  /** Gives an instance back for the next scan. */
  release(prefilter: EvtxPrefilter): void {
    this.#free.push(prefilter);
  }
}

const prefiltersByModule = new WeakMap<WebAssembly.Module, EvtxPrefilters>();

/** The prefilters of a compiled matcher in this thread, made at first use. */
export function evtxPrefiltersOf(module: WebAssembly.Module): EvtxPrefilters {
  let prefilters = prefiltersByModule.get(module);
  if (prefilters === undefined) {
    prefilters = new EvtxPrefilters(module);
    prefiltersByModule.set(module, prefilters);
  }
  return prefilters;
}

/** The read buffer of searches without a prefilter, made at first use and kept (scans are synchronous). */
let readBuffer: Uint8Array | undefined;
/** Set while a scan runs, so that a scan started from inside onMatch gets a buffer of its own. */
let scanning = false;

function scanSource(source: Source, head: Uint8Array, onMatch: MatchHandler, options: EvtxScanOptions): ScanStats {
  const nested = scanning;
  scanning = true;
  try {
    return scanChunks(source, head, onMatch, options, nested);
  } finally {
    scanning = nested;
  }
}

function scanChunks(
  source: Source,
  head: Uint8Array,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
  nested: boolean,
): ScanStats {
  const chunksStart = evtxChunksStart(head);
  if (chunksStart === undefined) {
    throw new ScanError("LDS_E_CORRUPT_EVTX", "not an EVTX file (no ElfFile or ElfChnk magic)");
  }
  const stats = emptyStats();
  const total = evtxChunkCount(source.size, chunksStart);
  const [first, end] = options.chunkRange ?? [0, total];
  const firstChunk = Math.max(0, Math.min(first, total));
  const endChunk = Math.max(firstChunk, Math.min(end, total));
  if (first <= 0) {
    stats.bytes += Math.min(chunksStart, source.size);
    if (source.size < chunksStart) {
      stats.problems.push(`file header truncated (${source.size} of ${FILE_HEADER_SIZE} bytes)`);
    }
  }
  const prefilter = options.prefilters?.acquire();
  try {
    scanWindows(source, onMatch, options, nested, stats, prefilter, chunksStart, firstChunk, endChunk);
  } finally {
    if (prefilter !== undefined) options.prefilters?.release(prefilter);
  }
  return settleMalformedOffsets(stats);
}

function scanWindows(
  source: Source,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
  nested: boolean,
  stats: ScanStats,
  prefilter: EvtxPrefilter | undefined,
  chunksStart: number,
  firstChunk: number,
  endChunk: number,
): void {
  let buffer: Uint8Array | undefined;
  if (prefilter === undefined && source.view === undefined) {
    if (nested) buffer = new Uint8Array(WINDOW_CHUNKS * CHUNK_SIZE);
    else buffer = readBuffer ??= new Uint8Array(WINDOW_CHUNKS * CHUNK_SIZE);
  }
  const none: Candidates = { offsets: new Uint32Array(0), count: 0 };
  for (let c = firstChunk; c < endChunk; c += WINDOW_CHUNKS) {
    const chunks = Math.min(WINDOW_CHUNKS, endChunk - c);
    const position = chunkOffset(c, chunksStart);
    const length = Math.min(chunks * CHUNK_SIZE, source.size - position);
    let window: Uint8Array;
    if (prefilter !== undefined) {
      source.read(prefilter.input, position, length);
      window = prefilter.input;
    } else if (buffer !== undefined) {
      source.read(buffer, position, length);
      window = buffer;
    } else {
      window = (source.view as NonNullable<Source["view"]>)(position, length);
    }
    stats.bytes += length;
    const candidates = prefilter === undefined ? none : prefilter.candidates(length);
    let h = 0;
    for (let j = 0; j < chunks; j++) {
      const from = j * CHUNK_SIZE;
      const to = Math.min(from + CHUNK_SIZE, length);
      const chunk = window.subarray(from, to);
      const target: ChunkTarget = {
        index: c + j,
        fileOffset: position + from,
        carve: options.carve === true,
        stats,
        onMatch,
      };
      if (prefilter === undefined) {
        searchChunkWhole(chunk, target);
        continue;
      }
      const offsets = candidates.offsets;
      const begin = h;
      while (h < candidates.count && (offsets[h] as number) < to) h++;
      // Chunk-relative offsets, rewritten in place (the array is scratch, reused per window).
      for (let k = begin; k < h; k++) offsets[k] = (offsets[k] as number) - from;
      const holdsTaskmgr = (): boolean => prefilter.containsTaskmgr(from, to - from);
      searchChunkCandidates(chunk, offsets.subarray(begin, h), h - begin, holdsTaskmgr, target);
    }
  }
}

/**
 * Scans an EVTX input held in memory (a stream read to its end, an archive member). Calls
 * `onMatch` for every matching record in input order; damage goes to `problems`. Throws
 * ScanError (LDS_E_CORRUPT_EVTX) when the bytes are not EVTX at all.
 */
export function scanEvtxBytes(bytes: Uint8Array, onMatch: MatchHandler, options: EvtxScanOptions): ScanStats {
  const source: Source = {
    size: bytes.length,
    read: (target, position, length) => target.set(bytes.subarray(position, position + length)),
    view: (position, length) => bytes.subarray(position, position + length),
  };
  return scanSource(source, bytes.subarray(0, 8), onMatch, options);
}

/**
 * Scans the chunks of an EVTX file that start in bytes [start, end): a shard, counted by the
 * same "starts in the range" rule as text shards. Throws ScanError (LDS_E_INPUT_UNREADABLE)
 * when the file cannot be read.
 */
export async function scanEvtxFileRange(
  path: string,
  start: number,
  end: number,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
): Promise<ScanStats> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), path, { cause: err });
  }
  return scanEvtxFile(path, onMatch, { ...options, chunkRange: evtxChunkRangeOfBytes(start, end, size) });
}

/**
 * Scans an EVTX byte stream (an archive member, stdin). Chunks need random access (string and
 * template offsets point back into the chunk), so the stream is gathered whole first.
 */
export async function scanEvtxStream(
  chunks: AsyncIterable<Uint8Array>,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
): Promise<ScanStats> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return scanEvtxBytes(Buffer.concat(parts), onMatch, options);
}

/**
 * Scans an EVTX file (or, with `chunkRange`, one shard of it). Reads with fs.readSync into a
 * buffer made once per scan (with prefilters: the wasm input region). Rejects with ScanError when the
 * file cannot be read (LDS_E_INPUT_UNREADABLE) or is not EVTX (LDS_E_CORRUPT_EVTX).
 */
export async function scanEvtxFile(path: string, onMatch: MatchHandler, options: EvtxScanOptions): Promise<ScanStats> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), path, { cause: err });
  }
  try {
    const size = fstatSync(fd).size;
    const source: Source = {
      size,
      read(target, position, length) {
        let done = 0;
        while (done < length) {
          const n = readSync(fd, target, done, length - done, position + done);
          if (n === 0) throw new ScanError("LDS_E_INPUT_UNREADABLE", "file shrank while being read", path);
          done += n;
        }
      },
    };
    const head = new Uint8Array(Math.min(8, size));
    source.read(head, 0, head.length);
    return scanSource(source, head, onMatch, options);
  } catch (err) {
    if (err instanceof ScanError) {
      throw err.input === undefined ? new ScanError(err.code, err.message, path, { cause: err }) : err;
    }
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), path, { cause: err });
  } finally {
    closeSync(fd);
  }
}

/**
 * How many chunk slots (shards' unit) an EVTX file has, counted from its size and magic (a
 * lone chunk has no file header). Throws ScanError when it cannot be read or is not EVTX.
 */
export function evtxFileChunkCount(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), path, { cause: err });
  }
  try {
    const head = new Uint8Array(8);
    const n = readSync(fd, head, 0, 8, 0);
    const start = evtxChunksStart(head.subarray(0, n));
    if (start === undefined) throw new ScanError("LDS_E_CORRUPT_EVTX", "not an EVTX file", path);
    return evtxChunkCount(fstatSync(fd).size, start);
  } finally {
    closeSync(fd);
  }
}
