/**
 * Field extraction from one `<Event>...</Event>` record, for the common shape of Windows event
 * XML: elements, attributes in `'` or `"`, character data. It takes what the reference
 * (src/formats/xml-fields.ts, fast-xml-parser) takes: the first System and EventData under the
 * root; in System the first EventID, Channel and Computer (their text) and the first Provider's
 * Name and TimeCreated's SystemTime (the last of a repeated attribute); in EventData the first
 * Data whose Name is Image / TargetFilename. An empty element gives "".
 *
 * Anything where fast-xml-parser's own habits could change the answer makes the record
 * *complex*, and the TypeScript side then asks the reference parser itself: comments, CDATA,
 * processing instructions, mismatched tags, namespace prefixes on names, names the parser
 * treats specially (`__proto__`, `toString`, ...), a child element or a CR inside a wanted
 * value, `&`, white space or `>` in a wanted attribute value.
 */

import { AMP, APOS, Ascii, CR, GT, indexOfByte, indexOfEitherByte, LF, LT, QUOTE, SLASH, spanEquals } from "./bytes";
import {
  clearSlots,
  KIND_ESCAPED,
  KIND_TEXT,
  SLOT_CHANNEL,
  SLOT_COMPUTER,
  SLOT_EVENT_ID,
  SLOT_IMAGE,
  SLOT_PROVIDER,
  SLOT_PROVIDER_SEPARATE,
  SLOT_TARGET,
  SLOT_TIME,
  SLOT_TIME_SEPARATE,
  setSlot,
} from "./hits";

const MAX_DEPTH: i32 = 64;

/**
 * The slots XML fills (the evtx_dump ones, which resolveFields reads for XML), and the
 * `--separate-json-attributes` ones resolveFields falls back to: cleared too, so that a JSON
 * record scanned earlier by this instance leaves nothing in them.
 */
const XML_SLOTS: u64 =
  ((<u64>1) << SLOT_EVENT_ID) |
  ((<u64>1) << SLOT_PROVIDER) |
  ((<u64>1) << SLOT_CHANNEL) |
  ((<u64>1) << SLOT_IMAGE) |
  ((<u64>1) << SLOT_TARGET) |
  ((<u64>1) << SLOT_COMPUTER) |
  ((<u64>1) << SLOT_TIME) |
  ((<u64>1) << SLOT_PROVIDER_SEPARATE) |
  ((<u64>1) << SLOT_TIME_SEPARATE);
const NAME_PTR = memory.data(MAX_DEPTH * 4, 4);
const NAME_LEN = memory.data(MAX_DEPTH * 4, 4);

/** 1 for a byte that may be in an element or attribute name here (no `:`), 0 else; filled at start. */
const NAME_BYTES = memory.data(256);
for (let c: u32 = 0; c < 256; c++) {
  const name = c - 0x61 < 26 || c - 0x41 < 26 || c - 0x30 < 10 || c == 0x2e || c == 0x2d || c == 0x5f || c >= 0x80;
  store<u8>(NAME_BYTES + <usize>c, name ? 1 : 0);
}

/** True for a byte that may be in an element or attribute name here (a table look-up: the scalar test was the parser's hot spot). */
function isNameByte(c: u32): bool {
  return load<u8>(NAME_BYTES + <usize>c) != 0;
}

/** Names fast-xml-parser rejects or rewrites (prototype pollution guards), after the inlined first test. */
function isSpecialNameSlow(p: usize, n: usize): bool {
  const c = <u32>load<u8>(p);
  if (c == 0x5f /* _ */) return true;
  if (c - 0x30 < 10 || c == 0x2d || c == 0x2e) return true;
  return (
    spanEquals(p, n, "constructor") ||
    spanEquals(p, n, "prototype") ||
    spanEquals(p, n, "hasOwnProperty") ||
    spanEquals(p, n, "toString") ||
    spanEquals(p, n, "valueOf")
  );
}

/** Name tests inlined at their call sites (a static class: `@inline` sits on class members). */
class Names {
  /**
   * Names fast-xml-parser rejects or rewrites (prototype pollution guards). A name that starts
   * with an upper-case letter, as every name of Windows event XML does, is none of them: that
   * test is inlined, the rest is a call.
   */
  @inline
  static isSpecial(p: usize, n: usize): bool {
    return n == 0 || (<u32>load<u8>(p) - 0x41 >= 26 && isSpecialNameSlow(p, n));
  }
}

/** End of the name starting at `p` (first byte that is not a name byte). */
function nameEnd(p: usize, end: usize): usize {
  while (p < end) {
    const v = v128.load(p);
    const letter = i8x16.lt_u(i8x16.sub(v128.or(v, i8x16.splat(0x20)), i8x16.splat(0x61)), i8x16.splat(26));
    const digit = i8x16.lt_u(i8x16.sub(v, i8x16.splat(0x30)), i8x16.splat(10));
    const punct = v128.or(
      v128.or(i8x16.eq(v, i8x16.splat(0x2e)), i8x16.eq(v, i8x16.splat(0x2d))),
      i8x16.eq(v, i8x16.splat(0x5f)),
    );
    const name = v128.or(v128.or(letter, digit), v128.or(punct, i8x16.lt_s(v, i8x16.splat(0))));
    const bits = ~(<u32>i8x16.bitmask(name)) & 0xffff;
    if (bits != 0) {
      const k = p + <usize>ctz(bits);
      return k < end ? k : end;
    }
    p += 16;
  }
  return end;
}

// Attributes of the start tag being read: the ones the rule wants (last occurrence wins).
let nameAttrStart: usize = 0;
let nameAttrLen: isize = -1;
let timeAttrStart: usize = 0;
let timeAttrLen: isize = -1;

/** True when the attribute value [p, p + n) holds `&`, `>`, CR, LF or a tab (16 bytes a step). */
function attrValueIsOdd(p: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i += 16) {
    const v = v128.load(p + i);
    const odd = v128.or(
      v128.or(i8x16.eq(v, i8x16.splat(<i8>AMP)), i8x16.eq(v, i8x16.splat(<i8>GT))),
      v128.or(
        v128.or(i8x16.eq(v, i8x16.splat(<i8>CR)), i8x16.eq(v, i8x16.splat(<i8>LF))),
        i8x16.eq(v, i8x16.splat(0x09)),
      ),
    );
    const bits = <u32>i8x16.bitmask(odd);
    // Lanes past the value do not count.
    const valid = n - i >= 16 ? 0xffff : ((<u32>1) << (<u32>(n - i))) - 1;
    if ((bits & valid) != 0) return true;
  }
  return false;
}

/**
 * Reads the attributes from `p` (just after the name) to the end of the start tag. Returns the
 * position after `>` (negative: `/>`, as -(position)); 0 when the tag is not simple.
 */
function readAttributes(p: usize, end: usize): isize {
  nameAttrLen = -1;
  timeAttrLen = -1;
  while (true) {
    const before = p;
    while (p < end && Ascii.isXmlSpace(load<u8>(p))) p++;
    if (p >= end) return 0;
    const c = <u32>load<u8>(p);
    if (c == GT) return <isize>(p + 1);
    if (c == SLASH) {
      if (p + 1 < end && load<u8>(p, 1) == GT) return -(<isize>(p + 2));
      return 0;
    }
    if (p == before) return 0; // attributes must be separated by white space
    const nameStart = p;
    const ne = nameEnd(p, end);
    const n = ne - nameStart;
    let q = ne;
    let xmlns = false;
    if (q < end && load<u8>(q) == 0x3a /* : */) {
      // Only namespace declarations may carry a prefix here.
      if (!spanEquals(nameStart, n, "xmlns")) return 0;
      xmlns = true;
      q = nameEnd(q + 1, end);
    }
    if (Names.isSpecial(nameStart, n)) return 0;
    while (q < end && Ascii.isXmlSpace(load<u8>(q))) q++;
    if (q >= end || load<u8>(q) != 0x3d /* = */) return 0;
    q++;
    while (q < end && Ascii.isXmlSpace(load<u8>(q))) q++;
    if (q >= end) return 0;
    const quote = <u32>load<u8>(q);
    if (quote != QUOTE && quote != APOS) return 0;
    const vs = q + 1;
    // The closing quote, with no `<` before it.
    const ve = indexOfEitherByte(vs, end, quote, LT);
    if (ve < 0 || <u32>load<u8>(<usize>ve) == LT) return 0;
    const vlen = <usize>ve - vs;
    if (!xmlns) {
      if (spanEquals(nameStart, n, "Name")) {
        nameAttrStart = vs;
        nameAttrLen = <isize>vlen;
      } else if (spanEquals(nameStart, n, "SystemTime")) {
        timeAttrStart = vs;
        timeAttrLen = <isize>vlen;
      }
    }
    p = <usize>ve + 1;
  }
}

/**
 * Parses record [start, end) (from `<Event` through `</Event>`), filling the field slots.
 * Returns true when the record is simple (the slots are exactly what the reference takes),
 * false when it is complex (see the module comment).
 */
export function parseXmlRecord(start: usize, end: usize): bool {
  clearSlots(XML_SLOTS);
  let depth: i32 = 0;
  let seenSystem = false;
  let seenEventData = false;
  let inSystem = false;
  let inEventData = false;
  let seenEventId = false;
  let seenProvider = false;
  let seenChannel = false;
  let seenComputer = false;
  let seenTimeCreated = false;
  let seenImage = false;
  let seenTarget = false;
  let captureSlot: i32 = -1;
  let captureDepth: i32 = 0;
  let captureFrom: usize = 0;
  let i = start;
  while (i < end) {
    const c = <u32>load<u8>(i);
    if (c != LT) {
      const next = indexOfByte(i, end, LT);
      i = next < 0 ? end : <usize>next;
      continue;
    }
    if (i + 1 >= end) return false;
    const n = <u32>load<u8>(i, 1);
    if (n == 0x21 /* ! */ || n == 0x3f /* ? */) return false;
    if (n == SLASH) {
      if (depth == 0) return false;
      const ns = i + 2;
      const top = (<usize>(depth - 1)) << 2;
      const openPtr = <usize>load<u32>(NAME_PTR + top);
      const openLen = <usize>load<u32>(NAME_LEN + top);
      // The open tag's name, then a byte that ends a name: the same test as reading the name.
      const ne = ns + openLen;
      if (ne >= end || isNameByte(load<u8>(ne)) || memory.compare(openPtr, ns, openLen) != 0) return false;
      let q = ne;
      while (q < end && Ascii.isXmlSpace(load<u8>(q))) q++;
      if (q >= end || load<u8>(q) != GT) return false;
      if (captureSlot >= 0 && depth == captureDepth) {
        // The value's character data: [captureFrom, i), with no markup inside.
        const len = i - captureFrom;
        if (indexOfByte(captureFrom, i, CR) >= 0) return false;
        const kind = indexOfByte(captureFrom, i, AMP) >= 0 ? KIND_ESCAPED : KIND_TEXT;
        setSlot(captureSlot, kind, captureFrom, len);
        captureSlot = -1;
      }
      depth--;
      if (depth == 1) {
        inSystem = false;
        inEventData = false;
      }
      i = q + 1;
      if (depth == 0) return i == end;
      continue;
    }
    // A start tag.
    const ns = i + 1;
    const ne = nameEnd(ns, end);
    const nlen = ne - ns;
    if (ne < end && load<u8>(ne) == 0x3a) return false; // namespace prefix
    if (Names.isSpecial(ns, nlen)) return false;
    let after: isize;
    if (ne < end && <u32>load<u8>(ne) == GT) {
      // No attributes (most elements): what readAttributes would say, without the call.
      nameAttrLen = -1;
      timeAttrLen = -1;
      after = <isize>(ne + 1);
    } else after = readAttributes(ne, end);
    if (after == 0) return false;
    const selfClosing = after < 0;
    const next = <usize>(selfClosing ? -after : after);
    if (captureSlot >= 0 && depth == captureDepth) return false; // a child element in a value
    const level = depth + 1;
    if (level == 2) {
      if (spanEquals(ns, nlen, "System") && !seenSystem) {
        seenSystem = true;
        inSystem = !selfClosing;
      } else if (spanEquals(ns, nlen, "EventData") && !seenEventData) {
        seenEventData = true;
        inEventData = !selfClosing;
      }
    } else if (level == 3 && inSystem) {
      let slot: i32 = -1;
      if (spanEquals(ns, nlen, "EventID") && !seenEventId) {
        seenEventId = true;
        slot = SLOT_EVENT_ID;
      } else if (spanEquals(ns, nlen, "Channel") && !seenChannel) {
        seenChannel = true;
        slot = SLOT_CHANNEL;
      } else if (spanEquals(ns, nlen, "Computer") && !seenComputer) {
        seenComputer = true;
        slot = SLOT_COMPUTER;
      } else if (spanEquals(ns, nlen, "Provider") && !seenProvider) {
        seenProvider = true;
        if (nameAttrLen >= 0) {
          if (attrValueIsOdd(nameAttrStart, <usize>nameAttrLen)) return false;
          setSlot(SLOT_PROVIDER, KIND_TEXT, nameAttrStart, <usize>nameAttrLen);
        }
      } else if (spanEquals(ns, nlen, "TimeCreated") && !seenTimeCreated) {
        seenTimeCreated = true;
        if (timeAttrLen >= 0) {
          if (attrValueIsOdd(timeAttrStart, <usize>timeAttrLen)) return false;
          setSlot(SLOT_TIME, KIND_TEXT, timeAttrStart, <usize>timeAttrLen);
        }
      }
      if (slot >= 0) {
        if (selfClosing) setSlot(slot, KIND_TEXT, next, 0);
        else {
          captureSlot = slot;
          captureDepth = level;
          captureFrom = next;
        }
      }
    } else if (level == 3 && inEventData && nameAttrLen >= 0 && spanEquals(ns, nlen, "Data")) {
      if (attrValueIsOdd(nameAttrStart, <usize>nameAttrLen)) return false;
      let slot: i32 = -1;
      if (!seenImage && spanEquals(nameAttrStart, <usize>nameAttrLen, "Image")) {
        seenImage = true;
        slot = SLOT_IMAGE;
      } else if (!seenTarget && spanEquals(nameAttrStart, <usize>nameAttrLen, "TargetFilename")) {
        seenTarget = true;
        slot = SLOT_TARGET;
      }
      if (slot >= 0) {
        if (selfClosing) setSlot(slot, KIND_TEXT, next, 0);
        else {
          captureSlot = slot;
          captureDepth = level;
          captureFrom = next;
        }
      }
    }
    if (!selfClosing) {
      if (depth == MAX_DEPTH) return false;
      const top = (<usize>depth) << 2;
      store<u32>(NAME_PTR + top, <u32>ns);
      store<u32>(NAME_LEN + top, <u32>nlen);
      depth++;
    } else if (level == 1) {
      return false; // `<Event/>` and then more
    }
    i = next;
  }
  return false;
}
