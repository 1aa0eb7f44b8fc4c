/**
 * The plain-JS baseline the wasm matcher is measured against: what a careful Node programmer
 * would write without wasm. Same plan as the fast engine (candidate, then confirm), with
 * `Buffer.indexOf` as the prefilter:
 *
 * 1. Fold ASCII case: copy the input into a scratch buffer (reused across calls) and OR every
 *    32-bit word with 0x20202020. This is exact for the needle: under `| 0x20` only `l`/`L`,
 *    `s`/`S` and `a`/`A` land on the bytes of `lsass`, so the folded text holds `lsass` exactly
 *    where the input holds it in any case. (A lower-cased string copy, `toLowerCase()` of a
 *    latin1 decode, costs three passes and ~5x the time on this machine; 32 case variants of
 *    the needle cost 32 passes.)
 * 2. `scratch.indexOf("lsass")` (memchr on `l`, then compare) finds each candidate.
 * 3. Confirm: take the record around the candidate; if its folded bytes also hold `taskmgr`
 *    and `.dmp` (two more indexOf calls: the cheap check a careful programmer adds before a
 *    parse, since most `lsass` records are not Task Manager's), run the project's own field
 *    extraction and rule on it (src/formats/*-fields.ts, src/rule/rule.ts), as the engines
 *    do; skip to the end of that record.
 *
 * It is a benchmark baseline, not a product: it finds records by the generator's layout (one
 * record a line for XML, flat and ECS JSON; evtx_dump objects each closed by a `}` line) and
 * does not look for `lsass` spelled with escapes (`\u006c`, `&#108;`). Both favour it: it does
 * less work than the engines must. Every benchmark asserts that it finds the expected count.
 */

import { jsonEventFields } from "../src/formats/json-fields.js";
import type { TextFormat } from "../src/formats/log-format.js";
import { xmlEventFields } from "../src/formats/xml-fields.js";
import { type EventFields, type MatchedEvent, matchEvent } from "../src/rule/rule.js";
import { normalizeTime } from "../src/rule/time.js";

const NEEDLE = Buffer.from("lsass", "latin1");
const IMAGE_NEEDLE = Buffer.from("taskmgr", "latin1");
const EXTENSION_NEEDLE = Buffer.from(".dmp", "latin1");
const NEWLINE = 0x0a;
const CASE_BIT_WORD = 0x20202020;

let scratch = Buffer.alloc(0);
let scratchWords = new Uint32Array(0);

/** `bytes` with every byte ORed with 0x20, in the reused scratch buffer (valid until the next call). */
export function foldCase(bytes: Uint8Array): Buffer {
  if (scratch.length < bytes.length) {
    const capacity = Math.max(bytes.length, 2 * scratch.length);
    scratchWords = new Uint32Array(Math.ceil(capacity / 4));
    scratch = Buffer.from(scratchWords.buffer);
  }
  scratch.set(bytes);
  const words = Math.floor(bytes.length / 4);
  const w = scratchWords;
  for (let i = 0; i < words; i++) w[i] = (w[i] as number) | CASE_BIT_WORD;
  for (let i = words * 4; i < bytes.length; i++) scratch[i] = (scratch[i] as number) | 0x20;
  return scratch.subarray(0, bytes.length);
}

/**
 * The baseline's prefilter alone: how many times `lsass` (any ASCII case) occurs in `bytes`
 * (fold, then `Buffer.indexOf` from each hit on).
 */
export function countLsass(bytes: Uint8Array): number {
  const folded = foldCase(bytes);
  let count = 0;
  for (let at = folded.indexOf(NEEDLE); at >= 0; at = folded.indexOf(NEEDLE, at + 1)) count++;
  return count;
}

/**
 * The baseline's prefilter on the wasm prefilter's anchor: how many times `.dmp` (any ASCII
 * case) occurs in `bytes` (fold, then `Buffer.indexOf`). The wasm prefilter anchors on the end
 * of the TargetFilename (assembly/prefilter.ts), so this is the like-for-like kernel to time it
 * against.
 */
export function countAnchor(bytes: Uint8Array): number {
  const folded = foldCase(bytes);
  let count = 0;
  for (let at = folded.indexOf(EXTENSION_NEEDLE); at >= 0; at = folded.indexOf(EXTENSION_NEEDLE, at + 1)) count++;
  return count;
}

/** Bounds [start, end) of the record holding byte `at`, by the generator's layout. */
function recordAround(bytes: Buffer, at: number, format: TextFormat): [number, number] {
  if (format === "evtxdump") {
    const open = bytes.lastIndexOf("\n{", at);
    const close = bytes.indexOf("\n}", at);
    return [open < 0 ? 0 : open + 1, close < 0 ? bytes.length : close + 2];
  }
  const start = bytes.lastIndexOf(NEWLINE, at) + 1;
  const end = bytes.indexOf(NEWLINE, at);
  return [start, end < 0 ? bytes.length : end];
}

function containsWithin(haystack: Buffer, needle: Buffer, start: number, end: number): boolean {
  return haystack.subarray(start, end).indexOf(needle) >= 0;
}

function fieldsOf(record: Buffer, format: TextFormat): EventFields | undefined {
  if (format === "xml") return xmlEventFields(record);
  let value: unknown;
  try {
    value = JSON.parse(record.toString("utf8"));
  } catch {
    return undefined;
  }
  return jsonEventFields(value);
}

/**
 * Scans one whole input held in memory; calls `onMatch` for each matching record and returns
 * how many matched.
 */
export function indexOfScan(input: Uint8Array, format: TextFormat, onMatch?: (event: MatchedEvent) => void): number {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const folded = foldCase(bytes);
  let matches = 0;
  let from = 0;
  for (;;) {
    const hit = folded.indexOf(NEEDLE, from);
    if (hit < 0) break;
    const [start, end] = recordAround(bytes, hit, format);
    if (containsWithin(folded, IMAGE_NEEDLE, start, end) && containsWithin(folded, EXTENSION_NEEDLE, start, end)) {
      const fields = fieldsOf(bytes.subarray(start, end), format);
      const match = fields === undefined ? null : matchEvent(fields, normalizeTime);
      if (match !== null) {
        matches++;
        onMatch?.(match);
      }
    }
    from = Math.max(end, hit + 1);
  }
  return matches;
}
