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

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table !== undefined) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 (IEEE, as zlib), continuing from `seed`. */
export function crc32(bytes: Uint8Array, seed = 0): number {
  const t = crcTable();
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
