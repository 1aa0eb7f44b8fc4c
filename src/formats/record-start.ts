/**
 * Where a record starts, decided here once for the TypeScript side: the reference splitters
 * (xml-records.ts, json-records.ts) and the shard edges (src/engine/shard-edges.ts) ask these
 * functions, so a shard boundary and the splitter never disagree about a record's first byte.
 * The wasm matcher decides the same in assembly/xml-scan.ts and assembly/json-scan.ts (the
 * property tests hold the two sides to one answer).
 */

import { latin1Bytes } from "../platform/bytes.js";

/** `<Event`, the start of an XML record when {@link isOpenTagEnd} holds for the byte after it. */
export const XML_RECORD_OPEN = latin1Bytes("<Event");

/**
 * True for a byte that ends the tag name after `<Event`: `<Event>`, `<Event xmlns=...>`,
 * `<Event\n ...>`, `<Event/>`; not `<EventData>`, `<EventID>`, `<Events>`.
 */
export function isOpenTagEnd(c: number | undefined): boolean {
  return c === 0x3e || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f;
}

/** Line feed. */
export const LF = 0x0a;
/** `{`. */
export const OPEN_BRACE = 0x7b;
const BACKSLASH = 0x5c;

/**
 * JSON: `{` at column 0 (right after a line feed) opens a record even when one is still open
 * (the open one was cut short). `previous` is the byte before `c`.
 */
export function opensJsonRecordAtLineStart(previous: number | undefined, c: number): boolean {
  return c === OPEN_BRACE && previous === LF;
}

/**
 * JSON sync point: `{` at column 0 whose line feed is not right after a backslash (a backslash
 * and a line feed may be an escape inside a string, where the splitter does not stop). At a
 * sync point the splitter's state never depends on earlier bytes, so shards start there.
 * `beforeLineFeed` is the byte before the line feed (undefined at the stream's start).
 */
export function isJsonSyncPoint(beforeLineFeed: number | undefined, lineFeed: number, c: number): boolean {
  return c === OPEN_BRACE && lineFeed === LF && beforeLineFeed !== BACKSLASH;
}
