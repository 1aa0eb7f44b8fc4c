/**
 * Whether a damaged record could have held a match: the one meaning of "malformed" both engines
 * share. A damaged record counts (summary, `--verbose`, exit status 2) only when its bytes hold
 * a prefilter candidate as assembly/prefilter.ts defines one: `.dmp` ignoring ASCII case, or an
 * escape that may spell one of its characters (JSON `\u00XX`; XML `&#` references, also ones the
 * reference parser removes or whose value cannot be told). A damaged record without one cannot
 * hide a match, so it is not counted. Mirrors the wasm prefilter byte for byte, with the
 * record's end as the scan's end: an escape cut by it is undecided, so it counts (the JSON
 * splitter hands a record or junk that a line feed ended over with that line feed, which
 * settles it; what is left is a record cut by the end of the input).
 */

const DOT = 0x2e;
const BACKSLASH = 0x5c;
const AMP = 0x26;
const HASH = 0x23;
const SEMI = 0x3b;
/** Escape value that cannot be told within the bytes (kept as a candidate). */
const UNDECIDED = -2;
/** Not an escape, or one left as written. */
const NONE = -1;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

function isDmpAt(b: Uint8Array, p: number): boolean {
  return (
    p + 4 <= b.length &&
    b[p] === DOT &&
    (b[p + 1]! | 0x20) === 0x64 &&
    (b[p + 2]! | 0x20) === 0x6d &&
    (b[p + 3]! | 0x20) === 0x70
  );
}

function isDmpChar(code: number): boolean {
  const lower = code | 0x20;
  return code === DOT || (code >= 0 && code < 0x80 && (lower === 0x64 || lower === 0x6d || lower === 0x70));
}

function isRemovedReference(code: number): boolean {
  if (code < 0) return false;
  return code === 0 || (code < 0x20 && code !== 9 && code !== 10 && code !== 13) || (code >= 0xd800 && code < 0xe000);
}

/** The prefilter's jsonEscapeCode: `\u` at `p` already checked. */
function jsonEscapeCode(b: Uint8Array, p: number): number {
  let code = 0;
  for (let i = 2; i < 6; i++) {
    if (p + i >= b.length) return UNDECIDED;
    const h = hexValue(b[p + i]!);
    if (h < 0) return NONE;
    code = (code << 4) | h;
  }
  return code;
}

/** The prefilter's xmlReferenceCode: `&#` at `p` already checked. */
function xmlReferenceCode(b: Uint8Array, p: number): number {
  const end = b.length;
  let i = p + 2;
  let radix = 10;
  if (i < end && (b[i]! | 0x20) === 0x78) {
    radix = 16;
    i++;
  }
  const first = i;
  let code = 0;
  while (i < end && i - p <= 33) {
    const c = b[i]!;
    if (c === SEMI) return i === first ? NONE : code > 0x10ffff ? NONE : code;
    const d = radix === 16 ? hexValue(c) : c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
    if (d < 0) {
      while (i < end && i - p <= 33) {
        if (b[i] === SEMI) return UNDECIDED;
        i++;
      }
      return i >= end ? UNDECIDED : NONE;
    }
    if (code <= 0x10ffff) code = code * radix + d;
    i++;
  }
  return i >= end ? UNDECIDED : NONE;
}

/** Options of {@link holdsMatchCandidate} for a piece of a record (JSON only). */
export interface PartOptions {
  /** Only candidates that start before this index count. */
  startingBefore?: number;
  /**
   * `bytes` are not the record's end: a JSON escape cut by it is left for the next piece to
   * decide (with the bytes before it carried over), not counted.
   */
  partial?: boolean;
}

/**
 * True when `bytes` (one damaged record, whole) hold a prefilter candidate, so the record could
 * have held a match and counts as malformed.
 *
 * @example
 * ```ts
 * holdsMatchCandidate(Buffer.from('{"TargetFilename":"C:\\\\x.dmp'), true); // true
 * holdsMatchCandidate(Buffer.from('{"Image":"x'), true); // false: cannot hide a match
 * ```
 */
export function holdsMatchCandidate(bytes: Uint8Array, json: boolean, part?: PartOptions): boolean {
  const before = Math.min(part?.startingBefore ?? bytes.length, bytes.length);
  const partial = part?.partial === true;
  for (let p = 0; p < before; p++) {
    const c = bytes[p];
    if (c === DOT) {
      if (isDmpAt(bytes, p)) return true;
    } else if (json) {
      if (c === BACKSLASH && p + 1 < bytes.length && bytes[p + 1] === 0x75) {
        const code = jsonEscapeCode(bytes, p);
        if ((code === UNDECIDED && !partial) || isDmpChar(code)) return true;
      }
    } else if (c === AMP && p + 1 < bytes.length && bytes[p + 1] === HASH) {
      const code = xmlReferenceCode(bytes, p);
      if (code === UNDECIDED || isDmpChar(code) || isRemovedReference(code)) return true;
    }
  }
  return false;
}
