/**
 * Which container an input is, told from its first bytes (never from its name): a `.log` that is
 * really gzip is opened, and a `.zip` that is really JSON is read as JSON. The checks are the
 * formats' own magic numbers, so a log file cannot pass for an archive by accident.
 */

/** Containers we open and walk into. */
export type ArchiveKind = "gzip" | "zip" | "tar" | "xz" | "bzip2" | "zstd" | "7z";

/** Bytes {@link archiveKindOf} needs to tell a tar (its first header block). */
export const TAR_BLOCK = 512;

const TAR_CHECKSUM_AT = 148;
const TAR_CHECKSUM_LENGTH = 8;
const TAR_MAGIC_AT = 257;
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72]; // "ustar", POSIX "ustar\0" and GNU "ustar  \0" alike

/**
 * The archive kind of an input whose first bytes are `head`, or undefined when it is not one.
 *
 * - gzip: `1f 8b` (RFC 1952).
 * - zip: a local file header `PK\3\4`, or `PK\5\6` (the end record that is all of an empty zip),
 *   or the first part of a split zip (`zip -s`'s `.z01`): `PK\7\8` or `PK00` before a local file
 *   header (APPNOTE 8.5.3, 8.5.4). A text that merely starts with "PK" is not a zip.
 * - xz: `FD 37 7A 58 5A 00` (the .xz file format, 2.1.1.1); zstd: the frame magic `28 B5 2F FD`
 *   (RFC 8878); 7z: `37 7A BC AF 27 1C` (7-Zip's 7zFormat.txt).
 * - bzip2: "BZh", a block size digit 1-9, then the magic of a block (pi) or of the end of an
 *   empty stream (sqrt pi), so a text starting "BZh1" is not taken for one.
 * - tar: "ustar" at offset 257 (POSIX and GNU tar), or an old v7 header, recognized by its
 *   checksum: the sum of the block's bytes, with the checksum field counted as spaces, must equal
 *   the octal number in that field (the same test tar itself applies to each header).
 */
export function archiveKindOf(head: Uint8Array): ArchiveKind | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (startsWith(head, XZ_MAGIC)) return "xz";
  if (startsWith(head, ZSTD_MAGIC)) return "zstd";
  if (startsWith(head, SEVEN_ZIP_MAGIC)) return "7z";
  if (isBzip2(head)) return "bzip2";
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    if ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06)) return "zip";
    const splitMark = (head[2] === 0x07 && head[3] === 0x08) || (head[2] === 0x30 && head[3] === 0x30);
    if (splitMark && startsWith(head.subarray(4), [0x50, 0x4b, 0x03, 0x04])) return "zip";
  }
  if (head.length >= TAR_BLOCK && (hasUstarMagic(head) || hasValidV7Header(head))) return "tar";
  return undefined;
}

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const SEVEN_ZIP_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const BZIP2_BLOCK_MAGIC = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_END_MAGIC = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];

function startsWith(head: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (head.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[at + i] !== magic[i]) return false;
  return true;
}

function isBzip2(head: Uint8Array): boolean {
  if (!startsWith(head, [0x42, 0x5a, 0x68])) return false; // "BZh"
  const level = head[3] ?? 0;
  if (level < 0x31 || level > 0x39) return false;
  return startsWith(head, BZIP2_BLOCK_MAGIC, 4) || startsWith(head, BZIP2_END_MAGIC, 4);
}

/**
 * Compressed or archive formats we recognize but do not read, by their magic numbers: an input
 * in one of them is named as such ("rar-compressed: not supported"), never "not a log format".
 */
const UNSUPPORTED: readonly { name: string; magic: readonly number[]; at?: number }[] = [
  { name: "rar", magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] }, // "Rar!\x1a\x07": RAR 1.5 to 5
  { name: "lz4", magic: [0x04, 0x22, 0x4d, 0x18] }, // LZ4 frame
  { name: "lz4", magic: [0x02, 0x21, 0x4c, 0x18] }, // LZ4 legacy frame
  { name: "lzip", magic: [0x4c, 0x5a, 0x49, 0x50] }, // "LZIP"
  { name: "lzop", magic: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a] },
  { name: "cab", magic: [0x4d, 0x53, 0x43, 0x46, 0x00, 0x00, 0x00, 0x00] }, // "MSCF", reserved zeros
  { name: "compress (.Z)", magic: [0x1f, 0x9d] },
  { name: "pack (.z)", magic: [0x1f, 0x1e] },
  { name: "arj", magic: [0x60, 0xea] },
  { name: "zstd (skippable frame)", magic: [0x50, 0x2a, 0x4d, 0x18] },
  { name: "brotli-framed", magic: [0xce, 0xb2, 0xcf, 0x81] },
];

/**
 * The name of the compression or archive format `head` starts with when it is one we do not
 * read, else undefined. lzma-alone (`.lzma`, xz's legacy format) has no magic: it is told by
 * its properties byte 0x5D, a dictionary size that is a power of two (or 2^n + 2^(n-1)) and an
 * uncompressed size that is either unknown (all FF) or below 2^48, as xz's own detection does.
 */
export function unsupportedCompressionOf(head: Uint8Array): string | undefined {
  for (const { name, magic, at } of UNSUPPORTED) if (startsWith(head, magic, at)) return name;
  if (isLzmaAlone(head)) return "lzma";
  return undefined;
}

function isLzmaAlone(head: Uint8Array): boolean {
  if (head.length < 13 || head[0] !== 0x5d) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dictionary = view.getUint32(1, true);
  const top = 2 ** Math.floor(Math.log2(Math.max(dictionary, 1)));
  if (dictionary < 4096 || (dictionary !== top && dictionary !== top + top / 2)) return false;
  const sizeHigh = view.getUint32(9, true);
  const sizeLow = view.getUint32(5, true);
  if (sizeHigh === 0xffffffff && sizeLow === 0xffffffff) return true;
  return sizeHigh < 0x10000;
}

function hasUstarMagic(head: Uint8Array): boolean {
  for (let i = 0; i < USTAR.length; i++) if (head[TAR_MAGIC_AT + i] !== USTAR[i]) return false;
  return true;
}

/** A v7 tar header: a non-empty name, a well-formed octal checksum, and that checksum right. */
function hasValidV7Header(head: Uint8Array): boolean {
  if (head[0] === 0) return false;
  const stored = parseOctalField(head, TAR_CHECKSUM_AT, TAR_CHECKSUM_LENGTH);
  if (stored === undefined) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const inChecksumField = i >= TAR_CHECKSUM_AT && i < TAR_CHECKSUM_AT + TAR_CHECKSUM_LENGTH;
    sum += inChecksumField ? 0x20 : (head[i] ?? 0);
  }
  return sum === stored;
}

/** An octal number padded with spaces or NULs, as tar writes them; undefined when malformed. */
function parseOctalField(block: Uint8Array, at: number, length: number): number | undefined {
  let i = at;
  const end = at + length;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c < 0x30 || c > 0x37) break;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) {
    const c = block[i];
    if (c !== 0x20 && c !== 0x00) return undefined;
  }
  return digits > 0 ? value : undefined;
}
