/**
 * Mutations of real EVTX bytes (the corpus's chunks, as Windows wrote them): reorder chunks as
 * a wrapped log holds them, make chunk header counters stale, break one checksum, swap one
 * substitution value of a real Sysmon record for another (sizes and both CRC-32s fixed), so
 * tests exercise real templates, names and value layouts instead of ones the tests invent.
 * Offsets after the libevtx documentation ("Windows XML Event Log (EVTX) format").
 */

import { crc32 } from "node:zlib";

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Little-endian u32 at `at`. */
export function u32(b: Uint8Array, at: number): number {
  return view(b).getUint32(at, true);
}

/** Writes a little-endian u32 at `at`. */
export function setU32(b: Uint8Array, at: number, value: number): void {
  view(b).setUint32(at, value >>> 0, true);
}

/** Writes a little-endian u64 at `at`. */
export function setU64(b: Uint8Array, at: number, value: bigint): void {
  view(b).setBigUint64(at, value, true);
}

/** Chunk `index` of a whole file (a copy). */
export function chunkOf(file: Uint8Array, index: number): Uint8Array {
  return file.slice(FILE_HEADER_SIZE + index * CHUNK_SIZE, FILE_HEADER_SIZE + (index + 1) * CHUNK_SIZE);
}

/** Recomputes the event records CRC-32 (bytes 512 to the free space offset). */
export function fixRecordsCrc(chunk: Uint8Array): void {
  setU32(chunk, 52, crc32(chunk.subarray(512, u32(chunk, 48))));
}

/** Recomputes the chunk header CRC-32 (bytes 0-120 and 128-512). */
export function fixHeaderCrc(chunk: Uint8Array): void {
  setU32(chunk, 124, crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120))));
}

/** A copy of a file header with its chunk count and flags set (1 dirty, 2 full) and its CRC fixed. */
export function fileHeader(from: Uint8Array, chunkCount: number, flags: number): Uint8Array {
  const h = from.slice(0, FILE_HEADER_SIZE);
  view(h).setUint16(42, chunkCount, true);
  setU32(h, 120, flags);
  setU32(h, 124, crc32(h.subarray(0, 120)));
  return h;
}

/** The parts, back to back. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** [offset, size] of each live record of a chunk, walked from 512 to the free space offset. */
export function recordsOf(chunk: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const free = u32(chunk, 48);
  for (let p = 512; p + 8 <= free && u32(chunk, p) === 0x2a2a; p += u32(chunk, p + 4)) out.push([p, u32(chunk, p + 4)]);
  return out;
}

/** One substitution value of a template instance: its index, type, size and where its bytes are. */
export interface InstanceValue {
  index: number;
  type: number;
  size: number;
  at: number;
}

/** The template instance whose fragment header is at `at`: where its value descriptors are, and its values. */
export function instanceAt(chunk: Uint8Array, at: number): { descriptors: number; values: InstanceValue[] } {
  if (chunk[at] !== 0x0f || chunk[at + 4] !== 0x0c) throw new Error(`no fragment with a template instance at ${at}`);
  let p = at + 4 + 10;
  // A definition stored inline (its offset points right after itself): skip its 24-byte head and body.
  if (u32(chunk, at + 4 + 6) === p) p += 24 + u32(chunk, p + 20);
  const count = u32(chunk, p);
  const descriptors = p + 4;
  const values: InstanceValue[] = [];
  let valueAt = descriptors + 4 * count;
  for (let index = 0; index < count; index++) {
    const size = (chunk[descriptors + 4 * index] as number) | ((chunk[descriptors + 4 * index + 1] as number) << 8);
    values.push({ index, type: chunk[descriptors + 4 * index + 2] as number, size, at: valueAt });
    valueAt += size;
  }
  return { descriptors, values };
}

/**
 * Replaces value `inner` of the EventData template instance that Sysmon stores as the Binary
 * XML value `outer` of the record at `record` (the record's last value, so nothing after it
 * moves) with `bytes` of `type`, in a copy of a chunk that holds that one record. Sizes (value
 * descriptors, record, trailing copy, free space offset) and both CRC-32s are fixed.
 */
export function replaceEventDataValue(
  chunk: Uint8Array,
  inner: number,
  type: number,
  bytes: Uint8Array,
  outer = 17,
  record = 512,
): Uint8Array {
  const outerInstance = instanceAt(chunk, record + 24);
  const outerValue = outerInstance.values[outer];
  if (outerValue === undefined || outerValue.type !== 0x21) throw new Error(`value ${outer} is not Binary XML`);
  const eventData = instanceAt(chunk, outerValue.at);
  const value = eventData.values[inner];
  if (value === undefined) throw new Error(`no EventData value ${inner}`);
  const recordSize = u32(chunk, record + 4);
  const delta = bytes.length - value.size;
  const out = new Uint8Array(CHUNK_SIZE);
  out.set(chunk.subarray(0, value.at));
  out.set(bytes, value.at);
  out.set(chunk.subarray(value.at + value.size, record + recordSize), value.at + bytes.length);
  const setSize = (descriptors: number, index: number, size: number): void => {
    out[descriptors + 4 * index] = size & 0xff;
    out[descriptors + 4 * index + 1] = size >> 8;
  };
  setSize(eventData.descriptors, inner, bytes.length);
  out[eventData.descriptors + 4 * inner + 2] = type;
  setSize(outerInstance.descriptors, outer, outerValue.size + delta);
  const end = record + recordSize + delta;
  setU32(out, record + 4, recordSize + delta);
  setU32(out, end - 4, recordSize + delta);
  setU32(out, 44, record);
  setU32(out, 48, end);
  fixRecordsCrc(out);
  fixHeaderCrc(out);
  return out;
}

/** UTF-16LE bytes of `s` (code units as they are: a lone surrogate stays one). */
export function utf16le(s: string): Uint8Array {
  const out = new Uint8Array(2 * s.length);
  for (let i = 0; i < s.length; i++) {
    out[2 * i] = s.charCodeAt(i) & 0xff;
    out[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return out;
}
