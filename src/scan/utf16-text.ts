/**
 * UTF-16 text logs: Windows PowerShell 5.1 writes UTF-16LE with a byte order mark by default
 * (`Out-File`, `>` redirection; `-Encoding BigEndianUnicode` gives UTF-16BE), so a log exported
 * with `Get-WinEvent ... | ConvertTo-Json > x.json` is UTF-16. The engines read UTF-8, so such an
 * input is transcoded to UTF-8 as a stream, block by block (never the whole file in memory),
 * before format detection and scanning. The byte order mark is dropped, a surrogate pair split
 * across blocks is kept whole, and an unpaired surrogate (or a last odd byte) becomes U+FFFD.
 * Byte offsets in messages about such an input are offsets in its UTF-8 text.
 */

import type { Utf16Encoding } from "../formats/log-format.js";

// Where a byte order mark is recognized: format detection's layer (the engines ask it too).
export { type Utf16Encoding, utf16BomOf } from "../formats/log-format.js";

/** Human names, for messages. */
export const UTF16_NAMES: Record<Utf16Encoding, string> = { "utf-16le": "UTF-16LE", "utf-16be": "UTF-16BE" };

/**
 * True when `head` looks like UTF-16 text without a byte order mark: most of its first 256
 * code units are ASCII with a zero high byte (zeros at every odd offset for LE, every even one
 * for BE). Used only to say why a file was skipped.
 */
export function looksLikeUtf16WithoutBom(head: Uint8Array): boolean {
  const units = Math.min(256, Math.floor(head.length / 2));
  if (units < 4) return false;
  let le = 0;
  let be = 0;
  for (let i = 0; i < units; i++) {
    const a = head[2 * i] ?? 0;
    const b = head[2 * i + 1] ?? 0;
    if (b === 0 && a >= 0x09 && a < 0x7f) le++;
    if (a === 0 && b >= 0x09 && b < 0x7f) be++;
  }
  return Math.max(le, be) >= units * 0.9;
}

/** U+FFFD in UTF-8: what an odd last byte becomes. */
const REPLACEMENT = Uint8Array.of(0xef, 0xbf, 0xbd);

/**
 * The UTF-8 text of a UTF-16 byte stream that starts with its byte order mark (dropped), one
 * block per input chunk. Chunks may be cut anywhere, also inside a code unit or a surrogate
 * pair: an odd byte or a high surrogate at a chunk's end waits for the next chunk.
 *
 * Node's `utf16le` string decoding is used rather than TextDecoder, which took 3-4x as long
 * on 256 KiB blocks (end to end: bench/RESULTS.md, utf16 suite); `Buffer.from(text, "utf8")` turns
 * an unpaired surrogate into U+FFFD, as the WHATWG decoder would.
 */
export async function* utf16ToUtf8(
  chunks: AsyncIterable<Uint8Array>,
  encoding: Utf16Encoding,
): AsyncGenerator<Uint8Array> {
  let carry: Buffer = Buffer.alloc(0);
  let bomLeft = 2;
  for await (const chunk of chunks) {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bomLeft > 0) {
      const skip = Math.min(bomLeft, data.length);
      bomLeft -= skip;
      data = data.subarray(skip);
    }
    if (carry.length > 0) data = Buffer.concat([carry, data]);
    let usable = data.length & ~1;
    if (usable >= 2 && isHighSurrogate(data, usable - 2, encoding)) usable -= 2;
    carry = Buffer.from(data.subarray(usable)); // a copy: the source may reuse its buffer
    if (usable > 0) yield utf8Of(data.subarray(0, usable), encoding);
  }
  if (carry.length >= 2) yield utf8Of(carry.subarray(0, 2), encoding);
  if (carry.length % 2 === 1) yield REPLACEMENT;
}

/** Whether the code unit at `at` is a high (leading) surrogate, D800..DBFF. */
function isHighSurrogate(data: Buffer, at: number, encoding: Utf16Encoding): boolean {
  const high = encoding === "utf-16le" ? data[at + 1] : data[at];
  return high !== undefined && high >= 0xd8 && high <= 0xdb;
}

/** Whole code units (no pair cut in two) to UTF-8. */
function utf8Of(units: Buffer, encoding: Utf16Encoding): Buffer {
  const le = encoding === "utf-16le" ? units : Buffer.from(units).swap16();
  return Buffer.from(le.toString("utf16le"), "utf8");
}
