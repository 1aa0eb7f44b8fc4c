/**
 * The prefilter: the only code that looks at every byte. It reports candidates, positions where
 * a record that matches the rule may be, and may report false ones but never misses one.
 *
 * A matching record's decoded TargetFilename contains `lsass` (any case). In the raw bytes that
 * is either `lsass` itself, or one of its letters written as an escape: JSON `\u006c`-style
 * (`\u`), XML numeric character references (`&#108;`, `&#x73;`; named entities never give
 * letters). So a candidate is (a) `lsass` ignoring ASCII case, or (b) the two-byte start of such
 * an escape that gives l, s or a in either case (JSON `\u` + four hex digits; XML `&#` + a
 * number + `;`, or any reference whose value only JavaScript's parseInt would settle).
 * Markup that splits a word (`ls<![CDATA[ass]]>`, `ls<b/>ass`) is not an escape and is not
 * looked for (see the README's matcher notes).
 *
 * Method: packed pair after memchr's memmem (Andrew Gallant): per 16-byte lane, `l` at offset 0
 * and `s` at offset 4 of `lsass`, both folded with `| 0x20`, AND-ed; plus the escape's two bytes
 * at offsets 0 and 1, AND-ed; the lanes of a step OR-ed and tested with any_true, and only then
 * bitmask + ctz and a scalar check per set bit.
 *
 * Which pair of `lsass`: pair hits per MB on the real Sysmon data in ../shared/corpus
 * (bench-free count, `lsass` itself is 30-200 per MB there):
 *   pair (0,4) l...s: XML 144, NXLog JSON 153-700;  (0,1) ls: 282-881;  (0,2) l.a: 611-1492;
 *   (2,3) as: 1485-3969;  (1,3) s.s: 7975-17605.  So (0,4).
 * Step size: 256 bytes with the lanes OR-ed in a loop (not unrolled: TurboFan hoists all the
 * loads of an unrolled step and spills). Measured on the 2-core EPYC VM, Node 20, 16 MiB of the
 * corpus XML in memory, best of 9: lsass-only 64 B unrolled ~24 GB/s; with the escape pair
 * 64 B unrolled ~11-12, 128 B loop ~15.6, 256 B loop ~17.3 GB/s. The escape pair costs ~30%;
 * it is the price of never missing an escaped letter.
 */

import { BACKSLASH, hexValue, indexOfPair } from "./bytes";

/** Bytes past `end` that {@link nextCandidate} may read; the caller's memory must have them. */
export const PREFILTER_OVERREAD: usize = 512;

/** Bytes per step: see the module comment. */
const STEP: usize = 256;

/** Candidate kinds, as {@link candidateKind} reports them. */
export const CANDIDATE_LSASS: i32 = 1;
export const CANDIDATE_ESCAPE: i32 = 2;

/** Kind of the candidate the last {@link nextCandidate} call returned. */
export let candidateKind: i32 = 0;

/** JSON escape lead bytes `\u`. */
export const JSON_ESCAPE_0: u32 = 0x5c;
export const JSON_ESCAPE_1: u32 = 0x75;
/** XML numeric character reference lead bytes `&#`. */
export const XML_ESCAPE_0: u32 = 0x26;
export const XML_ESCAPE_1: u32 = 0x23;

/** Splats of 0x20 (fold), `l` and `s` for the packed pair. */
const LSASS_PAIR = memory.data<u8>(
  [
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c, 0x6c,
    0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73,
  ],
  16,
);

// @ts-ignore: decorator
@inline
function laneMask(p: usize, fold: v128, l: v128, s: v128, e0: v128, e1: v128): v128 {
  const here = v128.load(p);
  const lsass = v128.and(i8x16.eq(v128.or(here, fold), l), i8x16.eq(v128.or(v128.load(p, 4), fold), s));
  const escape = v128.and(i8x16.eq(here, e0), i8x16.eq(v128.load(p, 1), e1));
  return v128.or(lsass, escape);
}

/** True when `lsass` (any case) starts at `p`. */
export function isLsassAt(p: usize): bool {
  return (
    (load<u8>(p) | 0x20) == 0x6c &&
    (load<u8>(p, 1) | 0x20) == 0x73 &&
    (load<u8>(p, 2) | 0x20) == 0x61 &&
    (load<u8>(p, 3) | 0x20) == 0x73 &&
    (load<u8>(p, 4) | 0x20) == 0x73
  );
}

/** An escape whose value cannot be told here (kept as a candidate). */
export const ESCAPE_UNDECIDED: i32 = -2;
/** Not an escape (or one left as written). */
export const ESCAPE_NONE: i32 = -1;

/**
 * Value of the JSON `\uXXXX` at `p` (`\u` already checked), {@link ESCAPE_NONE} when the
 * hex digits are not there, {@link ESCAPE_UNDECIDED} when it runs past `end`.
 */
export function jsonEscapeCode(p: usize, end: usize): i32 {
  if (p + 6 > end) return ESCAPE_UNDECIDED;
  let code = 0;
  for (let i: usize = 2; i < 6; i++) {
    const h = hexValue(load<u8>(p + i));
    if (h < 0) return ESCAPE_NONE;
    code = (code << 4) | h;
  }
  return code;
}

/**
 * Value of the XML numeric character reference at `p` (`&#` already checked), as the reference
 * parser reads it: `&#` digits `;` or `&#x` hex digits `;`, the `;` at most 33 bytes after the `&` (@nodable/entities scans 32 bytes, then looks once more).
 * No `;` in reach: left as written ({@link ESCAPE_NONE}). Other text before the `;` (which
 * JavaScript's parseInt might still read as a number), or past `end`: {@link ESCAPE_UNDECIDED}.
 */
export function xmlReferenceCode(p: usize, end: usize): i32 {
  let i = p + 2;
  let radix = 10;
  if (i < end && (load<u8>(i) | 0x20) == 0x78) {
    radix = 16;
    i++;
  }
  const first = i;
  let code = 0;
  while (i < end && i - p <= 33) {
    const c = <u32>load<u8>(i);
    if (c == 0x3b) return i == first ? ESCAPE_NONE : code > 0x10ffff ? ESCAPE_NONE : code;
    const d = radix == 16 ? hexValue(c) : c - 0x30 < 10 ? <i32>(c - 0x30) : -1;
    if (d < 0) {
      // Not a plain number: undecidable if a `;` follows in reach, else left as written.
      while (i < end && i - p <= 33) {
        if (load<u8>(i) == 0x3b) return ESCAPE_UNDECIDED;
        i++;
      }
      return i >= end ? ESCAPE_UNDECIDED : ESCAPE_NONE;
    }
    if (code <= 0x10ffff) code = code * radix + d;
    i++;
  }
  return i >= end ? ESCAPE_UNDECIDED : ESCAPE_NONE;
}

/** True for the letters of `lsass` in either case. */
function isLsassLetter(code: i32): bool {
  const lower = code | 0x20;
  return code < 0x80 && (lower == 0x6c || lower == 0x73 || lower == 0x61);
}

/** True when the escape at `p` may give a letter of `lsass` (or cannot be told here). */
function mayGiveLsassLetter(p: usize, end: usize, json: bool): bool {
  const code = json ? jsonEscapeCode(p, end) : xmlReferenceCode(p, end);
  return code == ESCAPE_UNDECIDED || isLsassLetter(code);
}

/**
 * True when [p, q) holds an escape (JSON `\u`, XML `&#`) that may give an ASCII letter or a
 * `.`: one that could hide part of `taskmgr` or `.dmp`.
 */
export function hasLetterEscape(p: usize, q: usize, json: bool): bool {
  const e0: u32 = json ? JSON_ESCAPE_0 : XML_ESCAPE_0;
  const e1: u32 = json ? JSON_ESCAPE_1 : XML_ESCAPE_1;
  let from = p;
  while (true) {
    const at = indexOfPair(from, q, e0, e1);
    if (at < 0) return false;
    const code = json ? jsonEscapeCode(<usize>at, q) : xmlReferenceCode(<usize>at, q);
    if (code == ESCAPE_UNDECIDED || code == 0x2e || (code < 0x80 && (code | 0x20) - 0x61 < 26)) return true;
    from = <usize>at + 1;
  }
}

/**
 * Position of the first candidate in [from, end), or -1; {@link candidateKind} says which kind.
 * `escape0`/`escape1` are the escape's two lead bytes for the format (JSON `\u`, XML `&#`).
 * An `lsass` must lie wholly before `end`. Reads up to {@link PREFILTER_OVERREAD} bytes past `end`.
 */
export function nextCandidate(from: usize, end: usize, escape0: u32, escape1: u32): isize {
  // Loaded from memory, not splatted from constants: V8 rebuilds constant splats every turn.
  const fold = v128.load(LSASS_PAIR);
  const l = v128.load(LSASS_PAIR, 16);
  const s = v128.load(LSASS_PAIR, 32);
  const e0 = i8x16.splat(<i8>escape0);
  const e1 = i8x16.splat(<i8>escape1);
  const jsonEscape = escape0 == BACKSLASH;
  let p = from;
  while (p < end) {
    let any = i8x16.splat(0);
    for (let j: usize = 0; j < STEP; j += 16) any = v128.or(any, laneMask(p + j, fold, l, s, e0, e1));
    if (v128.any_true(any)) {
      for (let j: usize = 0; j < STEP; j += 16) {
        let bits = i8x16.bitmask(laneMask(p + j, fold, l, s, e0, e1));
        while (bits != 0) {
          const k = p + j + <usize>ctz(bits);
          if (k >= end) return -1;
          if (k + 5 <= end && isLsassAt(k)) {
            candidateKind = CANDIDATE_LSASS;
            return <isize>k;
          }
          if (<u32>load<u8>(k) == escape0 && <u32>load<u8>(k, 1) == escape1 && mayGiveLsassLetter(k, end, jsonEscape)) {
            candidateKind = CANDIDATE_ESCAPE;
            return <isize>k;
          }
          bits &= bits - 1;
        }
      }
    }
    p += STEP;
  }
  return -1;
}
