/**
 * Value decoding for the few records that reach confirmation: JSON string escapes and XML
 * entities, written as UTF-8 into a caller's scratch area. The rule is tested on decoded bytes,
 * so an escaped letter cannot hide a match.
 *
 * JSON follows RFC 8259 (JSON.parse): `\" \\ \/ \b \f \n \r \t \uXXXX`, surrogate pairs joined,
 * a lone surrogate written as its 3-byte (WTF-8) form. XML follows what the reference parser
 * (fast-xml-parser 5 with @nodable/entities, htmlEntities on) does: the five XML entities, its
 * common-HTML and currency names, numeric references `&#NN;`/`&#xHH;` (U+0000, surrogates and
 * C0 controls other than tab/LF/CR removed; above U+10FFFF left as written), an `&` without a
 * `;` within 32 bytes or with an unknown name left as written. Numeric forms that only
 * JavaScript's parseInt would accept (`&#x6cz;`, `&# 108;`) set {@link decodeUncertain}: the
 * caller then must not reject on that value.
 */

import { AMP, BACKSLASH, hexValue, spanEquals } from "./bytes";

/** Set by {@link decodeXmlText} when some reference was decoded on a guess (see module comment). */
export let decodeUncertain = false;

/**
 * Set by {@link decodeJsonString} when it wrote a lone surrogate (WTF-8): UTF-8 decoding then
 * gives U+FFFD where JSON.parse gives the surrogate, so the TypeScript side must use JSON.parse.
 */
export let decodeLoneSurrogate = false;

/** Writes code point `cp` as UTF-8 (WTF-8 for a lone surrogate) at `dst`; returns bytes written. */
export function writeUtf8(dst: usize, cp: u32): usize {
  if (cp < 0x80) {
    store<u8>(dst, cp);
    return 1;
  }
  if (cp < 0x800) {
    store<u8>(dst, 0xc0 | (cp >> 6));
    store<u8>(dst, 0x80 | (cp & 0x3f), 1);
    return 2;
  }
  if (cp < 0x10000) {
    store<u8>(dst, 0xe0 | (cp >> 12));
    store<u8>(dst, 0x80 | ((cp >> 6) & 0x3f), 1);
    store<u8>(dst, 0x80 | (cp & 0x3f), 2);
    return 3;
  }
  store<u8>(dst, 0xf0 | (cp >> 18));
  store<u8>(dst, 0x80 | ((cp >> 12) & 0x3f), 1);
  store<u8>(dst, 0x80 | ((cp >> 6) & 0x3f), 2);
  store<u8>(dst, 0x80 | (cp & 0x3f), 3);
  return 4;
}

function hex4(p: usize): i32 {
  let v = 0;
  for (let i: usize = 0; i < 4; i++) {
    const h = hexValue(load<u8>(p + i));
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

/**
 * Decodes the body of a JSON string (the bytes between the quotes) from [src, src + len) to
 * `dst`. Returns the decoded length, or -1 for an invalid escape. Output is never longer than
 * the input.
 */
export function decodeJsonString(src: usize, len: usize, dst: usize): isize {
  decodeLoneSurrogate = false;
  const end = src + len;
  let p = src;
  let q = dst;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c != BACKSLASH) {
      store<u8>(q++, c);
      p++;
      continue;
    }
    if (p + 1 >= end) return -1;
    const e = <u32>load<u8>(p, 1);
    p += 2;
    if (e == 0x75 /* u */) {
      if (p + 4 > end) return -1;
      let cp = hex4(p);
      if (cp < 0) return -1;
      p += 4;
      if (cp >= 0xd800 && cp < 0xdc00 && p + 6 <= end && load<u8>(p) == BACKSLASH && load<u8>(p, 1) == 0x75) {
        const low = hex4(p + 2);
        if (low >= 0xdc00 && low < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          p += 6;
        }
      }
      if (cp >= 0xd800 && cp < 0xe000) decodeLoneSurrogate = true;
      q += writeUtf8(q, <u32>cp);
      continue;
    }
    let out: u32 = 0;
    if (e == 0x22 || e == 0x5c || e == 0x2f) out = e;
    else if (e == 0x62) out = 0x08;
    else if (e == 0x66) out = 0x0c;
    else if (e == 0x6e) out = 0x0a;
    else if (e == 0x72) out = 0x0d;
    else if (e == 0x74) out = 0x09;
    else return -1;
    store<u8>(q++, out);
  }
  return <isize>(q - dst);
}

/** Code point of a named entity (token bytes between `&` and `;`), or -1 when unknown. `&birr;` gives -2. */
function namedEntity(p: usize, n: usize): i32 {
  if (spanEquals(p, n, "amp")) return 0x26;
  if (spanEquals(p, n, "lt")) return 0x3c;
  if (spanEquals(p, n, "gt")) return 0x3e;
  if (spanEquals(p, n, "quot")) return 0x22;
  if (spanEquals(p, n, "apos")) return 0x27;
  // fast-xml-parser's COMMON_HTML and CURRENCY tables (@nodable/entities 3.1).
  if (spanEquals(p, n, "nbsp")) return 0xa0;
  if (spanEquals(p, n, "copy")) return 0xa9;
  if (spanEquals(p, n, "reg")) return 0xae;
  if (spanEquals(p, n, "trade")) return 0x2122;
  if (spanEquals(p, n, "mdash")) return 0x2014;
  if (spanEquals(p, n, "ndash")) return 0x2013;
  if (spanEquals(p, n, "hellip")) return 0x2026;
  if (spanEquals(p, n, "laquo")) return 0xab;
  if (spanEquals(p, n, "raquo")) return 0xbb;
  if (spanEquals(p, n, "lsquo")) return 0x2018;
  if (spanEquals(p, n, "rsquo")) return 0x2019;
  if (spanEquals(p, n, "ldquo")) return 0x201c;
  if (spanEquals(p, n, "rdquo")) return 0x201d;
  if (spanEquals(p, n, "bull")) return 0x2022;
  if (spanEquals(p, n, "para")) return 0xb6;
  if (spanEquals(p, n, "sect")) return 0xa7;
  if (spanEquals(p, n, "deg")) return 0xb0;
  if (spanEquals(p, n, "frac12")) return 0xbd;
  if (spanEquals(p, n, "frac14")) return 0xbc;
  if (spanEquals(p, n, "frac34")) return 0xbe;
  if (spanEquals(p, n, "cent")) return 0xa2;
  if (spanEquals(p, n, "pound")) return 0xa3;
  if (spanEquals(p, n, "curren")) return 0xa4;
  if (spanEquals(p, n, "yen")) return 0xa5;
  if (spanEquals(p, n, "euro")) return 0x20ac;
  if (spanEquals(p, n, "dollar")) return 0x24;
  if (spanEquals(p, n, "fnof")) return 0x192;
  if (spanEquals(p, n, "inr")) return 0x20b9;
  if (spanEquals(p, n, "af")) return 0x60b;
  if (spanEquals(p, n, "birr")) return -2;
  if (spanEquals(p, n, "peso")) return 0x20b1;
  if (spanEquals(p, n, "rub")) return 0x20bd;
  if (spanEquals(p, n, "won")) return 0x20a9;
  if (spanEquals(p, n, "yuan")) return 0xa5;
  if (spanEquals(p, n, "cedil")) return 0xb8;
  return -1;
}

/** Numeric reference token `#...` at [p, p + n): code point, -1 = leave as written, -2 = guess needed. */
function numericEntity(p: usize, n: usize): i64 {
  let i: usize = 1;
  let radix: u64 = 10;
  if (n > 1 && (load<u8>(p, 1) | 0x20) == 0x78) {
    radix = 16;
    i = 2;
  }
  if (i >= n) return -1; // `&#;` / `&#x;`: parseInt gives NaN, left as written
  let cp: u64 = 0;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    const d: i32 = radix == 16 ? hexValue(c) : c - 0x30 < 10 ? <i32>(c - 0x30) : -1;
    if (d < 0) return -2;
    if (cp <= 0x10ffff) cp = cp * radix + <u64>d;
  }
  return cp > 0x10ffff ? -1 : <i64>cp;
}

/**
 * Decodes XML character data (text or an attribute value) from [src, src + len) to `dst`,
 * as the reference parser does (see the module comment). Returns the decoded length.
 */
export function decodeXmlText(src: usize, len: usize, dst: usize): usize {
  const end = src + len;
  let p = src;
  let q = dst;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c != AMP) {
      store<u8>(q++, c);
      p++;
      continue;
    }
    // `;` within 32 bytes of the `&`, as @nodable/entities' scanner looks for it.
    let j = p + 1;
    while (j < end && load<u8>(j) != 0x3b && j - p <= 32) j++;
    if (j >= end || load<u8>(j) != 0x3b || j == p + 1) {
      store<u8>(q++, c);
      p++;
      continue;
    }
    const token = p + 1;
    const n = j - token;
    let cp: i64 = -1;
    if (load<u8>(token) == 0x23 /* # */) {
      cp = numericEntity(token, n);
      if (cp == -2) decodeUncertain = true;
      if (cp >= 0) {
        // U+0000, surrogates and C0 controls other than tab/LF/CR are removed.
        const removed = cp == 0 || (cp >= 0xd800 && cp < 0xe000) || (cp < 0x20 && cp != 9 && cp != 10 && cp != 13);
        if (!removed) q += writeUtf8(q, <u32>cp);
        p = j + 1;
        continue;
      }
    } else {
      const named = namedEntity(token, n);
      if (named == -2) {
        q += writeUtf8(q, 0x1265);
        q += writeUtf8(q, 0x122d);
        p = j + 1;
        continue;
      }
      if (named >= 0) {
        q += writeUtf8(q, <u32>named);
        p = j + 1;
        continue;
      }
    }
    // Left as written: keep the `&` and go on after it.
    store<u8>(q++, c);
    p++;
  }
  return q - dst;
}

/** Clears {@link decodeUncertain} (before decoding one value). */
export function resetDecodeUncertain(): void {
  decodeUncertain = false;
}
