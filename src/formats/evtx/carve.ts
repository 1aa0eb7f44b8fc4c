/**
 * Carving: records that are no longer live (in a chunk's slack after its last live record, or
 * in slots that are unused or damaged) but still sit in the file whole. A candidate needs the
 * record magic, a size that keeps it inside the chunk slot, and a matching trailing size copy;
 * the caller then counts it only if its Binary XML decodes cleanly (exact, never a guess).
 */

import { indexOfBytes } from "../../platform/bytes.js";
import { MIN_RECORD_SIZE, u32 } from "./layout.js";

const RECORD_MAGIC_BYTES = Uint8Array.of(0x2a, 0x2a, 0x00, 0x00);

/**
 * Calls `tryRecord(offset, size)` for each framed record candidate in `chunk[from, to)`, in
 * order; when it returns true (the record decoded) the search goes on after that record, else
 * one byte further.
 */
export function carveRecords(
  chunk: Uint8Array,
  from: number,
  to: number,
  tryRecord: (offset: number, size: number) => boolean,
): void {
  const haystack = chunk.subarray(0, Math.min(to, chunk.length));
  let p = indexOfBytes(haystack, RECORD_MAGIC_BYTES, from);
  while (p >= 0 && p + 8 <= haystack.length) {
    const size = u32(chunk, p + 4);
    let next = p + 1;
    if (size >= MIN_RECORD_SIZE && p + size <= chunk.length && u32(chunk, p + size - 4) === size) {
      if (tryRecord(p, size)) next = p + size;
    }
    p = indexOfBytes(haystack, RECORD_MAGIC_BYTES, next);
  }
}
