/**
 * Pre-rendered records: the text of one record as bytes, plus where its slots (times, record
 * number) are. Writing a record is then one memory copy and a few fixed-width patches, which is
 * what lets the generator write gigabytes in seconds instead of rendering every event afresh.
 *
 * Renderers produce {@link Parts}; JSON renderers build a plain object with marker strings in
 * place of slots, stringify it, and split the markers out again ({@link partsFromJson}).
 */

import { isSlot, SLOT_WIDTH, type Slot, type SlotKind } from "./event-model.js";

/** A record's text: literal pieces and slots, in order. */
export type Parts = (string | SlotKind)[];

/** One record ready to copy: its bytes (slots hold placeholders) and the slots' byte offsets. */
export interface CompiledTemplate {
  bytes: Buffer;
  /** Pairs (byte offset, {@link SlotKind}), in order. */
  slots: Int32Array;
}

/** Joins parts into bytes, with each slot's bytes zero-filled at its offset. */
export function compileParts(parts: Parts): CompiledTemplate {
  let length = 0;
  let slotCount = 0;
  for (const p of parts) {
    if (typeof p === "string") length += Buffer.byteLength(p, "utf8");
    else {
      length += SLOT_WIDTH[p] as number;
      slotCount++;
    }
  }
  const bytes = Buffer.alloc(length, 0x30 /* "0": a placeholder that is valid in every slot */);
  const slots = new Int32Array(slotCount * 2);
  let at = 0;
  let s = 0;
  for (const p of parts) {
    if (typeof p === "string") at += bytes.write(p, at, "utf8");
    else {
      slots[s++] = at;
      slots[s++] = p;
      at += SLOT_WIDTH[p] as number;
    }
  }
  return { bytes, slots };
}

// Private-use code points mark slots inside JSON text; they never occur in generated values.
const SLOT_OPEN = "\uE000";
const SLOT_CLOSE = "\uE001";
const NUMBER_OPEN = "\uE002";
const NUMBER_CLOSE = "\uE003";
const RAW_OPEN = "\uE004";
const RAW_CLOSE = "\uE005";

/** A string that stands for a slot inside a JSON string value (e.g. in a message text). */
export function slotMarker(slot: Slot): string {
  return `${SLOT_OPEN}${slot.slot}${SLOT_CLOSE}`;
}

/** A string value that becomes the slot as a bare JSON number (the quotes go away). */
export function numberSlotMarker(slot: Slot): string {
  return `${NUMBER_OPEN}${slot.slot}${NUMBER_CLOSE}`;
}

/** A string value that becomes `text` verbatim, without quotes (numbers JS cannot hold exactly, like -2^63). */
export function rawJson(text: string): string {
  return `${RAW_OPEN}${text}${RAW_CLOSE}`;
}

/** A JSON value for a data item: slots become markers, the rest is kept. */
export function jsonValue(v: string | number | Slot): string | number {
  return isSlot(v) ? slotMarker(v) : v;
}

const MARKERS = new RegExp(
  `"${NUMBER_OPEN}(\\d)${NUMBER_CLOSE}"|${SLOT_OPEN}(\\d)${SLOT_CLOSE}|"${RAW_OPEN}([^${RAW_CLOSE}]*)${RAW_CLOSE}"`,
  "g",
);

/** How a JSON writer escapes strings, beyond what JSON requires. */
export type JsonEscaping = "plain" | "ascii" | "go" | "go-ascii";

const NON_ASCII = /[\u0080-\uDFFF\uE006-\uFFFF]/g;
const HTML_SPECIAL = /[<>&\u2028\u2029]/g;

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Applies a writer's escaping to JSON text from JSON.stringify: `ascii` escapes every non-ASCII
 * UTF-16 unit as `\uXXXX` (Python's `ensure_ascii`; astral characters become surrogate pairs),
 * `go` escapes `<`, `>`, `&` as Go's encoding/json does (Winlogbeat). Markers are left alone.
 */
export function escapeJson(json: string, escaping: JsonEscaping): string {
  let out = json;
  if (escaping === "go" || escaping === "go-ascii") out = out.replace(HTML_SPECIAL, unicodeEscape);
  if (escaping === "ascii" || escaping === "go-ascii") out = out.replace(NON_ASCII, unicodeEscape);
  return out;
}

/** Splits stringified JSON (with markers) into parts. */
export function partsFromJson(json: string): Parts {
  const parts: Parts = [];
  let last = 0;
  for (const m of json.matchAll(MARKERS)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(json.slice(last, at));
    if (m[3] !== undefined) parts.push(m[3]);
    else parts.push(Number(m[1] ?? m[2]) as SlotKind);
    last = at + m[0].length;
  }
  if (last < json.length) parts.push(json.slice(last));
  return parts;
}
