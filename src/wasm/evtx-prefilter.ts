/**
 * The typed boundary over the EVTX prefilter's wasm exports (assembly/evtx-prefilter.ts, built
 * into build/matcher.wasm with the text matcher and loaded by module.ts like it). Nothing else
 * in the project touches them.
 *
 * One instance owns one WebAssembly.Memory, sized once: an input region that callers read file
 * bytes straight into (one Uint8Array view, made once) and an output region of candidate
 * offsets. The memory grows once, before any view is made, so the views never detach.
 */

import { instantiateMatcher } from "./module.js";

interface PrefilterExports {
  evtxScratchBase(): number;
  evtxCandidates(ptr: number, len: number, outPtr: number, maxOut: number): number;
  evtxContainsTaskmgr(ptr: number, len: number): number;
}

/** Candidate offsets written per wasm call; the call is repeated when it fills up. */
const OUT_SLOTS = 16384;
const PAGE = 65536;
/** Pages the memory starts with: more than any static data the matcher module declares. */
const STATIC_PAGES = 16;

/** Candidates found in the input region: `offsets[0..count)`, ascending. */
export interface Candidates {
  offsets: Uint32Array;
  count: number;
}

/** One prefilter instance with its own memory and input region. */
export class EvtxPrefilter {
  /** The input region: write (or fs.readSync) bytes here, then call {@link candidates}. */
  readonly input: Uint8Array;
  private readonly exports: PrefilterExports;
  private readonly inputPtr: number;
  private readonly outPtr: number;
  private readonly out: Uint32Array;
  private found = new Uint32Array(OUT_SLOTS);

  /** Instantiates `module` with a fresh memory whose input region holds `inputBytes`. */
  constructor(module: WebAssembly.Module, inputBytes: number) {
    // Start with room for the module's static data, learn where it ends, then grow once to
    // the final size before any view is made.
    const { exports, memory } = instantiateMatcher(module, STATIC_PAGES);
    this.exports = exports as unknown as PrefilterExports;
    this.inputPtr = this.exports.evtxScratchBase();
    this.outPtr = this.inputPtr + inputBytes + 64;
    const pages = Math.ceil((this.outPtr + OUT_SLOTS * 4) / PAGE);
    memory.grow(Math.max(0, pages - memory.buffer.byteLength / PAGE));
    this.input = new Uint8Array(memory.buffer, this.inputPtr, inputBytes);
    this.out = new Uint32Array(memory.buffer, this.outPtr, OUT_SLOTS);
  }

  /** True when input[offset, offset + length) holds `taskmgr` (8-bit or UTF-16LE, any ASCII case). */
  containsTaskmgr(offset: number, length: number): boolean {
    if (offset < 0 || offset + length > this.input.length) throw new RangeError("range outside the input region");
    return this.exports.evtxContainsTaskmgr(this.inputPtr + offset, length) !== 0;
  }

  /** Finds every `.dmp` candidate in input[0, length). The result is reused by the next call. */
  candidates(length: number): Candidates {
    if (length > this.input.length) throw new RangeError("length exceeds the input region");
    let count = 0;
    let from = 0;
    for (;;) {
      const n = this.exports.evtxCandidates(this.inputPtr + from, length - from, this.outPtr, OUT_SLOTS);
      if (count + n > this.found.length) {
        const grown = new Uint32Array(2 * (count + n));
        grown.set(this.found.subarray(0, count));
        this.found = grown;
      }
      for (let i = 0; i < n; i++) this.found[count + i] = (this.out[i] as number) + from;
      count += n;
      if (n < OUT_SLOTS) break;
      from = (this.found[count - 1] as number) + 1;
    }
    return { offsets: this.found, count };
  }
}
