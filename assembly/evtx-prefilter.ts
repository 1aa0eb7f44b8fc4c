/**
 * EVTX prefilter: every byte offset where a short ASCII word starts, ignoring ASCII case,
 * either as UTF-16LE code units (`l 0 s 0 a 0 s 0 s 0`) or as 8-bit characters (`l s a s s`).
 * EVTX string values sit at odd offsets as often as at even ones, so every byte offset is
 * tried. Two words are asked for: `lsass` (every candidate, see evtxCandidates) and `taskmgr`
 * (does a chunk hold it at all, see evtxContainsTaskmgr); a record can match the rule only if
 * its chunk holds both.
 *
 * Packed-pair prefilter after memchr's memmem (Andrew Gallant): per 16-byte lane, the word's
 * first letter at i and either its second letter at i+1 (8-bit) or `0` at i+1 and the second
 * letter at i+2 (UTF-16), letters folded with `| 0x20`; two lanes OR-ed per step and tested
 * with any_true, and only then each set bit is confirmed in scalar code. Candidates are exact
 * occurrences of one of the two spellings. No allocation, no state: memory in, offsets out.
 */

const FOLD = i8x16.splat(0x20);
const ZERO = i8x16.splat(0);

/** `lsass`, little-endian, one letter a byte. */
const LSASS: u64 = 0x737361736c;
/** `taskmgr`, little-endian, one letter a byte. */
const TASKMGR: u64 = 0x72676d6b736174;

/** First byte of memory free for callers (above this module's static data), 64-byte aligned. */
export function evtxScratchBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

function folded(p: usize): u32 {
  return load<u8>(p) | 0x20;
}

function letter(word: u64, k: usize): u32 {
  return <u32>((word >> (k << 3)) & 0xff);
}

/** True when `word` (`length` lower-case letters) starts at `p` in either spelling and ends by `end`. */
function confirm(p: usize, end: usize, word: u64, length: usize): bool {
  if (p + length <= end) {
    let k: usize = 0;
    while (k < length && folded(p + k) === letter(word, k)) k++;
    if (k === length) return true;
  }
  if (p + 2 * length > end) return false;
  for (let k: usize = 0; k < length; k++) {
    if (folded(p + 2 * k) !== letter(word, k) || load<u8>(p + 2 * k + 1) !== 0) return false;
  }
  return true;
}

function laneMask(p: usize, first: v128, second: v128): v128 {
  const here = v128.load(p);
  const next = v128.load(p, 1);
  const afterNext = v128.load(p, 2);
  const isFirst = i8x16.eq(v128.or(here, FOLD), first);
  const narrow = i8x16.eq(v128.or(next, FOLD), second);
  const wide = v128.and(i8x16.eq(next, ZERO), i8x16.eq(v128.or(afterNext, FOLD), second));
  return v128.and(isFirst, v128.or(narrow, wide));
}

/**
 * Offsets of `word` in [ptr, ptr + len), written to `outPtr` (u32 each, relative to `ptr`,
 * ascending) when `outPtr` is not 0; stops after `maxOut`. Returns how many it found.
 */
function find(ptr: usize, len: usize, outPtr: usize, maxOut: u32, word: u64, length: usize): u32 {
  const end = ptr + len;
  const first = i8x16.splat(<i8>letter(word, 0));
  const second = i8x16.splat(<i8>letter(word, 1));
  let n: u32 = 0;
  let i = ptr;
  // 32 bytes a step; the loads reach 2 bytes past the step, so stop 34 bytes before the end.
  while (i + 34 <= end) {
    const low = laneMask(i, first, second);
    const high = laneMask(i + 16, first, second);
    if (v128.any_true(v128.or(low, high))) {
      let bits = i8x16.bitmask(low) | (i8x16.bitmask(high) << 16);
      while (bits !== 0) {
        const p = i + <usize>ctz(bits);
        if (confirm(p, end, word, length)) {
          if (outPtr !== 0) store<u32>(outPtr + ((<usize>n) << 2), <u32>(p - ptr));
          if (++n === maxOut) return n;
        }
        bits &= bits - 1;
      }
    }
    i += 32;
  }
  for (; i < end; i++) {
    if (folded(i) === letter(word, 0) && confirm(i, end, word, length)) {
      if (outPtr !== 0) store<u32>(outPtr + ((<usize>n) << 2), <u32>(i - ptr));
      if (++n === maxOut) return n;
    }
  }
  return n;
}

/**
 * Writes the offsets (relative to `ptr`, ascending, u32 each) of every `lsass` candidate in
 * memory [ptr, ptr + len) to `outPtr`, at most `maxOut` of them, and returns how many it wrote.
 * When it returns `maxOut` there may be more: call again from the last offset + 1.
 */
export function evtxCandidates(ptr: usize, len: usize, outPtr: usize, maxOut: u32): u32 {
  return find(ptr, len, outPtr, maxOut, LSASS, 5);
}

/** 1 when `taskmgr` occurs in memory [ptr, ptr + len) in either spelling, ignoring ASCII case; else 0. */
export function evtxContainsTaskmgr(ptr: usize, len: usize): u32 {
  return find(ptr, len, 0, 1, TASKMGR, 7);
}
