/**
 * Where records end in the generator's output, so that benchmark inputs can be cut into
 * smaller whole inputs (1 KiB buffers, 1 MiB files). src/generate writes XML, flat and ECS
 * records one a line, and evtx_dump records as `JSON.stringify(_, null, 2)` objects, each
 * closed by a `}` line (a newline inside a value is escaped, so `\n}\n` only ends records).
 */

import type { TextFormat } from "../src/formats/log-format.js";

function separatorOf(format: TextFormat): string {
  return format === "evtxdump" ? "\n}\n" : "\n";
}

/** The end (just past its separator) of the last record that ends at or before `limit`, or -1. */
export function lastRecordEnd(bytes: Buffer, limit: number, format: TextFormat): number {
  const separator = separatorOf(format);
  if (limit < separator.length) return -1;
  const at = bytes.lastIndexOf(separator, limit - separator.length);
  return at < 0 ? -1 : at + separator.length;
}

/** The end of the first record that ends after `from`, or the end of `bytes`. */
export function nextRecordEnd(bytes: Buffer, from: number, format: TextFormat): number {
  const separator = separatorOf(format);
  const at = bytes.indexOf(separator, from);
  return at < 0 ? bytes.length : at + separator.length;
}

/**
 * Cuts `bytes` into whole-record pieces of at most `size` bytes each (a piece holds one record
 * when a record is longer than `size`). The pieces are views, not copies.
 */
export function recordPieces(bytes: Buffer, size: number, format: TextFormat): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = start + size >= bytes.length ? bytes.length : lastRecordEnd(bytes, start + size, format);
    if (end <= start) end = nextRecordEnd(bytes, start, format);
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  return pieces;
}
