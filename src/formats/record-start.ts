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

/**
 * JSON: a `{` at column 0 (right after a line feed) opens a record even when one is still open
 * (the open one was cut short), unless it continues the open record: that record is
 * pretty-printed without indentation and its previous significant byte is `[`, or a `,` after
 * an array element alone on its line ({@link isJsonElementLine}); json-records.ts keeps the
 * state. A *sync point* is a `{` after a line feed whose previous significant byte is neither:
 * there the splitter starts a record whatever came before, so its state never depends on
 * earlier bytes, and shards start there (src/engine/shard-edges.ts).
 */
export const JSON_CONTINUES_AFTER_BRACKET = 0x5b;

/** A byte of a JSON number or literal (`-1.5e3`, `true`, `null`). */
export function isJsonScalarByte(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2b || c === 0x2d || c === 0x2e
  );
}

/**
 * True when `line` (the bytes from column 0 up to a `,`) is one array element alone: a closer
 * `}` or `]`, a string, or a number or literal, as unindented pretty JSON writes an element
 * before its `,`.
 */
export function isJsonElementLine(line: Uint8Array): boolean {
  const c = line[0];
  if (c === undefined) return false;
  if (c === 0x7d || c === 0x5d) return line.length === 1;
  if (c === 0x22) {
    for (let i = 1; i < line.length; i++) {
      if (line[i] === 0x5c) i++;
      else if (line[i] === 0x22) return i + 1 === line.length;
    }
    return false;
  }
  return line.every(isJsonScalarByte);
}
