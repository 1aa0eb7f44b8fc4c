/**
 * Which chunks of a followed EVTX file to read again. Windows writes a Sysmon log in place: it
 * appends records to one chunk (the one with the highest first EventRecordID), rewrites that
 * chunk's header as it goes, starts the next chunk slot when it is full, and in a log that has
 * wrapped around overwrites the oldest chunk. Every other chunk keeps its bytes. So a look at a
 * grown log reads only the 512-byte header of every chunk slot and scans again the chunks whose
 * header changed since the last look, plus the chunk being written now and the one written at
 * the last look (a header may lag behind the records of the chunk being written, as in a dirty
 * file). A 64 MiB log (Sysmon's default size) is 1,024 chunk headers instead of 64 MiB.
 */

import { closeSync, openSync, readSync } from "node:fs";
import {
  CHUNK_FIELD,
  CHUNK_HEADER_SIZE,
  CHUNK_MAGIC,
  chunkOffset,
  evtxChunkCount,
  evtxChunksStart,
  hasMagic,
} from "../formats/evtx/layout.js";
import { crc32 } from "../platform/bytes.js";

/** The chunk headers of an EVTX file as one look saw them. */
export interface EvtxChunkPrints {
  /** Where the chunks start (after the file header, or 0 for a lone chunk). */
  chunksStart: number;
  /** CRC-32 of each chunk slot's header bytes (up to 512; fewer in a truncated last slot). */
  prints: Uint32Array;
  /** The slot being written: the chunk with the highest first EventRecordID; -1 when none is live. */
  current: number;
}

/**
 * Reads the header of every chunk slot of the EVTX file at `path` (`size` bytes). Returns
 * undefined when the file does not start like EVTX (yet). Throws what the file system throws.
 */
export function readEvtxChunkPrints(path: string, size: number): EvtxChunkPrints | undefined {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(8);
    const chunksStart = evtxChunksStart(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
    if (chunksStart === undefined) return undefined;
    const count = evtxChunkCount(size, chunksStart);
    const prints = new Uint32Array(count);
    const header = Buffer.alloc(CHUNK_HEADER_SIZE);
    let current = -1;
    let newest = -1n;
    for (let i = 0; i < count; i++) {
      const at = chunkOffset(i, chunksStart);
      const n = readSync(fd, header, 0, Math.min(CHUNK_HEADER_SIZE, size - at), at);
      const bytes = header.subarray(0, n);
      prints[i] = crc32(bytes);
      if (n < CHUNK_FIELD.firstRecordId + 8 || !hasMagic(bytes, CHUNK_MAGIC)) continue;
      const first = bytes.readBigUInt64LE(CHUNK_FIELD.firstRecordId);
      if (first > newest) {
        newest = first;
        current = i;
      }
    }
    return { chunksStart, prints, current };
  } finally {
    closeSync(fd);
  }
}

/**
 * The chunk slots to scan again, as runs [first, end) of indices in file order: every slot
 * when there was no earlier look (or the file changed its layout), else the slots whose header
 * changed or that are new, and the chunks being written now and at the earlier look.
 */
export function chunkRunsToRead(now: EvtxChunkPrints, before: EvtxChunkPrints | undefined): Array<[number, number]> {
  const count = now.prints.length;
  const whole = before === undefined || before.chunksStart !== now.chunksStart;
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const read =
      whole ||
      i >= before.prints.length ||
      now.prints[i] !== before.prints[i] ||
      i === now.current ||
      i === before.current;
    if (!read) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === i) last[1] = i + 1;
    else runs.push([i, i + 1]);
  }
  return runs;
}
