/**
 * EVTX prefilter: every byte offset where `lsass` starts, ASCII case-insensitive, either as
 * UTF-16LE code units (`l 0 s 0 a 0 s 0 s 0`) or as 8-bit characters (`l s a s s`). EVTX string
 * values sit at odd offsets as often as at even ones, so every byte offset is tried.
 *
 * Packed-pair prefilter after memchr's memmem (Andrew Gallant): per 16-byte lane, `l` at i and
 * either `s` at i+1 (8-bit) or `0` at i+1 and `s` at i+2 (UTF-16), letters folded with `| 0x20`;
 * two lanes OR-ed per step and tested with any_true, and only then each set bit is confirmed in
 * scalar code. Small helpers are left to the optimizer to inline (-O3 does). Candidates are exact occurrences of one of the two spellings; the caller decodes
 * the record around each. No allocation, no state: memory in, offsets out.
 */

const FOLD = i8x16.splat(0x20);
const LOWER_L = i8x16.splat(0x6c);
const LOWER_S = i8x16.splat(0x73);
const ZERO = i8x16.splat(0);

/** First byte of memory free for callers (above this module's static data), 64-byte aligned. */
export function evtxScratchBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

function folded(p: usize): u32 {
  return load<u8>(p) | 0x20;
}

/** True when an `lsass` spelling starts at `p` (where `l` or `L` already is) and ends by `end`. */
function confirm(p: usize, end: usize): bool {
  if (
    p + 5 <= end &&
    folded(p + 1) === 0x73 &&
    folded(p + 2) === 0x61 &&
    folded(p + 3) === 0x73 &&
    folded(p + 4) === 0x73
  ) {
    return true;
  }
  return (
    p + 10 <= end &&
    load<u8>(p + 1) === 0 &&
    folded(p + 2) === 0x73 &&
    load<u8>(p + 3) === 0 &&
    folded(p + 4) === 0x61 &&
    load<u8>(p + 5) === 0 &&
    folded(p + 6) === 0x73 &&
    load<u8>(p + 7) === 0 &&
    folded(p + 8) === 0x73 &&
    load<u8>(p + 9) === 0
  );
}

function laneMask(p: usize): v128 {
  const here = v128.load(p);
  const next = v128.load(p, 1);
  const afterNext = v128.load(p, 2);
  const isL = i8x16.eq(v128.or(here, FOLD), LOWER_L);
  const narrow = i8x16.eq(v128.or(next, FOLD), LOWER_S);
  const wide = v128.and(i8x16.eq(next, ZERO), i8x16.eq(v128.or(afterNext, FOLD), LOWER_S));
  return v128.and(isL, v128.or(narrow, wide));
}

/**
 * Writes the offsets (relative to `ptr`, ascending, u32 each) of every `lsass` candidate in
 * memory [ptr, ptr + len) to `outPtr`, at most `maxOut` of them, and returns how many it wrote.
 * When it returns `maxOut` there may be more: call again from the last offset + 1.
 */
export function evtxCandidates(ptr: usize, len: usize, outPtr: usize, maxOut: u32): u32 {
  const end = ptr + len;
  let n: u32 = 0;
  let i = ptr;
  // 32 bytes a step; the loads reach 2 bytes past the step, so stop 34 bytes before the end.
  while (i + 34 <= end) {
    const low = laneMask(i);
    const high = laneMask(i + 16);
    if (v128.any_true(v128.or(low, high))) {
      let bits = i8x16.bitmask(low) | (i8x16.bitmask(high) << 16);
      while (bits !== 0) {
        const p = i + <usize>ctz(bits);
        if (confirm(p, end)) {
          store<u32>(outPtr + ((<usize>n) << 2), <u32>(p - ptr));
          if (++n === maxOut) return n;
        }
        bits &= bits - 1;
      }
    }
    i += 32;
  }
  for (; i < end; i++) {
    if (folded(i) === 0x6c && confirm(i, end)) {
      store<u32>(outPtr + ((<usize>n) << 2), <u32>(i - ptr));
      if (++n === maxOut) return n;
    }
  }
  return n;
}
