/**
 * createPrefilterStream: bytes in, only the records that may match out, for a log pipeline
 * that forwards candidates to a heavier tool. The contract (tested with random chunking in
 * every format): scanning the output gives exactly the rows of scanning the input, and the
 * output is a valid input of the same format:
 * - text: each matched record, whole and in order, followed by a line feed (XML records back
 *   to back, JSON as one object a line; gzip input comes out inflated);
 * - EVTX: the file header (chunk count and checksum fixed, see evtx-header.ts), then each
 *   64 KiB chunk that holds a matched record, whole (records depend on their chunk's string and
 *   template tables). The header waits for the end so its count is right; once the chunks held
 *   pass `maxRecordBytes` it goes out marked dirty and the rest streams.
 * Damage never errors the stream: see stats().
 */

import type { Transform } from "node:stream";
import type { ScanStats } from "../engine/engine.js";
import type { MatchLocation } from "../engine/match-location.js";
import { ScanCore } from "../engine/scan-core.js";
import { resolveScannerOptions, type ScannerOptions } from "../engine/scanner-options.js";
import { CHUNK_SIZE } from "../formats/evtx/layout.js";
import type { Row } from "../report/row.js";
import { coreTransform } from "./core-transform.js";
import { filteredEvtxHeader } from "./evtx-header.js";

const LINE_FEED = Buffer.from("\n");

/**
 * A pre-filter stream: a Transform of bytes, with the scan's counters.
 *
 * @example
 * ```ts
 * const prefilter: PrefilterStream = createPrefilterStream();
 * await pipeline(source, prefilter, sink);
 * console.error(prefilter.stats().matches, "matching records forwarded");
 * ```
 */
export interface PrefilterStream extends Transform {
  /** Counters and problems of the input so far (final after 'end'). */
  stats(): ScanStats;
  /** The rule's rows of the input so far (final after 'end'). */
  rows(): Row[];
}

/** EVTX output state: the header and chunks held until the count is known. */
class EvtxOutput {
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #chunks = 0;
  #headerSent = false;
  #lastChunk = -1;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** A hit's chunk: kept once (several hits may share it). Returns bytes to send now. */
  add(core: ScanCore, at: MatchLocation): Uint8Array[] {
    const evtx = core.evtx;
    if (evtx === undefined || at.chunk === undefined) return [];
    const index = Math.floor((at.offset - evtx.chunksStart) / CHUNK_SIZE);
    if (index === this.#lastChunk) return [];
    this.#lastChunk = index;
    this.#chunks++;
    const chunk = at.chunk.slice();
    if (this.#headerSent || evtx.chunksStart === 0) return [chunk];
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes <= this.#limit) return [];
    return this.#release(evtx.header, false);
  }

  /** At the end: the header (with the final count) and the chunks still held. */
  finish(core: ScanCore): Uint8Array[] {
    const evtx = core.evtx;
    if (evtx === undefined || this.#headerSent) return [];
    if (evtx.chunksStart === 0) return [];
    if (!evtx.headerComplete) return []; // truncated header: nothing valid to pass on (reported)
    return this.#release(evtx.header, true);
  }

  #release(header: Uint8Array, final: boolean): Uint8Array[] {
    this.#headerSent = true;
    const out = [filteredEvtxHeader(header, this.#chunks, final), ...this.#held];
    this.#held = [];
    this.#heldBytes = 0;
    return out;
  }
}

/**
 * Creates a pre-filter stream: bytes of a log in, only the records that may match out, as a
 * valid log of the same format (text: each matched record whole, followed by a line feed;
 * EVTX: the file header, its chunk count and checksum fixed, then each chunk holding a match).
 * Scanning the output gives exactly the rows of scanning the input. Throws ScanError
 * (LDS_E_USAGE) at once for bad options; damaged input ends the stream normally, reported in
 * `stats()`. Backpressure is Node's own: no more input is taken while output waits.
 *
 * @example
 * ```ts
 * import { createReadStream, createWriteStream } from "node:fs";
 * import { pipeline } from "node:stream/promises";
 * import { createPrefilterStream } from "lsass-dump-scan";
 *
 * await pipeline(createReadStream("Sysmon.evtx"), createPrefilterStream(), createWriteStream("candidates.evtx"));
 * ```
 */
export function createPrefilterStream(options?: ScannerOptions): PrefilterStream {
  const resolved = resolveScannerOptions(options);
  const evtxOut = new EvtxOutput(resolved.maxRecordBytes);
  let out: Uint8Array[] = [];
  const core = new ScanCore(resolved, (_event, at) => {
    if (at.chunk !== undefined) out.push(...evtxOut.add(core, at));
    else if (at.bytes !== undefined) out.push(Buffer.concat([at.bytes, LINE_FEED]));
  });
  const take = (): Uint8Array[] => {
    const pending = out;
    out = [];
    return pending;
  };
  return coreTransform(core, { take, finish: () => evtxOut.finish(core) });
}
