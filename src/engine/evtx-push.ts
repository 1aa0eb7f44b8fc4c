/**
 * EVTX through push(): bytes in any pieces are gathered into the wasm prefilter's own input
 * region until a 64 KiB chunk is whole, and the chunk is then checked and scanned by the EVTX
 * fast path (evtx-chunk-searcher.ts), exactly as a file's chunk is. Chunks are independent, so this
 * holds one chunk at a time, whatever the input's size. The file header (4 KiB, absent for a
 * lone `ElfChnk` chunk) is kept, for the pre-filter stream's output.
 */

import {
  CHUNK_SIZE,
  evtxChunksStart,
  FILE_HEADER_SIZE,
  headerChunkCount,
  missingChunks,
} from "../formats/evtx/layout.js";
import { EvtxPrefilter } from "../wasm/evtx-prefilter.js";
import { InstancePool } from "../wasm/instance-pool.js";
import type { MatchHandler, ScanStats } from "./engine.js";
import { isPastHeaderCount, searchChunkCandidates } from "./evtx-chunk-searcher.js";

/** Prefilter instances of finished scanners. */
const prefilters = new InstancePool<EvtxPrefilter>();

/** One EVTX input fed by pushes. */
export class EvtxPushScanner {
  readonly #prefilter: EvtxPrefilter;
  readonly #module: WebAssembly.Module;
  readonly #stats: ScanStats;
  readonly #onMatch: MatchHandler;
  readonly #carve: boolean;
  /** Bytes before the first chunk: 4096 for a file, 0 for a lone chunk. */
  readonly chunksStart: number;
  /** The file header as read (shorter while it is incomplete); empty for a lone chunk. */
  readonly header: Uint8Array;
  #headerFilled = 0;
  /** Bytes of the current chunk in the prefilter's region. */
  #filled = 0;
  /** Index of the current chunk. */
  #chunk = 0;
  /** True for a whole input (not a shard): its header's chunk count is checked at the end. */
  readonly #whole: boolean;
  /** Bytes pushed in all. */
  #pushed = 0;
  /** The file header's chunk count once the header is read and trusted (layout.ts headerChunkCount). */
  #headerChunks: number | undefined;

  /**
   * `head` holds at least the magic (8 bytes), which decides where chunks start. `firstChunk`:
   * the index of the first chunk pushed after the header, for a shard of a file (the browser
   * page's workers push the header and then chunks [firstChunk, ...), as the CLI shards).
   */
  constructor(
    module: WebAssembly.Module,
    head: Uint8Array,
    stats: ScanStats,
    onMatch: MatchHandler,
    carve: boolean,
    firstChunk?: number,
  ) {
    this.#module = module;
    this.#prefilter = prefilters.acquire(module, CHUNK_SIZE, () => new EvtxPrefilter(module, CHUNK_SIZE));
    this.#stats = stats;
    this.#onMatch = onMatch;
    this.#carve = carve;
    this.chunksStart = evtxChunksStart(head) ?? FILE_HEADER_SIZE;
    this.header = new Uint8Array(this.chunksStart);
    this.#chunk = firstChunk ?? 0;
    this.#whole = firstChunk === undefined;
  }

  /** True once the whole file header has been read. */
  get headerComplete(): boolean {
    return this.#headerFilled === this.chunksStart;
  }

  /** Takes the next bytes of the input. */
  push(bytes: Uint8Array): void {
    this.#stats.bytes += bytes.length;
    this.#pushed += bytes.length;
    let from = 0;
    if (this.#headerFilled < this.chunksStart) {
      const n = Math.min(this.chunksStart - this.#headerFilled, bytes.length);
      this.header.set(bytes.subarray(0, n), this.#headerFilled);
      this.#headerFilled += n;
      from = n;
      if (this.headerComplete) this.#headerChunks = headerChunkCount(this.header);
    }
    const region = this.#prefilter.input;
    while (from < bytes.length) {
      const n = Math.min(CHUNK_SIZE - this.#filled, bytes.length - from);
      region.set(bytes.subarray(from, from + n), this.#filled);
      this.#filled += n;
      from += n;
      if (this.#filled === CHUNK_SIZE) this.#scanChunk();
    }
  }

  /** Ends the input: a partial last chunk is scanned (and reported as truncated). */
  end(): void {
    if (this.#headerFilled < this.chunksStart) {
      this.#stats.problems.push(`file header truncated (${this.#headerFilled} of ${FILE_HEADER_SIZE} bytes)`);
    }
    const slots = this.#chunk + (this.#filled > 0 ? 1 : 0);
    const missing = this.#whole && this.headerComplete ? missingChunks(this.header, slots, this.#pushed) : undefined;
    // First, as scanEvtxBytes reports it (before any chunk's problem).
    if (missing !== undefined) this.#stats.problems.unshift(missing);
    if (this.#filled > 0) this.#scanChunk();
  }

  /** Hands the prefilter instance back for the next scanner (after {@link end}). */
  release(): void {
    prefilters.release(this.#module, CHUNK_SIZE, this.#prefilter);
  }

  #scanChunk(): void {
    const length = this.#filled;
    const prefilter = this.#prefilter;
    const chunk = prefilter.input.subarray(0, length);
    const candidates = prefilter.candidates(length);
    const target = {
      index: this.#chunk,
      fileOffset: this.chunksStart + this.#chunk * CHUNK_SIZE,
      carve: this.#carve,
      stats: this.#stats,
      onMatch: this.#onMatch,
      pastHeaderCount: isPastHeaderCount(this.#chunk, this.#headerChunks),
    };
    searchChunkCandidates(
      chunk,
      candidates.offsets,
      candidates.count,
      () => prefilter.containsTaskmgr(0, length),
      target,
    );
    this.#chunk++;
    this.#filled = 0;
  }
}
