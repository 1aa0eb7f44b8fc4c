/**
 * EVTX prefilter: every byte offset where a short ASCII word starts, ignoring ASCII case,
 * either as UTF-16LE code units (`. 0 d 0 m 0 p 0`) or as 8-bit characters (`. d m p`).
 * EVTX string values sit at odd offsets as often as at even ones, so every byte offset is
 * tried. Two words are asked for: `.dmp` (every candidate, see evtxCandidates) and `taskmgr`
 * (does a chunk hold it at all, see evtxContainsTaskmgr); a record can match the rule only if
 * its chunk holds both. `.dmp` ends every matching TargetFilename, as in the text prefilter
 * (prefilter.ts): `lsass`, the anchor before, is in every ProcessAccess event on lsass.exe,
 * so most chunks of a real Sysmon log held one (21 a MB in the bench's folder, 14 of the
 * corpus's 22 chunks) and were searched again for `taskmgr` and listed; `.dmp` is in 0.23 a MB
 * and 5 of those 22 chunks.
 *
 * Packed-pair prefilter after memchr's memmem (Andrew Gallant): per 16-byte lane, the word's
 * first letter at i and either its second letter at i+1 (8-bit) or `0` at i+1 and the second
 * letter at i+2 (UTF-16), letters folded with `| 0x20` (other characters, `.`, compared as
 * they are); four lanes OR-ed per step and tested with any_true, and only then each set bit
 * is confirmed in scalar code. Candidates are exact occurrences of one of the two spellings.
 * No allocation, no state: memory in, offsets out.
 */

const ZERO = i8x16.splat(0);

/** `.dmp`, little-endian, one character a byte. */
const DMP: u64 = 0x706d642e;
/** `taskmgr`, little-endian, one letter a byte. */
const TASKMGR: u64 = 0x72676d6b736174;

/** First byte of memory free for callers (above this module's static data), 64-byte aligned. */
export function evtxScratchBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

function letter(word: u64, k: usize): u32 {
  return <u32>((word >> (k << 3)) & 0xff);
}

/** What folds a byte onto `c` (lower case): `| 0x20` for a letter, nothing for anything else. */
function foldOf(c: u32): u32 {
  return c >= 0x61 && c <= 0x7a ? 0x20 : 0;
}

/** True when the byte at `p`, case-folded when `c` is a letter, is `c`. */
function isChar(p: usize, c: u32): bool {
  return (load<u8>(p) | foldOf(c)) === c;
}

/** True when `word` (`length` lower-case characters) starts at `p` in either spelling and ends by `end`. */
function confirm(p: usize, end: usize, word: u64, length: usize): bool {
  if (p + length <= end) {
    let k: usize = 0;
    while (k < length && isChar(p + k, letter(word, k))) k++;
    if (k === length) return true;
  }
  if (p + 2 * length > end) return false;
  for (let k: usize = 0; k < length; k++) {
    if (!isChar(p + 2 * k, letter(word, k)) || load<u8>(p + 2 * k + 1) !== 0) return false;
  }
  return true;
}

/** Lanes where `first` (folded by `firstFold`) is followed by `second` (folded by `secondFold`) in either spelling. */
function laneMask(p: usize, first: v128, firstFold: v128, second: v128, secondFold: v128): v128 {
  const here = v128.load(p);
  const next = v128.load(p, 1);
  const afterNext = v128.load(p, 2);
  const isFirst = i8x16.eq(v128.or(here, firstFold), first);
  const narrow = i8x16.eq(v128.or(next, secondFold), second);
  const wide = v128.and(i8x16.eq(next, ZERO), i8x16.eq(v128.or(afterNext, secondFold), second));
  return v128.and(isFirst, v128.or(narrow, wide));
}

/** Confirms the set bits of one 64-byte step at `i`; returns the new count, or `maxOut` when full. */
function confirmStep(
  i: usize,
  mask: u64,
  end: usize,
  ptr: usize,
  outPtr: usize,
  n: u32,
  maxOut: u32,
  word: u64,
  length: usize,
): u32 {
  let bits = mask;
  while (bits !== 0) {
    const p = i + <usize>ctz(bits);
    if (confirm(p, end, word, length)) {
      if (outPtr !== 0) store<u32>(outPtr + ((<usize>n) << 2), <u32>(p - ptr));
      if (++n === maxOut) return n;
    }
    bits &= bits - 1;
  }
  return n;
}

/**
 * Offsets of `word` in [ptr, ptr + len), written to `outPtr` (u32 each, relative to `ptr`,
 * ascending) when `outPtr` is not 0; stops after `maxOut`. Returns how many it found.
 */
function find(ptr: usize, len: usize, outPtr: usize, maxOut: u32, word: u64, length: usize): u32 {
  const end = ptr + len;
  const c0 = letter(word, 0);
  const c1 = letter(word, 1);
  const first = i8x16.splat(<i8>c0);
  const firstFold = i8x16.splat(<i8>foldOf(c0));
  const second = i8x16.splat(<i8>c1);
  const secondFold = i8x16.splat(<i8>foldOf(c1));
  let n: u32 = 0;
  let i = ptr;
  // 64 bytes a step; the loads reach 2 bytes past the step, so stop 66 bytes before the end.
  while (i + 66 <= end) {
    const m0 = laneMask(i, first, firstFold, second, secondFold);
    const m1 = laneMask(i + 16, first, firstFold, second, secondFold);
    const m2 = laneMask(i + 32, first, firstFold, second, secondFold);
    const m3 = laneMask(i + 48, first, firstFold, second, secondFold);
    if (v128.any_true(v128.or(v128.or(m0, m1), v128.or(m2, m3)))) {
      const mask =
        <u64>i8x16.bitmask(m0) |
        ((<u64>i8x16.bitmask(m1)) << 16) |
        ((<u64>i8x16.bitmask(m2)) << 32) |
        ((<u64>i8x16.bitmask(m3)) << 48);
      n = confirmStep(i, mask, end, ptr, outPtr, n, maxOut, word, length);
      if (n === maxOut) return n;
    }
    i += 64;
  }
  for (; i < end; i++) {
    if (isChar(i, c0) && confirm(i, end, word, length)) {
      if (outPtr !== 0) store<u32>(outPtr + ((<usize>n) << 2), <u32>(i - ptr));
      if (++n === maxOut) return n;
    }
  }
  return n;
}

/**
 * Writes the offsets (relative to `ptr`, ascending, u32 each) of every `.dmp` candidate in
 * memory [ptr, ptr + len) to `outPtr`, at most `maxOut` of them, and returns how many it wrote.
 * When it returns `maxOut` there may be more: call again from the last offset + 1.
 */
export function evtxCandidates(ptr: usize, len: usize, outPtr: usize, maxOut: u32): u32 {
  return find(ptr, len, outPtr, maxOut, DMP, 4);
}

/** 1 when `taskmgr` occurs in memory [ptr, ptr + len) in either spelling, ignoring ASCII case; else 0. */
export function evtxContainsTaskmgr(ptr: usize, len: usize): u32 {
  return find(ptr, len, 0, 1, TASKMGR, 7);
}
