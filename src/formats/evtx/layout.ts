/**
 * Where things are in an EVTX file: the 4 KiB file header, the 64 KiB chunks, the 512-byte
 * chunk header and the 24-byte record header. Plain offsets and readers, no policy.
 *
 * Source: Joachim Metz, "Windows XML Event Log (EVTX) format" (libevtx documentation), and
 * [MS-EVEN6]. The file header's chunk count and last-chunk number are not trusted: dirty files
 * under-report them (a real 13-chunk Sysmon log in ../shared/corpus says 1), so readers walk
 * the file in 64 KiB steps instead.
 */

import { crc32 } from "../../platform/bytes.js";

/** Size of the file header; the first chunk starts here. */
export const FILE_HEADER_SIZE = 4096;
/** Every chunk is this long. */
export const CHUNK_SIZE = 65536;
/** The chunk header, including the common-string and template pointer tables. */
export const CHUNK_HEADER_SIZE = 512;
/** Record header: magic, size, record id, written time. The size copy trails the record. */
export const RECORD_HEADER_SIZE = 24;
/** Smallest record: header, one end-of-stream token, the trailing size copy. */
export const MIN_RECORD_SIZE = RECORD_HEADER_SIZE + 1 + 4;

/** "ElfFile\0" */
export const FILE_MAGIC: readonly number[] = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00];
/** "ElfChnk\0" */
export const CHUNK_MAGIC: readonly number[] = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00];
/** `2a 2a 00 00` read as a little-endian u32. */
export const RECORD_MAGIC = 0x00002a2a;

/** Chunk header field offsets. */
export const CHUNK_FIELD = {
  firstRecordNumber: 8,
  lastRecordNumber: 16,
  firstRecordId: 24,
  lastRecordId: 32,
  headerSize: 40,
  lastRecordOffset: 44,
  freeSpaceOffset: 48,
  recordsCrc: 52,
  flags: 120,
  headerCrc: 124,
} as const;

/** True when `magic` sits in `bytes` at `at`. */
export function hasMagic(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (at < 0 || bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

/**
 * Where the chunks of an input start, from its first bytes: after the file header for a
 * whole file (`ElfFile`), at 0 for a lone chunk (`ElfChnk`, e.g. a carved chunk), undefined
 * for anything else.
 */
export function evtxChunksStart(head: Uint8Array): number | undefined {
  if (hasMagic(head, FILE_MAGIC)) return FILE_HEADER_SIZE;
  if (hasMagic(head, CHUNK_MAGIC)) return 0;
  return undefined;
}

/**
 * How many chunk slots an input of `size` bytes has, counting a truncated last one: the unit
 * of sharding (a shard is a range of chunk indices, see scanEvtxFile's `chunkRange`).
 */
export function evtxChunkCount(size: number, chunksStart: number = FILE_HEADER_SIZE): number {
  return size <= chunksStart ? 0 : Math.ceil((size - chunksStart) / CHUNK_SIZE);
}

/**
 * File header field offsets (of those read here). The chunk count is 32 bits (42-45): logs
 * over 4 GiB count past 65,535 chunks there (libevtx issues 26 and 34, a 6 GB Security.evtx),
 * and bytes 44-45 are 0 in smaller ones.
 */
export const FILE_FIELD = {
  numberOfChunks: 42,
  flags: 120,
  headerCrc: 124,
} as const;

/**
 * Flag 0x4 on the file header and on a chunk header: no CRC-32s were computed (the checksum
 * fields hold 0), as Windows 10 2004 and later may write a log (format 3.2). After
 * omerbenamram/evtx commit a0ec4c4 (`NO_CRC32`, with a real Application.evtx written so).
 */
export const FLAG_NO_CRC32 = 0x4;

/**
 * Why an EVTX file whose 4 KiB header is `header` and that holds `slots` chunk slots (counting
 * a truncated last one) was cut short, or undefined. The header's chunk count is only ever
 * stale low (a dirty file says 1 where it holds 13), never high: a file holding fewer slots
 * than a header with a right checksum counts lost whole chunks (a copy that stopped at a chunk
 * boundary), which no chunk check can see. A lone chunk or a header whose checksum is wrong says
 * nothing (a header flagged {@link FLAG_NO_CRC32} has none to check).
 */
export function missingChunks(header: Uint8Array, slots: number, size: number): string | undefined {
  if (header.length < FILE_HEADER_SIZE) return undefined;
  const counted = headerChunkCount(header);
  if (counted === undefined || counted <= slots) return undefined;
  const chunks = counted === 1 ? "1 chunk" : `${counted} chunks`;
  return `truncated: the file header counts ${chunks}, the file ends after ${slots} (at offset ${size})`;
}

/** Bytes of the file header that hold its fields and checksum (the rest of its 4 KiB is unused). */
export const FILE_HEADER_FIELDS_SIZE = 128;

/**
 * The file header's chunk count, when the header can be trusted (its magic, and its checksum
 * or the no-checksum flag), else undefined. `header`: at least {@link FILE_HEADER_FIELDS_SIZE}
 * bytes. The count is only ever stale low (a dirty log), so slots past it may still hold live
 * chunks; what is neither a chunk nor a record there is space the log had not used yet.
 */
export function headerChunkCount(header: Uint8Array): number | undefined {
  if (header.length < FILE_HEADER_FIELDS_SIZE || !hasMagic(header, FILE_MAGIC)) return undefined;
  const unchecked = (u32(header, FILE_FIELD.flags) & FLAG_NO_CRC32) !== 0;
  if (!unchecked && crc32(header.subarray(0, 120)) !== u32(header, FILE_FIELD.headerCrc)) return undefined;
  return u32(header, FILE_FIELD.numberOfChunks);
}

/** Byte offset of chunk `index` in the input. */
export function chunkOffset(index: number, chunksStart: number = FILE_HEADER_SIZE): number {
  return chunksStart + index * CHUNK_SIZE;
}

/** Little-endian u32 at `at` (caller checks bounds). */
export function u32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16)) +
    (bytes[at + 3] as number) * 0x1000000
  );
}

/** Little-endian u16 at `at` (caller checks bounds). */
export function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
}

/** Little-endian u64 at `at` as a bigint (caller checks bounds). */
export function u64(bytes: Uint8Array, at: number): bigint {
  return BigInt(u32(bytes, at)) | (BigInt(u32(bytes, at + 4)) << 32n);
}
