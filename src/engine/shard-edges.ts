/**
 * Shard edges: where a shard cut at an arbitrary byte offset really begins and ends. A text
 * shard [start, end) owns the records whose sync point (JSON: a `{` at column 0 not after a
 * backslash and line feed, or the file's start; XML: the record's `<Event`) lies in it; an
 * EVTX shard owns the chunks that start in it. Where a record starts is decided in
 * src/formats/record-start.ts; this module only looks for it in a file.
 */

import { CHUNK_SIZE, evtxChunkCount, FILE_HEADER_SIZE } from "../formats/evtx/layout.js";
import type { TextFormat } from "../formats/log-format.js";
import { isJsonSyncPoint, isOpenTagEnd, XML_RECORD_OPEN } from "../formats/record-start.js";
import { indexOfBytes, latin1Bytes } from "../platform/bytes.js";
import type { ByteSource } from "../source/byte-source.js";

const JSON_NEEDLE = latin1Bytes("\n{");

/** Window for looking for a sync point near a shard's edges. */
export const SYNC_WINDOW = 64 * 1024;

/**
 * The first sync point at or after offset `at` of `source` (a file, or a remote object read by
 * ranges), or its size. Offset 0 is the stream's start, a sync point of every format. Reads
 * windows of {@link SYNC_WINDOW} bytes.
 */
export async function firstSyncAtOrAfter(source: ByteSource, format: TextFormat, at: number): Promise<number> {
  if (at <= 0) return 0;
  const size = source.size;
  const window = new Uint8Array(SYNC_WINDOW);
  const xml = format === "xml";
  const needle = xml ? XML_RECORD_OPEN : JSON_NEEDLE;
  // XML: `<Event` and the byte after it; JSON: the byte before the line feed, the line feed, `{`.
  const overlap = xml ? XML_RECORD_OPEN.length : 2;
  let position = xml ? at : Math.max(0, at - 2);
  while (position < size) {
    const n = await source.read(window, 0, Math.min(window.length, size - position), position);
    if (n === 0) break;
    const view = window.subarray(0, n);
    const last = position + n >= size;
    for (let hit = indexOfBytes(view, needle); hit >= 0; hit = indexOfBytes(view, needle, hit + 1)) {
      if (xml) {
        const after = hit + XML_RECORD_OPEN.length;
        if (after >= n) break; // decide in the next window (or: nothing opens at the very end)
        if (isOpenTagEnd(view[after])) return position + hit;
      } else if (position + hit + 1 >= at && hit + 1 < n) {
        // A line feed at the file's start has no byte before it; one at a window's start was
        // looked at with its byte before in the previous window (the windows overlap by 2).
        if (position + hit === 0 && isJsonSyncPoint(undefined, view[hit]!, view[hit + 1]!)) return 1;
        if (hit > 0 && isJsonSyncPoint(view[hit - 1], view[hit]!, view[hit + 1]!)) return position + hit + 1;
      }
    }
    if (last) break;
    position += n - overlap;
  }
  return size;
}

/** The EVTX chunk indices [first, end) whose chunks start in bytes [start, end) of a file of `size` bytes. */
export function evtxChunkRangeOfBytes(
  start: number,
  end: number,
  size: number,
  chunksStart: number = FILE_HEADER_SIZE,
): [number, number] {
  const count = evtxChunkCount(size, chunksStart);
  const index = (at: number): number => Math.min(count, Math.max(0, Math.ceil((at - chunksStart) / CHUNK_SIZE)));
  return [index(start), index(end)];
}
