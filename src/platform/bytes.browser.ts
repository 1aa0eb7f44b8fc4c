/**
 * The browser side of bytes.ts (same exports, same results): TextDecoder for UTF-8 and Latin-1,
 * a loop for UTF-16 (TextDecoder would replace lone surrogates, Buffer keeps them), a table
 * CRC-32. scripts/build-web.mjs swaps this file in for bytes.ts; nothing here needs Node.
 */

const utf8 = new TextDecoder("utf-8");

/** A byte view over a whole ArrayBuffer. */
export function byteView(buffer: ArrayBuffer): Uint8Array {
  return new Uint8Array(buffer);
}

/** UTF-8 text of bytes[start, end) (invalid sequences become U+FFFD). */
export function utf8Text(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return utf8.decode(bytes.subarray(start, end));
}

/** Latin-1 text of bytes[start, end) (one character per byte). */
export function latin1Text(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  for (let i = start; i < end; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
  }
  return out;
}

/** `units` UTF-16LE code units at byte `at`, lone surrogates kept as they are. */
export function utf16leText(bytes: Uint8Array, at: number, units: number): string {
  let out = "";
  const codes: number[] = [];
  for (let i = 0; i < units; i++) {
    const p = at + 2 * i;
    codes.push((bytes[p] as number) | ((bytes[p + 1] as number) << 8));
    if (codes.length === 8192) {
      out += String.fromCharCode(...codes);
      codes.length = 0;
    }
  }
  return out + String.fromCharCode(...codes);
}

/** The bytes of a Latin-1 string (constants such as `<Event`). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** One new array holding the parts in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** First index of `needle` in `haystack` at or after `from`; -1 when absent. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  if (needle.length === 0) return Math.min(from, haystack.length);
  const first = needle[0] as number;
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i >= 0 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** True on little-endian hosts (every browser in practice), where a Uint32Array reads words as CRC-32 wants. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Slicing-by-16 tables: table k at [256k, 256k + 256). */
let tables: Uint32Array | undefined;

function crcTables(): Uint32Array {
  if (tables !== undefined) return tables;
  const t = new Uint32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 16; k++) {
      const prev = t[(k - 1) * 256 + n] as number;
      t[k * 256 + n] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
  tables = t;
  return t;
}

/**
 * CRC-32 (IEEE, as zlib), continuing from `seed`: slicing-by-16 (16 bytes per step, 16 table
 * lookups), about 5x a byte-at-a-time loop; every EVTX chunk's records are checked with it.
 */
export function crc32(bytes: Uint8Array, seed = 0): number {
  const t = crcTables();
  let c = (seed ^ 0xffffffff) >>> 0;
  let i = 0;
  const n = bytes.length;
  const b = bytes;
  // Bytes up to a 4-byte boundary one at a time, then 16 at a time as four little-endian words.
  while (i < n && (b.byteOffset + i) % 4 !== 0) c = (t[(c ^ (b[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  if (LITTLE_ENDIAN && n - i >= 16) {
    const words = new Uint32Array(b.buffer, b.byteOffset + i, (n - i) >>> 2);
    const steps = words.length >>> 2;
    for (let k = 0; k < steps; k++) {
      const w0 = (c ^ (words[4 * k] as number)) >>> 0;
      const w1 = words[4 * k + 1] as number;
      const w2 = words[4 * k + 2] as number;
      const w3 = words[4 * k + 3] as number;
      c =
        (t[3840 + (w0 & 0xff)] as number) ^
        (t[3584 + ((w0 >>> 8) & 0xff)] as number) ^
        (t[3328 + ((w0 >>> 16) & 0xff)] as number) ^
        (t[3072 + (w0 >>> 24)] as number) ^
        (t[2816 + (w1 & 0xff)] as number) ^
        (t[2560 + ((w1 >>> 8) & 0xff)] as number) ^
        (t[2304 + ((w1 >>> 16) & 0xff)] as number) ^
        (t[2048 + (w1 >>> 24)] as number) ^
        (t[1792 + (w2 & 0xff)] as number) ^
        (t[1536 + ((w2 >>> 8) & 0xff)] as number) ^
        (t[1280 + ((w2 >>> 16) & 0xff)] as number) ^
        (t[1024 + (w2 >>> 24)] as number) ^
        (t[768 + (w3 & 0xff)] as number) ^
        (t[512 + ((w3 >>> 8) & 0xff)] as number) ^
        (t[256 + ((w3 >>> 16) & 0xff)] as number) ^
        (t[w3 >>> 24] as number);
    }
    i += steps * 16;
  }
  for (; i < n; i++) c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
