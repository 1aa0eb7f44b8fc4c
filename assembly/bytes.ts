/**
 * Byte helpers the matcher shares: ASCII case folding, short-needle search (SIMD where it runs
 * over a whole record), and the byte classes of JSON and XML. Needles are AssemblyScript string
 * literals (static UTF-16 data, no allocation) holding lower-case ASCII.
 */

export const LF: u32 = 0x0a;
export const CR: u32 = 0x0d;
export const QUOTE: u32 = 0x22;
export const APOS: u32 = 0x27;
export const BACKSLASH: u32 = 0x5c;
export const AMP: u32 = 0x26;
export const HASH: u32 = 0x23;
export const LT: u32 = 0x3c;
export const GT: u32 = 0x3e;
export const SLASH: u32 = 0x2f;
export const OPEN_BRACE: u32 = 0x7b;
export const CLOSE_BRACE: u32 = 0x7d;
export const OPEN_BRACKET: u32 = 0x5b;
export const CLOSE_BRACKET: u32 = 0x5d;

/** ASCII byte tests, inlined into their callers (a static class: Biome parses decorators on class members only). */
export class Ascii {
  /** Byte `i` of an ASCII string literal. */
  @inline
  static charAt(s: string, i: i32): u32 {
    return <u32>load<u16>(changetype<usize>(s) + ((<usize>i) << 1));
  }

  /** True for an ASCII lower-case letter (the needle bytes that get case folding). */
  @inline
  static isLowerLetter(c: u32): bool {
    return c - 0x61 < 26;
  }

  /** ASCII lower-casing of one byte (only A-Z change, as rule.ts's asciiLower). */
  @inline
  static lowerAscii(c: u32): u32 {
    return c - 0x41 < 26 ? c | 0x20 : c;
  }

  /** True for JSON white space (RFC 8259: space, tab, LF, CR). */
  @inline
  static isJsonSpace(c: u32): bool {
    return c == 0x20 || c == 0x09 || c == LF || c == CR;
  }

  /** True for XML white space (space, tab, LF, CR). */
  @inline
  static isXmlSpace(c: u32): bool {
    return c == 0x20 || c == 0x09 || c == LF || c == CR;
  }
}

/** True when the bytes at `p` equal the lower-case ASCII `needle` ignoring ASCII case. */
export function equalsFolded(p: usize, needle: string): bool {
  const n = needle.length;
  for (let i = 0; i < n; i++) {
    if (Ascii.lowerAscii(load<u8>(p + <usize>i)) != Ascii.charAt(needle, i)) return false;
  }
  return true;
}

/** True when [p, p + len) equals `needle` ignoring ASCII case (lengths must match). */
export function spanEqualsFolded(p: usize, len: usize, needle: string): bool {
  return len == <usize>needle.length && equalsFolded(p, needle);
}

/** True when [p, p + len) equals the ASCII `s` exactly. */
export function spanEquals(p: usize, len: usize, s: string): bool {
  if (len != <usize>s.length) return false;
  for (let i: usize = 0; i < len; i++) {
    if (<u32>load<u8>(p + i) != Ascii.charAt(s, <i32>i)) return false;
  }
  return true;
}

/** Value of an ASCII hex digit, or -1. */
export function hexValue(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x61 + 10);
  return -1;
}

/** Splats made from a parameter, inlined (a static class so that `@inline` sits on a class member). */
class Splat {
  /** Splat of one byte, made from a parameter so V8 keeps it in a register instead of rebuilding it each loop turn. */
  @inline
  static splat(b: u32): v128 {
    return i8x16.splat(<i8>b);
  }
}

/**
 * First position in [from, end) where the lower-case ASCII `needle` (2+ bytes) starts, ignoring
 * ASCII case, or -1. SIMD on its first and last byte (a packed pair, after memchr's memmem),
 * then a scalar check. May read up to 16 + needle.length bytes past `end`.
 */
export function indexOfFolded(from: usize, end: usize, needle: string): isize {
  const n = <usize>needle.length;
  if (end < from + n) return -1;
  const last = end - n; // last start position
  const c0 = Ascii.charAt(needle, 0);
  const c1 = Ascii.charAt(needle, <i32>n - 1);
  const fold0 = Splat.splat(Ascii.isLowerLetter(c0) ? 0x20 : 0);
  const fold1 = Splat.splat(Ascii.isLowerLetter(c1) ? 0x20 : 0);
  const first = Splat.splat(c0);
  const final = Splat.splat(c1);
  let p = from;
  while (p <= last) {
    const m = v128.and(
      i8x16.eq(v128.or(v128.load(p), fold0), first),
      i8x16.eq(v128.or(v128.load(p + n - 1), fold1), final),
    );
    let bits = i8x16.bitmask(m);
    while (bits != 0) {
      const k = p + <usize>ctz(bits);
      if (k > last) return -1;
      if (equalsFolded(k, needle)) return <isize>k;
      bits &= bits - 1;
    }
    p += 16;
  }
  return -1;
}

/** First position in [from, end) where bytes `b0 b1` start (exact), or -1. May read 17 bytes past `end`. */
export function indexOfPair(from: usize, end: usize, b0: u32, b1: u32): isize {
  if (end < from + 2) return -1;
  const last = end - 2;
  const v0 = Splat.splat(b0);
  const v1 = Splat.splat(b1);
  let p = from;
  while (p <= last) {
    const bits = i8x16.bitmask(v128.and(i8x16.eq(v128.load(p), v0), i8x16.eq(v128.load(p, 1), v1)));
    if (bits != 0) {
      const k = p + <usize>ctz(bits);
      return k > last ? -1 : <isize>k;
    }
    p += 16;
  }
  return -1;
}

/** First position of byte `b` in [from, end), or -1. May read 15 bytes past `end`. */
export function indexOfByte(from: usize, end: usize, b: u32): isize {
  const v = Splat.splat(b);
  let p = from;
  while (p < end) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(p), v));
    if (bits != 0) {
      const k = p + <usize>ctz(bits);
      return k >= end ? -1 : <isize>k;
    }
    p += 16;
  }
  return -1;
}

/** First position of byte `a` or byte `b` in [from, end), or -1. May read 15 bytes past `end`. */
export function indexOfEitherByte(from: usize, end: usize, a: u32, b: u32): isize {
  const va = Splat.splat(a);
  const vb = Splat.splat(b);
  let p = from;
  while (p < end) {
    const v = v128.load(p);
    const bits = i8x16.bitmask(v128.or(i8x16.eq(v, va), i8x16.eq(v, vb)));
    if (bits != 0) {
      const k = p + <usize>ctz(bits);
      return k >= end ? -1 : <isize>k;
    }
    p += 16;
  }
  return -1;
}

/**
 * Last position in [from, end) where bytes `b0 b1` start (both before `end`), or -1. SIMD,
 * backwards; reads no byte before `from`.
 */
export function lastIndexOfPair(from: usize, end: usize, b0: u32, b1: u32): isize {
  if (end < from + 2) return -1;
  const v0 = Splat.splat(b0);
  const v1 = Splat.splat(b1);
  // Candidate starts x in [from, end - 2]; lanes of 16 starts, from the back.
  let x = end - 2 + 1; // one past the last start
  while (x >= from + 16) {
    x -= 16;
    const bits = i8x16.bitmask(v128.and(i8x16.eq(v128.load(x), v0), i8x16.eq(v128.load(x, 1), v1)));
    if (bits != 0) return <isize>(x + 31 - <usize>clz(bits));
  }
  while (x > from) {
    x--;
    if (<u32>load<u8>(x) == b0 && <u32>load<u8>(x, 1) == b1) return <isize>x;
  }
  return -1;
}

/** Last position of byte `b` in [from, end), or -1. SIMD, backwards; reads no byte before `from`. */
export function lastIndexOfByte(from: usize, end: usize, b: u32): isize {
  const v = Splat.splat(b);
  let x = end;
  while (x >= from + 16) {
    x -= 16;
    const bits = i8x16.bitmask(i8x16.eq(v128.load(x), v));
    if (bits != 0) return <isize>(x + 31 - <usize>clz(bits));
  }
  while (x > from) {
    x--;
    if (<u32>load<u8>(x) == b) return <isize>x;
  }
  return -1;
}
