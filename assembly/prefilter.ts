/**
 * The prefilter: the only code that looks at every byte. It reports candidates, positions where
 * a record that matches the rule may be, and may report false ones but never misses one.
 *
 * The anchor is the end of the TargetFilename: a matching record's decoded TargetFilename ends
 * with `.dmp` (any case) and has `lsass` before it. In the raw bytes that end is either `.dmp`
 * itself (JSON: right before the closing quote; XML: right before `<`, `&` or `]`, where only
 * markup or removed references may follow), or one of its characters is written as an escape
 * (JSON `\u002e`-style; XML numeric character references; named entities never give them). So
 * a candidate is (a) `.dmp` ignoring ASCII case, or (b) the start of an escape that gives `.`,
 * d, m or p in either case (JSON `\u00` + two hex digits; XML `&#` + a number + `;`, also one
 * the reference parser removes (U+0000, C0 controls, surrogates), or one whose value only
 * JavaScript's parseInt would settle). The searchers then check the value around a `.dmp`:
 * the byte after it, and `lsass` (or an escape) before it in the same value (json-scan.ts,
 * xml-scan.ts). Markup that splits a word (`.d<![CDATA[mp]]>`, `.d<b/>mp`) is not an escape and
 * is not looked for (see the README's matcher notes).
 *
 * Why `.dmp` and not `lsass` (first built on `lsass`, measured, then changed): `lsass` is in
 * every process-access event on lsass.exe (30-200 per MB in ../shared/corpus's text files, of
 * which 0-14 per file end in `.dmp`) and its best pair, (0,4) `l...s`, hits 144-700 times per
 * MB there (555-675 in generated JSON: `l","S`, `LM\\S`, `lue s`). Each pair hit costs the
 * step's lanes again (~45 ns): JSON scanned at ~9.5 GB/s against ~18.7 without hits. `.dmp`
 * is in 0-19 per MB, and its pair (0,2) `.?m` hits 0-38 per MB (generated: 19-38).
 *
 * Method: packed pair after memchr's memmem (Andrew Gallant): per 16-byte lane, `.` at offset 0
 * and `m` (folded with `| 0x20`) at offset 2, AND-ed; plus the escape's lead (JSON `\` at 0 and
 * `0` at 2 of `\u00XX`: the same two loads; XML `&` at 0 and `#` at 1), AND-ed; the lanes of a
 * step OR-ed and tested with any_true, and only then bitmask + ctz and a scalar check per bit.
 * Step size: 256 bytes with the lanes OR-ed in a loop (not unrolled: TurboFan hoists all the
 * loads of an unrolled step and spills). Measured on the 2-core EPYC VM, Node 20, 16 MiB of the
 * corpus XML in memory, best of 9: a one-pair 64 B unrolled loop ~24 GB/s; with the escape pair
 * 64 B unrolled ~11-12, 128 B loop ~15.6, 256 B loop ~17.3 GB/s.
 */

import { BACKSLASH, hexValue, indexOfPair } from "./bytes";

/** Bytes past `end` that {@link nextCandidate} may read; the caller's memory must have them. */
export const PREFILTER_OVERREAD: usize = 512;

/** Bytes per step: see the module comment. */
const STEP: usize = 256;

/** Candidate kinds, as {@link candidateKind} reports them. */
export const CANDIDATE_DMP: i32 = 1;
export const CANDIDATE_ESCAPE: i32 = 2;

/** Kind of the candidate the last {@link nextCandidate} call returned. */
export let candidateKind: i32 = 0;

/** JSON escape lead bytes `\u`. */
export const JSON_ESCAPE_0: u32 = 0x5c;
export const JSON_ESCAPE_1: u32 = 0x75;
/** XML numeric character reference lead bytes `&#`. */
export const XML_ESCAPE_0: u32 = 0x26;
export const XML_ESCAPE_1: u32 = 0x23;

/** Splats of 0x20 (fold), `.`, `m`, and the escape leads `\\`, `0`, `&`, `#`. */
const SPLATS = memory.data<u8>(
  [
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x2e, 0x2e, 0x2e,
    0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x6d, 0x6d, 0x6d, 0x6d, 0x6d, 0x6d,
    0x6d, 0x6d, 0x6d, 0x6d, 0x6d, 0x6d, 0x6d, 0x6d, 0x6d, 0x6d, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
    0x26, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23, 0x23,
  ],
  16,
);

/** The prefilter's lane tests and its scan loop, inlined per format (`@inline` on class members). */
class Lanes {
  @inline
  static jsonLane(p: usize, fold: v128, dot: v128, m: v128, e0: v128, e2: v128): v128 {
    const here = v128.load(p);
    const two = v128.load(p, 2);
    const dmp = v128.and(i8x16.eq(here, dot), i8x16.eq(v128.or(two, fold), m));
    const esc = v128.and(i8x16.eq(here, e0), i8x16.eq(two, e2));
    return v128.or(dmp, esc);
  }

  @inline
  static xmlLane(p: usize, fold: v128, dot: v128, m: v128, e0: v128, e1: v128): v128 {
    const here = v128.load(p);
    const dmp = v128.and(i8x16.eq(here, dot), i8x16.eq(v128.or(v128.load(p, 2), fold), m));
    const esc = v128.and(i8x16.eq(here, e0), i8x16.eq(v128.load(p, 1), e1));
    return v128.or(dmp, esc);
  }

  @inline
  static scan(from: usize, end: usize, json: bool): isize {
    // Loaded from memory, not splatted from constants: V8 rebuilds constant splats every turn.
    const fold = v128.load(SPLATS);
    const dot = v128.load(SPLATS, 16);
    const m = v128.load(SPLATS, 32);
    const e0 = json ? v128.load(SPLATS, 48) : v128.load(SPLATS, 80);
    const e1 = json ? v128.load(SPLATS, 64) : v128.load(SPLATS, 96);
    const lead: u32 = json ? JSON_ESCAPE_0 : XML_ESCAPE_0;
    let p = from;
    while (p < end) {
      let any = i8x16.splat(0);
      for (let j: usize = 0; j < STEP; j += 16) {
        any = v128.or(
          any,
          json ? Lanes.jsonLane(p + j, fold, dot, m, e0, e1) : Lanes.xmlLane(p + j, fold, dot, m, e0, e1),
        );
      }
      if (v128.any_true(any)) {
        for (let j: usize = 0; j < STEP; j += 16) {
          let bits = i8x16.bitmask(
            json ? Lanes.jsonLane(p + j, fold, dot, m, e0, e1) : Lanes.xmlLane(p + j, fold, dot, m, e0, e1),
          );
          while (bits != 0) {
            const k = p + j + <usize>ctz(bits);
            if (k >= end) return -1;
            if (k + 4 <= end && isDmpAt(k)) {
              candidateKind = CANDIDATE_DMP;
              return <isize>k;
            }
            if (<u32>load<u8>(k) == lead && mayHideDmp(k, end, json)) {
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
}

/** True when `.dmp` (any case) starts at `p`. */
export function isDmpAt(p: usize): bool {
  return (
    load<u8>(p) == 0x2e &&
    (load<u8>(p, 1) | 0x20) == 0x64 &&
    (load<u8>(p, 2) | 0x20) == 0x6d &&
    (load<u8>(p, 3) | 0x20) == 0x70
  );
}

/** An escape whose value cannot be told here (kept as a candidate). */
export const ESCAPE_UNDECIDED: i32 = -2;
/** Not an escape (or one left as written). */
export const ESCAPE_NONE: i32 = -1;

/**
 * Value of the JSON `\uXXXX` at `p` (`\u` already checked), {@link ESCAPE_NONE} when the
 * hex digits are not there, {@link ESCAPE_UNDECIDED} when it runs past `end` (with hex digits
 * up to there).
 */
export function jsonEscapeCode(p: usize, end: usize): i32 {
  let code = 0;
  for (let i: usize = 2; i < 6; i++) {
    // A byte that is not a hex digit settles it, even when the escape runs past `end`.
    if (p + i >= end) return ESCAPE_UNDECIDED;
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

/** True for `.`, d, m, p in either case. */
function isDmpChar(code: i32): bool {
  const lower = code | 0x20;
  return code == 0x2e || (code >= 0 && code < 0x80 && (lower == 0x64 || lower == 0x6d || lower == 0x70));
}

/** True for code points the reference parser removes from XML text (U+0000, C0 controls, surrogates). */
export function isRemovedReference(code: i32): bool {
  if (code < 0) return false;
  return code == 0 || (code < 0x20 && code != 9 && code != 10 && code != 13) || (code >= 0xd800 && code < 0xe000);
}

/**
 * True when the escape at `p` may be one of `.dmp`'s characters, or in XML may vanish between
 * them (a removed reference), or cannot be told here.
 */
function mayHideDmp(p: usize, end: usize, json: bool): bool {
  if (json) {
    if (p + 1 >= end || load<u8>(p, 1) != 0x75) return false;
    const code = jsonEscapeCode(p, end);
    return code == ESCAPE_UNDECIDED || isDmpChar(code);
  }
  const code = xmlReferenceCode(p, end);
  return code == ESCAPE_UNDECIDED || isDmpChar(code) || isRemovedReference(code);
}

/**
 * True when [p, q) holds an escape (JSON `\u`, XML `&#`) that may give an ASCII letter or a
 * `.` (or, in XML, vanish between two letters): one that could hide part of `taskmgr`.
 */
export function hasLetterEscape(p: usize, q: usize, json: bool): bool {
  const e0: u32 = json ? JSON_ESCAPE_0 : XML_ESCAPE_0;
  const e1: u32 = json ? JSON_ESCAPE_1 : XML_ESCAPE_1;
  let from = p;
  while (true) {
    const at = indexOfPair(from, q, e0, e1);
    if (at < 0) return false;
    const code = json ? jsonEscapeCode(<usize>at, q) : xmlReferenceCode(<usize>at, q);
    if (code == ESCAPE_UNDECIDED || code == 0x2e || (code >= 0 && code < 0x80 && <u32>((code | 0x20) - 0x61) < 26)) {
      return true;
    }
    if (!json && isRemovedReference(code)) return true; // may join letters around it
    from = <usize>at + 1;
  }
}

/**
 * True when [p, q) holds a candidate, judged with `q` as the end (an escape cut by it is
 * undecided, so it counts): the test for "this damaged record could have held a match", the
 * same as src/formats/match-candidate.ts on the record's bytes. Reads past `q` like
 * {@link nextCandidate}.
 */
export function holdsCandidate(p: usize, q: usize, json: bool): bool {
  return (json ? Lanes.scan(p, q, true) : Lanes.scan(p, q, false)) >= 0;
}

/**
 * Position of the first candidate in [from, end), or -1; {@link candidateKind} says which kind.
 * `escape0`/`escape1` name the format: JSON `\u`, XML `&#`. A `.dmp` must lie wholly before
 * `end`. Reads up to {@link PREFILTER_OVERREAD} bytes past `end`.
 */
export function nextCandidate(from: usize, end: usize, escape0: u32, _escape1: u32): isize {
  return escape0 == BACKSLASH ? Lanes.scan(from, end, true) : Lanes.scan(from, end, false);
}
