/**
 * Which container an input is, told from its first bytes (never from its name): a `.log` that is
 * really gzip is opened, and a `.zip` that is really JSON is read as JSON. The checks are the
 * formats' own magic numbers, so a log file cannot pass for an archive by accident.
 */

/** Containers we open and walk into. */
export type ArchiveKind = "gzip" | "zip" | "tar";

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
 * - zip: a local file header `PK\3\4`, or `PK\5\6` (the end record that is all of an empty zip).
 *   A text that merely starts with "PK" is not a zip.
 * - tar: "ustar" at offset 257 (POSIX and GNU tar), or an old v7 header, recognized by its
 *   checksum: the sum of the block's bytes, with the checksum field counted as spaces, must equal
 *   the octal number in that field (the same test tar itself applies to each header).
 */
export function archiveKindOf(head: Uint8Array): ArchiveKind | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    if ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06)) return "zip";
  }
  if (head.length >= TAR_BLOCK && (hasUstarMagic(head) || hasValidV7Header(head))) return "tar";
  return undefined;
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
