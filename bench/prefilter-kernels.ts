/**
 * The prefilters alone, without record framing or confirmation: the wasm matcher's SIMD
 * packed-pair `nextCandidate` (src/wasm/matcher.ts, over bytes already in its memory, as the
 * engine reads files straight into it) against the baseline's fold + `Buffer.indexOf`. This is
 * the ratio that tells a vectorized kernel from a scalar one; the engine ratios also carry
 * everything around it.
 *
 * Both must agree on the anchor candidates, `.dmp` in any case (the wasm prefilter anchors on
 * the end of the TargetFilename, see assembly/prefilter.ts; it also reports escape leads, `&#` /
 * `\u` that may spell a character of `.dmp`, which the baseline does not look for; they are
 * counted apart).
 */

import type { TextFormat } from "../src/formats/log-format.js";
import { CANDIDATE, Matcher } from "../src/wasm/matcher.js";
import { loadMatcherModule } from "../src/wasm/module.js";

/** A wasm matcher instance holding one input, for timing its prefilter. */
export class WasmPrefilter {
  readonly #matcher: Matcher;
  readonly #format: TextFormat;
  readonly bytes: number;

  /** Copies `input` into a fresh matcher's input region (once, before any timing). */
  constructor(input: Uint8Array, format: TextFormat) {
    this.#matcher = new Matcher(loadMatcherModule("release"), Math.max(input.length, 64));
    this.#matcher.input.set(input);
    this.#format = format;
    this.bytes = input.length;
  }

  /** Candidates in input[from, end): anchor (`.dmp`) ones and escape leads. */
  candidates(from = 0, end = this.bytes): { anchors: number; escapes: number } {
    let anchors = 0;
    let escapes = 0;
    for (let at = this.#matcher.nextCandidate(from, end, this.#format); at >= 0; ) {
      if (this.#matcher.candidateKind() === CANDIDATE.dmp) anchors++;
      else escapes++;
      at = at + 1 < end ? this.#matcher.nextCandidate(at + 1, end, this.#format) : -1;
    }
    return { anchors, escapes };
  }
}
