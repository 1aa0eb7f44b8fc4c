/**
 * UTF-16 text logs: Windows PowerShell 5.1 writes UTF-16LE with a byte order mark by default
 * (`Out-File`, `>` redirection; `-Encoding BigEndianUnicode` gives UTF-16BE), so a log exported
 * with `Get-WinEvent ... | ConvertTo-Json > x.json` is UTF-16. The engines read UTF-8, so such an
 * input is transcoded to UTF-8 as a stream, block by block (never the whole file in memory),
 * before format detection and scanning. The byte order mark is dropped, a surrogate pair split
 * across blocks is kept whole, and an unpaired surrogate (or a last odd byte) becomes U+FFFD.
 * Byte offsets in messages about such an input are offsets in its UTF-8 text.
 */

/** The UTF-16 byte orders we read (WHATWG encoding labels). */
export type Utf16Encoding = "utf-16le" | "utf-16be";

/** Human names, for messages. */
export const UTF16_NAMES: Record<Utf16Encoding, string> = { "utf-16le": "UTF-16LE", "utf-16be": "UTF-16BE" };

/** The UTF-16 byte order an input's byte order mark announces (FF FE: LE, FE FF: BE), if any. */
export function utf16BomOf(head: Uint8Array): Utf16Encoding | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return undefined;
}

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

/**
 * The UTF-8 text of a UTF-16 byte stream (its byte order mark, if any, dropped), yielded one
 * block per input chunk. Chunks may be cut anywhere, also inside a code unit or a surrogate pair.
 */
export async function* utf16ToUtf8(
  chunks: AsyncIterable<Uint8Array>,
  encoding: Utf16Encoding,
): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, "utf8");
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield Buffer.from(rest, "utf8");
}
