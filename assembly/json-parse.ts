/**
 * A strict JSON parser for one record's bytes that keeps only the spans of the rule's fields.
 * It accepts exactly what JSON.parse accepts (RFC 8259; any bytes >= 0x20 inside strings, since
 * the reference decodes invalid UTF-8 to U+FFFD there), so "malformed" means the same thing on
 * both sides, and it follows JSON.parse's "the last of a repeated key wins" by clearing a
 * key's slots each time the key appears (json-fields.ts).
 */

import { Ascii, BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, hexValue, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./bytes";
import { decodeJsonString } from "./decode";
import { ALL_SLOTS, clearSlots, KIND_ESCAPED, KIND_NUMBER, KIND_OTHER, KIND_TEXT, setSlot } from "./hits";
import {
  childNode,
  isContainer,
  layoutKeySeen,
  layoutObjectOpened,
  NO_NODE,
  nodeSlot,
  nodeSlots,
  ROOT_NODE,
  resetLayoutKeys,
} from "./json-fields";

/** Parse results. */
export const PARSE_OK: i32 = 0;
export const PARSE_MALFORMED: i32 = 1;
/** Deeper than this parser's stack: the TypeScript side must decide with JSON.parse. */
export const PARSE_TOO_DEEP: i32 = 2;

const MAX_DEPTH: i32 = 1024;
/** Per level: the container's node (i32); the sign bit of `kinds` says array. */
const NODES = memory.data(MAX_DEPTH * 4, 4);
const IS_ARRAY = memory.data(MAX_DEPTH, 4);
/**
 * Keys with escapes are decoded here. A `\uXXXX` is 6 bytes for one character, so a raw key
 * longer than 128 bytes decodes to more than 21 characters: longer than any key the rule wants.
 */
const KEY_BUFFER_SIZE: usize = 128;
const KEY_BUFFER = memory.data(<i32>KEY_BUFFER_SIZE + 16, 16);

/** End (exclusive) of the string whose opening quote is at `p`, or 0 when invalid; sets {@link stringHasEscape}. */
let stringHasEscape = false;

/** Splats of `"`, `\\` and 0x20, for skipping plain string bytes 16 at a time. */
const STRING_STOPS = memory.data<u8>(
  [
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x5c, 0x5c, 0x5c,
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
  ],
  16,
);

function scanString(p: usize, end: usize): usize {
  let i = p + 1;
  stringHasEscape = false;
  const quotes = v128.load(STRING_STOPS);
  const backslashes = v128.load(STRING_STOPS, 16);
  const controls = v128.load(STRING_STOPS, 32);
  while (i < end) {
    // Plain bytes 16 at a time; stop at a quote, a backslash or a control character.
    while (i + 16 <= end) {
      const v = v128.load(i);
      const stops = v128.or(v128.or(i8x16.eq(v, quotes), i8x16.eq(v, backslashes)), i8x16.lt_u(v, controls));
      const bits = i8x16.bitmask(stops);
      if (bits != 0) {
        i += <usize>ctz(bits);
        break;
      }
      i += 16;
    }
    if (i >= end) return 0;
    const c = <u32>load<u8>(i);
    if (c == QUOTE) return i + 1;
    if (c < 0x20) return 0;
    if (c == BACKSLASH) {
      stringHasEscape = true;
      if (i + 1 >= end) return 0;
      const e = <u32>load<u8>(i, 1);
      if (e == 0x75) {
        if (i + 6 > end) return 0;
        for (let k: usize = 2; k < 6; k++) if (hexValue(load<u8>(i + k)) < 0) return 0;
        i += 6;
        continue;
      }
      if (e != QUOTE && e != BACKSLASH && e != 0x2f && e != 0x62 && e != 0x66 && e != 0x6e && e != 0x72 && e != 0x74) {
        return 0;
      }
      i += 2;
      continue;
    }
    i++;
  }
  return 0;
}

/** String scanning inlined at its call sites (a static class: `@inline` sits on class members). */
class Strings {
  /**
   * End of a string of at most 15 bytes whose opening quote is at `p` and which has no escape
   * or control character, checked in one 16-byte step without a call; 0 for any other string
   * (then {@link scanString} decides). Most keys and many values are such strings.
   */
  @inline
  static shortEnd(p: usize, end: usize): usize {
    if (p + 17 > end) return 0;
    const v = v128.load(p + 1);
    const quotes = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x22)));
    const stops = <u32>i8x16.bitmask(v128.or(i8x16.eq(v, i8x16.splat(0x5c)), i8x16.lt_u(v, i8x16.splat(0x20))));
    // The first quote, with no stop before it.
    const first = quotes & (0 - quotes);
    if (first == 0 || (stops & (first - 1)) != 0) return 0;
    stringHasEscape = false;
    return p + 2 + <usize>ctz(first);
  }

  /** End (exclusive) of the string whose opening quote is at `p`, or 0 when invalid: the short path, then the full one. */
  @inline
  static end(p: usize, end: usize): usize {
    const q = Strings.shortEnd(p, end);
    return q != 0 ? q : scanString(p, end);
  }
}

function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** End of the number starting at `p`, or 0 when it is not a JSON number. */
function scanNumber(p: usize, end: usize): usize {
  let i = p;
  if (i < end && load<u8>(i) == 0x2d) i++;
  if (i >= end) return 0;
  const c = <u32>load<u8>(i);
  if (c == 0x30) {
    i++;
  } else if (c - 0x31 < 9) {
    while (i < end && isDigit(load<u8>(i))) i++;
  } else {
    return 0;
  }
  if (i < end && load<u8>(i) == 0x2e) {
    i++;
    if (i >= end || !isDigit(load<u8>(i))) return 0;
    while (i < end && isDigit(load<u8>(i))) i++;
  }
  if (i < end && (load<u8>(i) | 0x20) == 0x65) {
    i++;
    if (i < end && (load<u8>(i) == 0x2b || load<u8>(i) == 0x2d)) i++;
    if (i >= end || !isDigit(load<u8>(i))) return 0;
    while (i < end && isDigit(load<u8>(i))) i++;
  }
  return i;
}

function scanLiteral(p: usize, end: usize, word: string): usize {
  const n = <usize>word.length;
  if (p + n > end) return 0;
  for (let k: usize = 0; k < n; k++) {
    if (<u32>load<u8>(p + k) != <u32>load<u16>(changetype<usize>(word) + (k << 1))) return 0;
  }
  return p + n;
}

function skipSpace(p: usize, end: usize): usize {
  while (p < end && Ascii.isJsonSpace(load<u8>(p))) p++;
  return p;
}

/** Node for the key whose string spans [p, q) (quotes included) under `parent`. */
function keyNode(parent: i32, p: usize, q: usize, escaped: bool): i32 {
  if (parent == NO_NODE) return NO_NODE;
  if (!escaped) return childNode(parent, p + 1, q - p - 2);
  if (q - p - 2 > KEY_BUFFER_SIZE) return NO_NODE;
  const n = decodeJsonString(p + 1, q - p - 2, KEY_BUFFER);
  return n < 0 ? NO_NODE : childNode(parent, KEY_BUFFER, <usize>n);
}

/**
 * Parses the JSON text [start, end) (one record: a value with nothing but white space around
 * it), filling the field slots of every layout and the layout keys (json-fields.ts recordLayout
 * then says which layout it is). Returns PARSE_OK, PARSE_MALFORMED or PARSE_TOO_DEEP.
 */
export function parseJsonRecord(start: usize, end: usize): i32 {
  return parse(start, end, false);
}

/** End (exclusive) of the value the last {@link parseJsonPrefix} parsed. */
export let parsedEnd: usize = 0;

/**
 * Parses the JSON value that starts at `start` (before `end`), as {@link parseJsonRecord} does,
 * but stops where that value ends: {@link parsedEnd}. What follows is the caller's business.
 */
export function parseJsonPrefix(start: usize, end: usize): i32 {
  return parse(start, end, true);
}

function parse(start: usize, end: usize, prefix: bool): i32 {
  clearSlots(ALL_SLOTS);
  resetLayoutKeys();
  let depth: i32 = 0;
  let p = skipSpace(start, end);
  let node = ROOT_NODE; // node of the value about to be parsed
  // Parse one value, then loop over `,`/closers until the outermost container closes.
  while (true) {
    // --- a value ---
    if (p >= end) return PARSE_MALFORMED;
    const c = <u32>load<u8>(p);
    const slot = nodeSlot(node);
    if (c == OPEN_BRACE || c == OPEN_BRACKET) {
      if (depth == MAX_DEPTH) return PARSE_TOO_DEEP;
      const array = c == OPEN_BRACKET;
      if (!array) layoutObjectOpened(node);
      store<i32>(NODES + ((<usize>depth) << 2), array || !isContainer(node) ? NO_NODE : node);
      store<u8>(IS_ARRAY + <usize>depth, array ? 1 : 0);
      depth++;
      p = skipSpace(p + 1, end);
      if (p >= end) return PARSE_MALFORMED;
      const d = <u32>load<u8>(p);
      if (d == (array ? CLOSE_BRACKET : CLOSE_BRACE)) {
        depth--;
        p++;
      } else if (array) {
        node = NO_NODE;
        continue;
      } else {
        // first key
        if (d != QUOTE) return PARSE_MALFORMED;
        const q = Strings.end(p, end);
        if (q == 0) return PARSE_MALFORMED;
        node = keyNode(load<i32>(NODES + ((<usize>(depth - 1)) << 2)), p, q, stringHasEscape);
        if (node != NO_NODE) {
          clearSlots(nodeSlots(node));
          layoutKeySeen(node);
        }
        p = skipSpace(q, end);
        if (p >= end || load<u8>(p) != 0x3a) return PARSE_MALFORMED;
        p = skipSpace(p + 1, end);
        continue;
      }
    } else if (c == QUOTE) {
      const q = Strings.end(p, end);
      if (q == 0) return PARSE_MALFORMED;
      if (slot >= 0) setSlot(slot, stringHasEscape ? KIND_ESCAPED : KIND_TEXT, p + 1, q - p - 2);
      p = q;
    } else if (c == 0x2d || isDigit(c)) {
      const q = scanNumber(p, end);
      if (q == 0) return PARSE_MALFORMED;
      if (slot >= 0) setSlot(slot, KIND_NUMBER, p, q - p);
      p = q;
    } else {
      const q =
        c == 0x74
          ? scanLiteral(p, end, "true")
          : c == 0x66
            ? scanLiteral(p, end, "false")
            : c == 0x6e
              ? scanLiteral(p, end, "null")
              : 0;
      if (q == 0) return PARSE_MALFORMED;
      if (slot >= 0) setSlot(slot, KIND_OTHER, p, q - p);
      p = q;
    }
    // --- after a value: `,` or closers ---
    while (true) {
      if (depth == 0 && prefix) {
        parsedEnd = p;
        return PARSE_OK;
      }
      p = skipSpace(p, end);
      if (depth == 0) return p == end ? PARSE_OK : PARSE_MALFORMED;
      if (p >= end) return PARSE_MALFORMED;
      const d = <u32>load<u8>(p);
      const array = load<u8>(IS_ARRAY + <usize>(depth - 1)) != 0;
      if (d == 0x2c) {
        p = skipSpace(p + 1, end);
        if (array) {
          node = NO_NODE;
        } else {
          if (p >= end || load<u8>(p) != QUOTE) return PARSE_MALFORMED;
          const q = Strings.end(p, end);
          if (q == 0) return PARSE_MALFORMED;
          node = keyNode(load<i32>(NODES + ((<usize>(depth - 1)) << 2)), p, q, stringHasEscape);
          if (node != NO_NODE) {
            clearSlots(nodeSlots(node));
            layoutKeySeen(node);
          }
          p = skipSpace(q, end);
          if (p >= end || load<u8>(p) != 0x3a) return PARSE_MALFORMED;
          p = skipSpace(p + 1, end);
        }
        break;
      }
      if (d == (array ? CLOSE_BRACKET : CLOSE_BRACE)) {
        depth--;
        p++;
        continue;
      }
      return PARSE_MALFORMED;
    }
  }
}
