/**
 * Binary XML value types and how each renders as XML text, the way Windows' Event Viewer and
 * evtx tools print them: numbers in decimal, GUIDs in braces, SIDs as `S-1-5-18`, FILETIME as
 * `2021-12-04T21:10:40.7235980Z` (all seven 100 ns digits, so min/max keep full precision).
 *
 * Value type numbers from the libevtx documentation ("Value types") and [MS-EVEN6].
 */

import { utf16leText } from "../../platform/bytes.js";
import { u16, u32, u64 } from "./layout.js";

/** Value type numbers. `ARRAY` is a flag or-ed onto the item type. */
export const VALUE_TYPE = {
  NULL: 0x00,
  STRING: 0x01,
  ANSI_STRING: 0x02,
  INT8: 0x03,
  UINT8: 0x04,
  INT16: 0x05,
  UINT16: 0x06,
  INT32: 0x07,
  UINT32: 0x08,
  INT64: 0x09,
  UINT64: 0x0a,
  REAL32: 0x0b,
  REAL64: 0x0c,
  BOOL: 0x0d,
  BINARY: 0x0e,
  GUID: 0x0f,
  SIZE_T: 0x10,
  FILETIME: 0x11,
  SYSTEMTIME: 0x12,
  SID: 0x13,
  HEX_INT32: 0x14,
  HEX_INT64: 0x15,
  EVT_HANDLE: 0x20,
  BINXML: 0x21,
  EVT_XML: 0x23,
  ARRAY: 0x80,
} as const;

/** Thrown for bytes that are not a well-formed value or Binary XML; the record is malformed. */
export class BinXmlError extends Error {
  override readonly name = "BinXmlError";
}

/** Fixed item widths of the numeric types (0 = variable or not an array item type). */
const ITEM_WIDTH: Record<number, number> = {
  [VALUE_TYPE.INT8]: 1,
  [VALUE_TYPE.UINT8]: 1,
  [VALUE_TYPE.INT16]: 2,
  [VALUE_TYPE.UINT16]: 2,
  [VALUE_TYPE.INT32]: 4,
  [VALUE_TYPE.UINT32]: 4,
  [VALUE_TYPE.INT64]: 8,
  [VALUE_TYPE.UINT64]: 8,
  [VALUE_TYPE.REAL32]: 4,
  [VALUE_TYPE.REAL64]: 8,
  [VALUE_TYPE.BOOL]: 4,
  [VALUE_TYPE.GUID]: 16,
  [VALUE_TYPE.FILETIME]: 8,
  [VALUE_TYPE.SYSTEMTIME]: 16,
  [VALUE_TYPE.HEX_INT32]: 4,
  [VALUE_TYPE.HEX_INT64]: 8,
};

/**
 * Below this many code units a JS loop beats Buffer's UTF-16 decoding (whose fixed cost is
 * ~250 ns); above it Buffer wins by far (200 units: 0.2 µs against 1.6 µs). Measured on the
 * 2-core EPYC VM, Node 20.
 */
const SHORT_UTF16 = 24;

/**
 * UTF-16LE code units at any byte offset (EVTX strings are often at odd ones), kept as they
 * are (a lone surrogate stays a lone surrogate, as in the event).
 */
export function utf16At(bytes: Uint8Array, at: number, units: number): string {
  if (units > SHORT_UTF16) return utf16leText(bytes, at, units);
  const codes: number[] = [];
  for (let i = 0; i < units; i++) {
    const p = at + 2 * i;
    codes.push((bytes[p] as number) | ((bytes[p + 1] as number) << 8));
  }
  return String.fromCharCode(...codes);
}

/** Windows-1252 bytes 0x80-0x9f (evtxexport's default code page for 8-bit strings). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** 8-bit string as Windows-1252. */
export function cp1252At(bytes: Uint8Array, at: number, length: number): string {
  const codes: number[] = [];
  for (let i = 0; i < length; i++) {
    const b = bytes[at + i] as number;
    codes.push(b >= 0x80 && b < 0xa0 ? (CP1252_HIGH[b - 0x80] as number) : b);
  }
  return String.fromCharCode(...codes);
}

function stripTrailingNuls(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return end === s.length ? s : s.slice(0, end);
}

const HEX = "0123456789ABCDEF";

function hexUpper(bytes: Uint8Array, at: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const b = bytes[at + i] as number;
    s += (HEX[b >> 4] as string) + (HEX[b & 15] as string);
  }
  return s;
}

function hex2(b: number): string {
  return (HEX[b >> 4] as string) + (HEX[b & 15] as string);
}

/** `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` from 16 little-endian GUID bytes. */
export function renderGuid(bytes: Uint8Array, at: number): string {
  const b = (i: number): string => hex2(bytes[at + i] as number);
  return (
    `{${b(3)}${b(2)}${b(1)}${b(0)}-${b(5)}${b(4)}-${b(7)}${b(6)}-${b(8)}${b(9)}-` +
    `${b(10)}${b(11)}${b(12)}${b(13)}${b(14)}${b(15)}}`
  );
}

/** `S-1-5-21-...` from a binary SID. */
export function renderSid(bytes: Uint8Array, at: number, size: number): string {
  if (size < 8) throw new BinXmlError("SID shorter than 8 bytes");
  const revision = bytes[at] as number;
  const count = bytes[at + 1] as number;
  if (size < 8 + 4 * count) throw new BinXmlError("SID shorter than its sub-authority count");
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + (bytes[at + i] as number);
  let s = `S-${revision}-${authority}`;
  for (let i = 0; i < count; i++) s += `-${u32(bytes, at + 8 + 4 * i)}`;
  return s;
}

/** Seconds between 1601-01-01 and 1970-01-01. */
const FILETIME_UNIX_EPOCH_SECONDS = 11644473600n;

/** `YYYY-MM-DDTHH:MM:SS.fffffffZ` from a FILETIME (100 ns ticks since 1601, UTC). */
export function renderFiletime(ticks: bigint): string {
  const seconds = ticks / 10_000_000n - FILETIME_UNIX_EPOCH_SECONDS;
  const fraction = (ticks % 10_000_000n).toString().padStart(7, "0");
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` from a 16-byte SYSTEMTIME. */
function renderSystemtime(bytes: Uint8Array, at: number): string {
  const [year, month, , day, hour, minute, second, ms] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u16(bytes, at + 2 * i));
  return (
    `${pad(year as number, 4)}-${pad(month as number, 2)}-${pad(day as number, 2)}T` +
    `${pad(hour as number, 2)}:${pad(minute as number, 2)}:${pad(second as number, 2)}.${pad(ms as number, 3)}Z`
  );
}

/**
 * Throws BinXmlError exactly when {@link renderScalar} would: a value too short for its type,
 * a UTF-16 string of odd size, a SizeT neither 4 nor 8 bytes, a SID shorter than it says, an
 * unknown type. Decoders that skip rendering a value call this instead, so that a record is
 * malformed or not whatever is rendered of it.
 */
export function checkScalar(bytes: Uint8Array, at: number, size: number, type: number): void {
  const width = ITEM_WIDTH[type];
  if (width !== undefined) {
    if (size < width) throw new BinXmlError(`value of type 0x${type.toString(16)} too short`);
    return;
  }
  switch (type) {
    case VALUE_TYPE.NULL:
    case VALUE_TYPE.ANSI_STRING:
    case VALUE_TYPE.BINARY:
    case VALUE_TYPE.EVT_HANDLE:
    case VALUE_TYPE.EVT_XML:
      return;
    case VALUE_TYPE.STRING:
      if (size % 2 !== 0) throw new BinXmlError("UTF-16 string of odd byte size");
      return;
    case VALUE_TYPE.SIZE_T:
      if (size !== 4 && size !== 8) throw new BinXmlError("SizeT value neither 4 nor 8 bytes");
      return;
    case VALUE_TYPE.SID:
      if (size < 8 || size < 8 + 4 * (bytes[at + 1] as number)) throw new BinXmlError("SID shorter than it says");
      return;
    default:
      throw new BinXmlError(`unknown value type 0x${type.toString(16)}`);
  }
}

/** One scalar (non-array) value of `type` occupying `size` bytes at `at`, as XML text. */
export function renderScalar(bytes: Uint8Array, at: number, size: number, type: number): string {
  checkScalar(bytes, at, size, type);
  switch (type) {
    case VALUE_TYPE.NULL:
      return "";
    case VALUE_TYPE.STRING:
      return stripTrailingNuls(utf16At(bytes, at, size / 2));
    case VALUE_TYPE.ANSI_STRING:
      return stripTrailingNuls(cp1252At(bytes, at, size));
    case VALUE_TYPE.INT8:
      return String(((bytes[at] as number) << 24) >> 24);
    case VALUE_TYPE.UINT8:
      return String(bytes[at]);
    case VALUE_TYPE.INT16:
      return String((u16(bytes, at) << 16) >> 16);
    case VALUE_TYPE.UINT16:
      return String(u16(bytes, at));
    case VALUE_TYPE.INT32:
      return String(u32(bytes, at) | 0);
    case VALUE_TYPE.UINT32:
      return String(u32(bytes, at));
    case VALUE_TYPE.INT64:
      return String(BigInt.asIntN(64, u64(bytes, at)));
    case VALUE_TYPE.UINT64:
      return String(u64(bytes, at));
    case VALUE_TYPE.REAL32:
      return String(new DataView(bytes.buffer, bytes.byteOffset + at, 4).getFloat32(0, true));
    case VALUE_TYPE.REAL64:
      return String(new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0, true));
    case VALUE_TYPE.BOOL:
      return u32(bytes, at) !== 0 ? "true" : "false";
    case VALUE_TYPE.GUID:
      return renderGuid(bytes, at);
    case VALUE_TYPE.SIZE_T:
      return size === 4 ? `0x${u32(bytes, at).toString(16)}` : `0x${u64(bytes, at).toString(16)}`;
    case VALUE_TYPE.FILETIME:
      return renderFiletime(u64(bytes, at));
    case VALUE_TYPE.SYSTEMTIME:
      return renderSystemtime(bytes, at);
    case VALUE_TYPE.SID:
      return renderSid(bytes, at, size);
    case VALUE_TYPE.HEX_INT32:
      return `0x${u32(bytes, at).toString(16)}`;
    case VALUE_TYPE.HEX_INT64:
      return `0x${u64(bytes, at).toString(16)}`;
    default:
      // BINARY, EVT_HANDLE, EVT_XML (checkScalar rejected every other type).
      return hexUpper(bytes, at, size);
  }
}

/** Throws BinXmlError exactly when {@link renderArrayItems} would. */
export function checkArray(bytes: Uint8Array, at: number, size: number, type: number): void {
  const item = type & ~VALUE_TYPE.ARRAY;
  if (item === VALUE_TYPE.STRING) {
    if (size % 2 !== 0) throw new BinXmlError("UTF-16 string array of odd byte size");
    return;
  }
  if (item === VALUE_TYPE.ANSI_STRING) return;
  if (item === VALUE_TYPE.SID) {
    sidItemSizes(bytes, at, size);
    return;
  }
  const width = ITEM_WIDTH[item] ?? 0;
  if (width === 0) throw new BinXmlError(`array of unsupported item type 0x${item.toString(16)}`);
  if (size % width !== 0) throw new BinXmlError("array size not a multiple of its item size");
}

/**
 * The sizes of the SIDs of a SID array (type 0x93), stored back to back, each as long as its
 * sub-authority count says (8 + 4 per sub-authority), as omerbenamram/evtx reads them; throws
 * when the last one does not end exactly at the array's end.
 */
function sidItemSizes(bytes: Uint8Array, at: number, size: number): number[] {
  const sizes: number[] = [];
  for (let p = 0; p < size; ) {
    if (size - p < 8) throw new BinXmlError("SID array item shorter than 8 bytes");
    const length = 8 + 4 * (bytes[at + p + 1] as number);
    if (length > size - p) throw new BinXmlError("SID array item runs past the array");
    sizes.push(length);
    p += length;
  }
  return sizes;
}

/**
 * The items of an array value (type with the 0x80 flag): strings split at their NUL
 * terminators, SIDs read back to back, fixed-width types cut into items. An empty array gives
 * no items.
 */
export function renderArrayItems(bytes: Uint8Array, at: number, size: number, type: number): string[] {
  checkArray(bytes, at, size, type);
  const item = type & ~VALUE_TYPE.ARRAY;
  const items: string[] = [];
  if (item === VALUE_TYPE.STRING) {
    let start = 0;
    const units = size / 2;
    for (let i = 0; i < units; i++) {
      if (u16(bytes, at + 2 * i) === 0) {
        items.push(utf16At(bytes, at + 2 * start, i - start));
        start = i + 1;
      }
    }
    if (start < units) items.push(utf16At(bytes, at + 2 * start, units - start));
    return items;
  }
  if (item === VALUE_TYPE.ANSI_STRING) {
    let start = 0;
    for (let i = 0; i < size; i++) {
      if (bytes[at + i] === 0) {
        items.push(cp1252At(bytes, at + start, i - start));
        start = i + 1;
      }
    }
    if (start < size) items.push(cp1252At(bytes, at + start, size - start));
    return items;
  }
  if (item === VALUE_TYPE.SID) {
    let p = at;
    for (const length of sidItemSizes(bytes, at, size)) {
      items.push(renderSid(bytes, p, length));
      p += length;
    }
    return items;
  }
  const width = ITEM_WIDTH[item] as number;
  for (let p = 0; p < size; p += width) items.push(renderScalar(bytes, at + p, width, item));
  return items;
}
