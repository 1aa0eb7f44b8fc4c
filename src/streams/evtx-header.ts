/**
 * The file header of a filtered EVTX file: the pre-filter stream passes on only some chunks,
 * so the header's chunk count and last chunk number are set to what the output holds and its
 * CRC32 is computed again, and the output reads as a valid .evtx file (libevtx layout: chunk
 * count at 42, in 32 bits as logs over 4 GiB write it (formats/evtx/layout.ts FILE_FIELD),
 * first/last chunk number u64 at 8/16, flags at 120, CRC32 of bytes 0-120 at 124). When the header must leave before the count is known, the dirty flag says so, as it
 * does on every copy of a live log.
 */

import { crc32 } from "../platform/bytes.js";

/** File header flag: the log was not closed cleanly (libevtx). */
const FILE_FLAG_DIRTY = 0x1;

/** A copy of `header` that says it holds `chunkCount` chunks; `final` false marks it dirty. */
export function filteredEvtxHeader(header: Uint8Array, chunkCount: number, final: boolean): Uint8Array {
  const out = header.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(8, 0n, true);
  view.setBigUint64(16, BigInt(Math.max(0, chunkCount - 1)), true);
  view.setUint32(42, Math.min(chunkCount, 0xffffffff), true);
  if (!final) view.setUint32(120, view.getUint32(120, true) | FILE_FLAG_DIRTY, true);
  view.setUint32(124, crc32(out.subarray(0, 120)), true);
  return out;
}
