/**
 * Shard edges: where a shard cut at an arbitrary byte offset really begins and ends. A text
 * shard [start, end) owns the records whose sync point (JSON: a `{` at column 0 that cannot
 * continue an open record, or the file's start; XML: the record's `<Event`) lies in it; an
 * EVTX shard owns the chunks that start in it. Where a record starts is decided in
 * src/formats/record-start.ts; this module only looks for it in a file.
 */

import { CHUNK_SIZE, evtxChunkCount, FILE_HEADER_SIZE } from "../formats/evtx/layout.js";
import type { TextFormat } from "../formats/log-format.js";
import {
  isJsonElementLine,
  isOpenTagEnd,
  JSON_CONTINUES_AFTER_BRACKET,
  LF,
  XML_RECORD_OPEN,
} from "../formats/record-start.js";
import { indexOfBytes, latin1Bytes } from "../platform/bytes.js";
import type { ByteSource } from "../source/byte-source.js";
import { readFully } from "../source/read-fully.js";

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
  // XML: `<Event` and the byte after it; JSON: the line feed and `{`.
  const overlap = xml ? XML_RECORD_OPEN.length : 1;
  let position = xml ? at : Math.max(0, at - 1);
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
      } else if (position + hit + 1 >= at && !(await jsonMayContinueInSource(source, position + hit))) {
        return position + hit + 1;
      }
    }
    if (last) break;
    position += n - overlap;
  }
  return size;
}

const LOOKBACK = 4096;
/** Longest line {@link jsonMayContinueInSource} reads back; a longer one counts as "may continue" (no sync point). */
const MAX_ELEMENT_LINE = 1 << 16;

function isBlank(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === LF || c === 0x0d;
}

/** Reads bytes backwards from `before` (exclusive): the offset of the last one that is not white space, or -1. */
async function lastSignificantInSource(source: ByteSource, before: number, buffer: Uint8Array): Promise<number> {
  let end = before;
  while (end > 0) {
    const from = Math.max(0, end - buffer.length);
    await readFully(source, buffer, from, end - from);
    for (let i = end - from - 1; i >= 0; i--) if (!isBlank(buffer[i])) return from + i;
    end = from;
  }
  return -1;
}

/**
 * True when a `{` after the line feed at `lf` may continue an open JSON record rather than start
 * one (src/formats/record-start.ts; assembly/json-scan.ts mayContinue), with the input's start
 * as the floor: the previous significant byte is `[`, or a `,` after an array element alone on
 * its line.
 */
async function jsonMayContinueInSource(source: ByteSource, lf: number): Promise<boolean> {
  const buffer = new Uint8Array(LOOKBACK);
  const k = await lastSignificantInSource(source, lf, buffer);
  if (k < 0) return false;
  await readFully(source, buffer, k, 1);
  if (buffer[0] === JSON_CONTINUES_AFTER_BRACKET) return true;
  if (buffer[0] !== 0x2c) return false;
  const from = Math.max(0, k - MAX_ELEMENT_LINE);
  const before = new Uint8Array(k - from);
  await readFully(source, before, from, before.length);
  const lineStart = before.lastIndexOf(LF) + 1;
  if (lineStart === 0 && from > 0) return true;
  return isJsonElementLine(before.subarray(lineStart));
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
