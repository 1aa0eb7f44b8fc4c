/**
 * The EVTX searcher: walks an input's 64 KiB chunk slots in windows (never trusting the file
 * header's chunk count), checks each chunk and hands it to the chunk searcher. Chunks are
 * independent, so a shard is a range of chunk indices and shards add up to the whole file:
 * every record is counted once, by the shard that holds its chunk.
 *
 * Each engine passes what it needs: the reference engine nothing (every record decoded in
 * full), the wasm engine its prefilters. With a prefilter, input bytes (a file, or a remote
 * object: a ByteSource) are read straight into its input region (no allocation per window) and the
 * UTF-16/8-bit `.dmp` prefilter runs over the whole window before any chunk is looked at; a
 * chunk with candidates is then asked for `taskmgr` in wasm too before any record of it is
 * decoded.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { describeError, ScanError } from "../errors.js";
import {
  CHUNK_SIZE,
  chunkOffset,
  evtxChunkCount,
  evtxChunksStart,
  FILE_HEADER_FIELDS_SIZE,
  FILE_HEADER_SIZE,
  headerChunkCount,
  missingChunks,
} from "../formats/evtx/layout.js";
import { type ByteSource, openByteSource, readFully, type SourceLocation } from "../source/byte-source.js";
import { type Candidates, EvtxPrefilter } from "../wasm/evtx-prefilter.js";
import { emptyStats, type MatchHandler, type ScanStats, settleMalformedOffsets } from "./engine.js";
import { type ChunkTarget, isPastHeaderCount, searchChunkCandidates, searchChunkWhole } from "./evtx-chunk-searcher.js";
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
  /** Only chunks [first, end) (indices as counted by {@link evtxChunkCount}). */
  chunkRange?: readonly [number, number] | undefined;
  /**
   * Whether this scan counts the file header's bytes (and reports a truncated header): default
   * true without `chunkRange`, false with it, so that of a file's shards only the one holding
   * byte 0 counts them (a shard of the header alone holds no chunk, and the next shard starts
   * at chunk 0 too).
   */
  withHeader?: boolean | undefined;
}

/**
 * Window of chunks read and prefiltered at once: 128 chunks = 8 MiB. Reads of 16 MiB pieces
 * into a wasm view run at ~17 GB/s (../shared/design/performance.md); 8 MiB windows keep the
 * memory per instance small and are within noise of 16 MiB in bench/evtx.bench.ts.
 */
export const WINDOW_CHUNKS = 128;

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

/**
 * Read buffers of searches without a prefilter that do not hold their bytes in memory, kept for
 * the next scan of this thread; a scan holds one for its whole length, so scans that overlap
 * (one awaiting a remote read while another runs, or one started from inside onMatch) never
 * share one.
 */
const freeBuffers: Uint8Array[] = [];

/** One scan: which chunk windows to read, and what each is searched with. */
interface EvtxScan {
  size: number;
  chunksStart: number;
  firstChunk: number;
  endChunk: number;
  /** With prefilters: the one this scan holds (a window is read into its input region). */
  prefilter: EvtxPrefilter | undefined;
  /** Without, bytes not in memory: where a window is read to. */
  buffer: Uint8Array | undefined;
  stats: ScanStats;
  onMatch: MatchHandler;
  options: EvtxScanOptions;
  /** The file header's chunk count when known and trusted (layout.ts headerChunkCount). */
  headerChunks: number | undefined;
  /** Gives the prefilter or buffer back. */
  release(): void;
}

/** A window of chunks: [chunk, chunk + chunks), bytes [position, position + length). */
interface Window {
  chunk: number;
  chunks: number;
  position: number;
  length: number;
}

/** Whether this scan counts the file header's bytes and reports its problems (see withHeader). */
function countsHeader(options: EvtxScanOptions): boolean {
  return options.withHeader ?? options.chunkRange === undefined;
}

/**
 * Checks the magic, counts the header's bytes and takes a prefilter or buffer for the scan. A
 * stream (`size` undefined) has no chunk range and counts its header itself. `header`: the
 * file's first 4 KiB (or what there is of them) when this scan counts the header, to check its
 * chunk count against the size.
 */
function beginScan(
  size: number | undefined,
  head: Uint8Array,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
  inMemory: boolean,
  header?: Uint8Array,
): EvtxScan {
  const chunksStart = evtxChunksStart(head);
  if (chunksStart === undefined) {
    throw new ScanError("LDS_E_CORRUPT_EVTX", "not an EVTX file (no ElfFile or ElfChnk magic)");
  }
  const stats = emptyStats();
  const total = size === undefined ? 0 : evtxChunkCount(size, chunksStart);
  const [first, end] = options.chunkRange ?? [0, total];
  const firstChunk = Math.max(0, Math.min(first, total));
  const endChunk = Math.max(firstChunk, Math.min(end, total));
  if (size !== undefined && countsHeader(options)) {
    stats.bytes += Math.min(chunksStart, size);
    if (size < chunksStart) stats.problems.push(`file header truncated (${size} of ${FILE_HEADER_SIZE} bytes)`);
    const missing = header === undefined ? undefined : missingChunks(header, total, size);
    if (missing !== undefined) stats.problems.push(missing);
  }
  const prefilters = options.prefilters;
  const prefilter = prefilters?.acquire();
  const buffer =
    prefilter === undefined && !inMemory
      ? (freeBuffers.pop() ?? new Uint8Array(WINDOW_CHUNKS * CHUNK_SIZE))
      : undefined;
  return {
    size: size ?? 0,
    chunksStart,
    firstChunk,
    endChunk,
    prefilter,
    buffer,
    stats,
    onMatch,
    options,
    headerChunks: headerChunkCount(header ?? head),
    release() {
      if (prefilter !== undefined) prefilters?.release(prefilter);
      if (buffer !== undefined) freeBuffers.push(buffer);
    },
  };
}

function* windowsOf(scan: EvtxScan): Generator<Window> {
  for (let c = scan.firstChunk; c < scan.endChunk; c += WINDOW_CHUNKS) {
    const chunks = Math.min(WINDOW_CHUNKS, scan.endChunk - c);
    const position = chunkOffset(c, scan.chunksStart);
    yield { chunk: c, chunks, position, length: Math.min(chunks * CHUNK_SIZE, scan.size - position) };
  }
}

const NO_CANDIDATES: Candidates = { offsets: new Uint32Array(0), count: 0 };

/** Searches one window's chunks, its bytes in `window` (with a prefilter: its input region). */
function scanWindow(scan: EvtxScan, w: Window, window: Uint8Array): void {
  const { prefilter, stats, onMatch, options } = scan;
  const { position, length } = w;
  stats.bytes += length;
  const candidates = prefilter === undefined ? NO_CANDIDATES : prefilter.candidates(length);
  let h = 0;
  for (let j = 0; j < w.chunks; j++) {
    const from = j * CHUNK_SIZE;
    const to = Math.min(from + CHUNK_SIZE, length);
    const chunk = window.subarray(from, to);
    const target: ChunkTarget = {
      index: w.chunk + j,
      fileOffset: position + from,
      carve: options.carve === true,
      stats,
      onMatch,
      pastHeaderCount: isPastHeaderCount(w.chunk + j, scan.headerChunks),
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

/**
 * Scans an EVTX input read through a {@link ByteSource}, window by window. `head`: its first
 * bytes, at least the magic; the whole file header when this scan counts it.
 */
async function scanByteSource(
  source: ByteSource,
  head: Uint8Array,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
): Promise<ScanStats> {
  const scan = beginScan(source.size, head, onMatch, options, false, head);
  try {
    for (const w of windowsOf(scan)) {
      const window = scan.prefilter?.input ?? (scan.buffer as Uint8Array);
      await readFully(source, window, w.position, w.length);
      scanWindow(scan, w, window);
    }
  } finally {
    scan.release();
  }
  return settleMalformedOffsets(scan.stats);
}

/**
 * Scans an EVTX input held in memory (a stream read to its end, an archive member). Calls
 * `onMatch` for every matching record in input order; damage goes to `problems`. Throws
 * ScanError (LDS_E_CORRUPT_EVTX) when the bytes are not EVTX at all.
 */
export function scanEvtxBytes(bytes: Uint8Array, onMatch: MatchHandler, options: EvtxScanOptions): ScanStats {
  const header = bytes.subarray(0, FILE_HEADER_SIZE);
  const scan = beginScan(bytes.length, bytes.subarray(0, 8), onMatch, options, true, header);
  try {
    for (const w of windowsOf(scan)) {
      const view = bytes.subarray(w.position, w.position + w.length);
      if (scan.prefilter === undefined) {
        scanWindow(scan, w, view);
      } else {
        scan.prefilter.input.set(view);
        scanWindow(scan, w, scan.prefilter.input);
      }
    }
  } finally {
    scan.release();
  }
  return settleMalformedOffsets(scan.stats);
}

/**
 * Scans the chunks of an EVTX file (or remote object) that start in bytes [start, end): a
 * shard, counted by the same "starts in the range" rule as text shards. Throws ScanError
 * (LDS_E_INPUT_UNREADABLE) when the input cannot be read.
 */
export async function scanEvtxFileRange(
  path: SourceLocation,
  start: number,
  end: number,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
): Promise<ScanStats> {
  return scanEvtxFile(path, onMatch, options, [start, end]);
}

/**
 * Scans an EVTX byte stream (an archive member, stdin, a decompressed file). Chunks are
 * independent, so the stream is cut into the same windows of whole chunks as a file (one
 * window, 8 MiB, held at a time: a multi-GB Sysmon log in a collector's zip is never gathered
 * whole) and each window is scanned as soon as it is full. Same results as
 * {@link scanEvtxBytes} on the whole stream.
 */
export async function scanEvtxStream(
  chunks: AsyncIterable<Uint8Array>,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
): Promise<ScanStats> {
  const head: Uint8Array[] = [];
  let headLength = 0;
  let scan: EvtxScan | undefined;
  let window: Uint8Array = new Uint8Array(0);
  /** Header bytes still to skip before the first chunk. */
  let skip = 0;
  /** The file header as it arrives (checked against the chunk count at the end). */
  let header: Uint8Array = new Uint8Array(0);
  let filled = 0;
  let chunk = 0;
  let position = 0;
  const flush = (): void => {
    if (scan === undefined || filled === 0) return;
    const w: Window = { chunk, chunks: Math.ceil(filled / CHUNK_SIZE), position, length: filled };
    scanWindow(scan, w, window);
    chunk += w.chunks;
    position += filled;
    filled = 0;
  };
  const feed = (bytes: Uint8Array): void => {
    let at = Math.min(skip, bytes.length);
    header.set(bytes.subarray(0, at), header.length - skip);
    skip -= at;
    // The header comes whole before any chunk is scanned.
    if (scan !== undefined && skip === 0 && at > 0) scan.headerChunks = headerChunkCount(header);
    while (at < bytes.length) {
      const take = Math.min(bytes.length - at, window.length - filled);
      window.set(bytes.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === window.length) flush();
    }
  };
  try {
    for await (const piece of chunks) {
      if (scan !== undefined) {
        feed(piece);
        continue;
      }
      head.push(piece);
      headLength += piece.length;
      if (headLength < 8) continue;
      const first = Buffer.concat(head);
      head.length = 0;
      scan = beginScan(undefined, first.subarray(0, 8), onMatch, options, false);
      window = scan.prefilter?.input ?? (scan.buffer as Uint8Array);
      skip = scan.chunksStart;
      header = new Uint8Array(scan.chunksStart);
      position = scan.chunksStart;
      feed(first);
    }
    // Shorter than a magic: what scanEvtxBytes says of it (not EVTX).
    if (scan === undefined) return scanEvtxBytes(Buffer.concat(head), onMatch, options);
    const headerBytes = scan.chunksStart - skip;
    scan.stats.bytes += headerBytes;
    if (skip > 0) scan.stats.problems.push(`file header truncated (${headerBytes} of ${FILE_HEADER_SIZE} bytes)`);
    const size = position + filled;
    const missing = skip > 0 ? undefined : missingChunks(header, chunk + Math.ceil(filled / CHUNK_SIZE), size);
    // First, as scanEvtxBytes reports it (before any chunk's problem).
    if (missing !== undefined) scan.stats.problems.unshift(missing);
    flush();
    return settleMalformedOffsets(scan.stats);
  } finally {
    scan?.release();
  }
}

/**
 * Scans an EVTX file or remote object (or, with `chunkRange` or `byteRange`, one shard of it)
 * through a {@link ByteSource}, read into a buffer held for the scan (with prefilters: the
 * wasm input region). Rejects with ScanError when the input cannot be read
 * (LDS_E_INPUT_UNREADABLE) or is not EVTX (LDS_E_CORRUPT_EVTX).
 */
export async function scanEvtxFile(
  path: SourceLocation,
  onMatch: MatchHandler,
  options: EvtxScanOptions,
  byteRange?: readonly [number, number],
): Promise<ScanStats> {
  const fallbackName = typeof path === "string" ? path : (path.name ?? path.path);
  let bytes: ByteSource | undefined;
  try {
    bytes = await openByteSource(path);
    const size = bytes.size;
    // Of a file's shards, only the one holding byte 0 counts the header (see withHeader); it
    // reads the whole header (to check its chunk count) in the one request the magic needs.
    const withHeader = byteRange === undefined ? options.withHeader : byteRange[0] === 0;
    const counts = countsHeader({ ...options, withHeader });
    // A shard reads the header's fields too: its chunk count says which slots are in use.
    const head = new Uint8Array(Math.min(counts ? FILE_HEADER_SIZE : FILE_HEADER_FIELDS_SIZE, size));
    await readFully(bytes, head, 0, head.length);
    let chunkRange = options.chunkRange;
    if (byteRange !== undefined) {
      const chunksStart = evtxChunksStart(head) ?? FILE_HEADER_SIZE;
      chunkRange = evtxChunkRangeOfBytes(byteRange[0], byteRange[1], size, chunksStart);
      // One request for the shard's chunks (a remote object), instead of one per window.
      const [first, end] = chunkRange;
      if (end > first) bytes.expect(chunkOffset(first, chunksStart), Math.min(size, chunkOffset(end, chunksStart)));
    }
    return await scanByteSource(
      bytes,
      head,
      onMatch,
      chunkRange === undefined ? options : { ...options, chunkRange, withHeader },
    );
  } catch (err) {
    const name = bytes?.name ?? fallbackName;
    if (err instanceof ScanError) {
      throw err.input === undefined ? new ScanError(err.code, err.message, name, { cause: err }) : err;
    }
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), name, { cause: err });
  } finally {
    await bytes?.close();
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
