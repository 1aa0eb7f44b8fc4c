/**
 * What one 64 KiB chunk slot holds, and its live records. A chunk is live when its magic is
 * right and its free-space offset lies in it; zero bytes where the magic should be make an
 * unused (preallocated) slot, no problem, unless a framed record follows in the slot (its header
 * page lost, libevtx's "Corrupted chunk" scenario), and so do other bytes without a framed record
 * in a slot past the file header's chunk count; anything else is damage, reported once per
 * chunk. The live records
 * are walked by their sizes from offset 512; walking stops at the free-space offset or at four
 * zero bytes where a record should start (some writers leave the free-space offset too far,
 * see omerbenamram/evtx issue 197), or at a record that does not frame (magic, size, size copy).
 *
 * Both CRC32s (header, and event records up to the free-space offset) are checked, unless the
 * chunk is flagged as written without them (flag 0x4, layout.ts FLAG_NO_CRC32). A mismatch is
 * the chunk's problem but does not drop its records: a copy of a log being written (KAPE's raw
 * copy, a shadow copy) tears the chunk being written, which holds the newest events, and
 * libevtx's evtxexport and evtx_dump read its records all the same (the libevtx documentation,
 * "Corruption scenario: event record mismatch between size and copy of size").
 */

import { crc32 } from "../../platform/bytes.js";
import { firstFramedRecord } from "./carve.js";
import {
  CHUNK_FIELD,
  CHUNK_HEADER_SIZE,
  CHUNK_MAGIC,
  CHUNK_SIZE,
  FLAG_NO_CRC32,
  hasMagic,
  MIN_RECORD_SIZE,
  RECORD_MAGIC,
  u32,
} from "./layout.js";

/** What a chunk slot holds. */
export type ChunkKind = "live" | "unused" | "damaged";

/** The verdict on one chunk slot and, when live, where its records are. */
export interface ChunkScan {
  kind: ChunkKind;
  /** One line describing the damage (also set for a live but truncated chunk), else undefined. */
  problem: string | undefined;
  /** Chunk-relative offsets of the live records, in order. */
  recordOffsets: number[];
  /** Their sizes. */
  recordSizes: number[];
  /**
   * Where the live records end: slack (and carving) starts here. 0 for a chunk that is not
   * live, whose whole slot is slack.
   */
  liveEnd: number;
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function notLive(kind: ChunkKind, problem: string | undefined): ChunkScan {
  return { kind, problem, recordOffsets: [], recordSizes: [], liveEnd: 0 };
}

/** CRC32 of the chunk header: bytes 0-120 and 128-512 (the checksum field skipped). */
export function chunkHeaderCrc(chunk: Uint8Array): number {
  return crc32(chunk.subarray(128, CHUNK_HEADER_SIZE), crc32(chunk.subarray(0, CHUNK_FIELD.flags)));
}

/**
 * Checks the chunk slot `chunk` (64 KiB, or less when the file is truncated) and walks its
 * live records. Never throws. `records: false` checks the same (same kind, problem and
 * liveEnd) without listing the records: the fast search's many chunks with no candidate need
 * only the verdict, and two arrays a chunk were a tenth of its CPU on a folder of EVTX files.
 */
export function scanChunk(chunk: Uint8Array, records = true, pastHeaderCount = false): ChunkScan {
  const truncated = chunk.length < CHUNK_SIZE ? `truncated (${chunk.length} of ${CHUNK_SIZE} bytes)` : undefined;
  if (!hasMagic(chunk, CHUNK_MAGIC)) {
    if (!allZero(chunk, 0, Math.min(chunk.length, 8))) {
      // Past the header's chunk count, bytes that are neither a chunk nor a record are space
      // the log had not used: leftover disk data, as a raw copy (KAPE, a forensic image) reads
      // past what Windows wrote; evtx_dump, chainsaw and hayabusa stop there without a word.
      if (pastHeaderCount && firstFramedRecord(chunk) < 0) return notLive("unused", truncated);
      return notLive("damaged", truncated ?? "bad chunk magic; chunk skipped");
    }
    // Zero bytes where the header should be: a preallocated slot, unless records follow (the
    // header page of a chunk missing from a copy of a log being written).
    const first = firstFramedRecord(chunk);
    if (first < 0) return notLive("unused", truncated);
    const problem = `no chunk header (zero bytes), yet records follow (the first at chunk offset ${first}); chunk skipped`;
    return notLive("damaged", truncated ?? problem);
  }
  if (chunk.length < CHUNK_HEADER_SIZE) return notLive("damaged", truncated);
  // A chunk written without checksums (flag 0x4) has none to check: both fields hold 0.
  const checked = (u32(chunk, CHUNK_FIELD.flags) & FLAG_NO_CRC32) === 0;
  let checksum: string | undefined;
  if (checked && chunkHeaderCrc(chunk) !== u32(chunk, CHUNK_FIELD.headerCrc))
    checksum = "chunk header checksum mismatch";
  const freeSpace = u32(chunk, CHUNK_FIELD.freeSpaceOffset);
  if (freeSpace < CHUNK_HEADER_SIZE || freeSpace > CHUNK_SIZE) {
    return notLive("damaged", `bad free space offset ${freeSpace}; chunk skipped`);
  }
  if (checked && checksum === undefined && freeSpace <= chunk.length) {
    const crc = crc32(chunk.subarray(CHUNK_HEADER_SIZE, freeSpace));
    if (crc !== u32(chunk, CHUNK_FIELD.recordsCrc)) checksum = "event records checksum mismatch";
  }
  return walkRecords(chunk, Math.min(freeSpace, chunk.length), truncated, checksum, records);
}

/**
 * Walks the live records from offset 512 up to `limit`. A checksum mismatch (`checksum`) does
 * not stop it: the records that frame right (magic, size, size copy) are read as they are, as
 * libevtx and evtx_dump read them, and the mismatch is the chunk's problem (with the damage
 * that stopped the walk, if any).
 */
function walkRecords(
  chunk: Uint8Array,
  limit: number,
  truncated: string | undefined,
  checksum: string | undefined,
  records: boolean,
): ChunkScan {
  const problem = truncated ?? (checksum === undefined ? undefined : `${checksum}; its records read as they are`);
  const scan: ChunkScan = { kind: "live", problem, recordOffsets: [], recordSizes: [], liveEnd: 0 };
  let p = CHUNK_HEADER_SIZE;
  while (p + 8 <= limit) {
    const magic = u32(chunk, p);
    if (magic === 0) break;
    const size = u32(chunk, p + 4);
    let damage: string | undefined;
    if (magic !== RECORD_MAGIC) damage = `bad record magic at chunk offset ${p}; rest of chunk skipped`;
    else if (size < MIN_RECORD_SIZE) {
      damage = `record at chunk offset ${p} says it is ${size} bytes long (a record is at least ${MIN_RECORD_SIZE}); rest of chunk skipped`;
    } else if (p + size > CHUNK_SIZE) {
      damage = `record at chunk offset ${p} (size ${size}) runs past the chunk end; rest of chunk skipped`;
    } else if (p + size > chunk.length) {
      if (truncated !== undefined) break;
    } else if (p + size > limit) {
      damage = `record at chunk offset ${p} (size ${size}) runs past the free space offset; rest of chunk skipped`;
    } else if (u32(chunk, p + size - 4) !== size)
      damage = `record at chunk offset ${p}: size copy mismatch; rest of chunk skipped`;
    if (damage !== undefined) {
      if (truncated === undefined) scan.problem = checksum === undefined ? damage : `${checksum}; ${damage}`;
      break;
    }
    if (records) {
      scan.recordOffsets.push(p);
      scan.recordSizes.push(size);
    }
    p += size;
  }
  scan.liveEnd = p;
  return scan;
}
