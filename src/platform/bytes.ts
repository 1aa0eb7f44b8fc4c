/**
 * Byte helpers the engine shares between Node and the browser: the one seam where the Node build
 * uses Buffer and native CRC-32 (fast) and the browser build (bytes.browser.ts, swapped in
 * by scripts/build-web.mjs) uses TextDecoder and plain loops. Both give the same results
 * byte for byte; callers never touch Buffer themselves.
 */

import { createRequire } from "node:module";
import { crc32 as zlibCrc32 } from "node:zlib";

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** A byte view over a whole ArrayBuffer (in Node a Buffer, whose decoding is fastest). */
export function byteView(buffer: ArrayBuffer): Uint8Array {
  return Buffer.from(buffer);
}

/** UTF-8 text of bytes[start, end) (invalid sequences become U+FFFD). */
export function utf8Text(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return asBuffer(bytes).toString("utf8", start, end);
}

/** Latin-1 text of bytes[start, end) (one character per byte). */
export function latin1Text(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return asBuffer(bytes).toString("latin1", start, end);
}

/** `units` UTF-16LE code units at byte `at`, lone surrogates kept as they are. */
export function utf16leText(bytes: Uint8Array, at: number, units: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, 2 * units).toString("utf16le");
}

/** The bytes of a Latin-1 string (constants such as `<Event`). */
export function latin1Bytes(text: string): Uint8Array {
  return Buffer.from(text, "latin1");
}

/** One new array holding the parts in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** First index of `needle` in `haystack` at or after `from`; -1 when absent. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  return asBuffer(haystack).indexOf(needle, from);
}

type Crc32 = (bytes: Uint8Array, seed: number) => number;

/** zlib's CRC-32 (~4.5 GB/s here: table-driven, no carry-less multiply). */
function zlibCrc(bytes: Uint8Array, seed: number): number {
  // zlib answers 0 for a buffer without memory (Z_NULL), whatever the seed; no bytes keep the seed.
  return bytes.length === 0 ? seed >>> 0 : zlibCrc32(bytes, seed);
}

/**
 * The CRC-32 in use: @node-rs/crc32 (Rust's crc32fast, PCLMULQDQ/ARMv8 CRC: 11.4 GB/s against
 * zlib's 4.7 GB/s on 64 KiB chunks here; EVTX checks every 64 KiB chunk, and that CRC was
 * the largest cost of a folder of EVTX files), loaded on first use; zlib where no prebuilt
 * binary fits the platform.
 */
let crcImpl: Crc32 | undefined;

function loadCrc32(): Crc32 {
  try {
    const native = createRequire(import.meta.url)("@node-rs/crc32") as { crc32: Crc32 };
    return native.crc32;
  } catch {
    return zlibCrc;
  }
}

/** CRC-32 (IEEE, as zlib), continuing from `seed`. */
export function crc32(bytes: Uint8Array, seed = 0): number {
  crcImpl ??= loadCrc32();
  return crcImpl(bytes, seed);
}
