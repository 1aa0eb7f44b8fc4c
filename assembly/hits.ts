/**
 * Where confirmation keeps what it found: the field slots of the record being confirmed, and
 * the hits table in the caller's memory that the TypeScript side reads (src/wasm/matcher.ts
 * mirrors the layout below).
 *
 * A hit is 31 u32 words: record start, record end (absolute addresses), flags, then for each
 * of the 7 fields (EventID, provider, channel, Image, TargetFilename, Computer, time) its kind,
 * start address and byte length, then the address and length of the normalized time (a
 * decided hit whose time has a common layout, time-normalize.ts; length 0 otherwise), then for
 * a decided hit the interned ids of Computer, TargetFilename and the process name (intern.ts;
 * -1 otherwise) and the process name's span. Spans
 * point at raw bytes (a JSON string's body between its quotes, a JSON number token, XML
 * character data or attribute value) or, for a value with escapes or entities, at its decoded
 * UTF-8 in the arena next to the table.
 */

import { decodeJsonString, decodeLoneSurrogate, decodeUncertain, decodeXmlText, resetDecodeUncertain } from "./decode";
import { intern } from "./intern";
import {
  ALL_SLOTS,
  LAYOUT_ECS,
  LAYOUT_FLAT,
  LAYOUT_VELOCIRAPTOR,
  S_ECS_CHANNEL,
  S_ECS_COMPUTER_NAME,
  S_ECS_DATA_IMAGE,
  S_ECS_DATA_TARGET,
  S_ECS_EVENT_CODE,
  S_ECS_EVENT_ID,
  S_ECS_FILE_PATH,
  S_ECS_HOST_NAME,
  S_ECS_PROCESS_EXECUTABLE,
  S_ECS_PROVIDER,
  S_EVTX_CHANNEL,
  S_EVTX_COMPUTER,
  S_EVTX_EVENT_ID,
  S_EVTX_IMAGE,
  S_EVTX_PROVIDER,
  S_EVTX_PROVIDER_SEPARATE,
  S_EVTX_TARGET,
  S_EVTX_TIME,
  S_EVTX_TIME_SEPARATE,
  S_FLAT_CHANNEL,
  S_FLAT_COMPUTER,
  S_FLAT_EVENT_ID,
  S_FLAT_HOSTNAME,
  S_FLAT_IMAGE,
  S_FLAT_SOURCE_NAME,
  S_FLAT_TARGET,
  S_FLAT_UTC_TIME,
  S_TIMESTAMP,
  S_VELO_EVENT_ID,
  SLOT_COUNT,
} from "./json-fields";
import { NORMALIZED_TIME_BYTES, normalizeTimeInto } from "./time-normalize";

/** Field order in a hit. */
export const FIELD_EVENT_ID: i32 = 0;
export const FIELD_PROVIDER: i32 = 1;
export const FIELD_CHANNEL: i32 = 2;
export const FIELD_IMAGE: i32 = 3;
export const FIELD_TARGET: i32 = 4;
export const FIELD_COMPUTER: i32 = 5;
export const FIELD_TIME: i32 = 6;
export const FIELD_COUNT: i32 = 7;

/** Field kinds. */
export const KIND_ABSENT: u32 = 0;
/** Raw bytes are the value (UTF-8). */
export const KIND_TEXT: u32 = 1;
/** JSON string body with backslash escapes, or XML text with entities. */
export const KIND_ESCAPED: u32 = 2;
/** A JSON number token. */
export const KIND_NUMBER: u32 = 3;
/** A JSON value that is neither string nor number (counts as absent). */
export const KIND_OTHER: u32 = 4;

/** Hit flag: the TypeScript side must take this record's fields from the reference parser. */
export const FLAG_COMPLEX: u32 = 1;
/**
 * Hit flag: the record surely matches, every test of the rule was decided in wasm
 * (rule-check.ts), so the TypeScript side builds the event without running matchEvent again.
 */
export const FLAG_DECIDED: u32 = 2;

/** Words of a hit after the fields: the normalized time's address and length (0: none). */
const HIT_TIME_WORD: i32 = 3 + 3 * FIELD_COUNT;
/**
 * Then the interned ids (intern.ts; -1: none) of Computer, TargetFilename and the process name,
 * and the process name's address and length (the part of Image after its last backslash).
 */
const HIT_INTERN_WORD: i32 = HIT_TIME_WORD + 2;

export const HIT_WORDS: i32 = HIT_INTERN_WORD + 5;

/**
 * Slots filled while a record is parsed: one per path of every JSON layout (json-fields.ts).
 * XML fills the evtx_dump ones and resolves as evtx_dump: the same fields, without alternatives.
 */
export const SLOT_EVENT_ID: i32 = S_EVTX_EVENT_ID;
export const SLOT_PROVIDER: i32 = S_EVTX_PROVIDER;
export const SLOT_CHANNEL: i32 = S_EVTX_CHANNEL;
export const SLOT_IMAGE: i32 = S_EVTX_IMAGE;
export const SLOT_TARGET: i32 = S_EVTX_TARGET;
export const SLOT_COMPUTER: i32 = S_EVTX_COMPUTER;
export const SLOT_TIME: i32 = S_EVTX_TIME;
/** evtx_dump `--separate-json-attributes` slots, which XML never fills (it clears them). */
export const SLOT_PROVIDER_SEPARATE: i32 = S_EVTX_PROVIDER_SEPARATE;
export const SLOT_TIME_SEPARATE: i32 = S_EVTX_TIME_SEPARATE;
export { ALL_SLOTS };

const SLOTS = memory.data(SLOT_COUNT * 12, 4);
/** The 7 fields after "A else B" resolution: kind, start, len each. */
const FIELDS = memory.data(FIELD_COUNT * 12, 4);

/** Clears the slots whose bits are set in `mask`. */
export function clearSlots(mask: u64): void {
  while (mask != 0) {
    const s = <usize>ctz(mask);
    store<u32>(SLOTS + s * 12, KIND_ABSENT);
    mask &= mask - 1;
  }
}

/** Sets one slot. */
export function setSlot(slot: i32, kind: u32, start: usize, len: usize): void {
  const p = SLOTS + <usize>slot * 12;
  store<u32>(p, kind);
  store<u32>(p, <u32>start, 4);
  store<u32>(p, <u32>len, 8);
}

/** Kind of a slot. */
export function slotKind(slot: i32): u32 {
  return load<u32>(SLOTS + <usize>slot * 12);
}

function copySlotToField(slot: i32, field: i32): void {
  const from = SLOTS + <usize>slot * 12;
  const to = FIELDS + <usize>field * 12;
  store<u32>(to, load<u32>(from));
  store<u32>(to, load<u32>(from, 4), 4);
  store<u32>(to, load<u32>(from, 8), 8);
}

function isString(kind: u32): bool {
  return kind == KIND_TEXT || kind == KIND_ESCAPED;
}

/** A JSON string body of non-zero length decodes to a non-empty string. */
function isNonEmptyString(slot: i32): bool {
  return isString(slotKind(slot)) && load<u32>(SLOTS + <usize>slot * 12, 8) != 0;
}

/** EventID: the first slot when it is a string or number, else the second (-1: none). */
function copyEventId(a: i32, b: i32): void {
  const kind = slotKind(a);
  if (isString(kind) || kind == KIND_NUMBER || b < 0) copySlotToField(a, FIELD_EVENT_ID);
  else copySlotToField(b, FIELD_EVENT_ID);
}

/** "A else B": the first slot when it is a non-empty string, else the second. */
function copyOrElse(a: i32, b: i32, field: i32): void {
  copySlotToField(isNonEmptyString(a) ? a : b, field);
}

/** "A ?? B": the first slot when it is a string (empty or not), else the second. */
function copyStringElse(a: i32, b: i32, field: i32): void {
  copySlotToField(isString(slotKind(a)) ? a : b, field);
}

/** The fields of evtx_dump (`base` = its slots) or Velociraptor (`base` = its slots) records. */
function copyEvtxFields(base: i32): void {
  const d = base - S_EVTX_EVENT_ID;
  copyEventId(S_EVTX_EVENT_ID + d, -1);
  if (d == 0) {
    // evtx_dump: `#attributes`, else `--separate-json-attributes`' `<Name>_attributes`.
    copyStringElse(S_EVTX_PROVIDER, S_EVTX_PROVIDER_SEPARATE, FIELD_PROVIDER);
    copyStringElse(S_EVTX_TIME, S_EVTX_TIME_SEPARATE, FIELD_TIME);
  } else {
    copySlotToField(S_EVTX_PROVIDER + d, FIELD_PROVIDER);
    copySlotToField(S_EVTX_TIME + d, FIELD_TIME);
  }
  copySlotToField(S_EVTX_CHANNEL + d, FIELD_CHANNEL);
  copySlotToField(S_EVTX_IMAGE + d, FIELD_IMAGE);
  copySlotToField(S_EVTX_TARGET + d, FIELD_TARGET);
  copySlotToField(S_EVTX_COMPUTER + d, FIELD_COMPUTER);
}

/**
 * Resolves the slots of a record of the given layout into the 7 fields (json-fields.ts
 * semantics): EventID = the first of EventID / its alternative that is a string or number;
 * "A else B" fields = A when it is a non-empty string, else B. A value of another JSON type
 * counts as absent; only a Velociraptor time may also be a number (seconds since 1970).
 */
export function resolveFields(layout: i32): void {
  if (layout == LAYOUT_FLAT) {
    copyEventId(S_FLAT_EVENT_ID, -1);
    copySlotToField(S_FLAT_SOURCE_NAME, FIELD_PROVIDER);
    copySlotToField(S_FLAT_CHANNEL, FIELD_CHANNEL);
    copySlotToField(S_FLAT_IMAGE, FIELD_IMAGE);
    copySlotToField(S_FLAT_TARGET, FIELD_TARGET);
    copyOrElse(S_FLAT_HOSTNAME, S_FLAT_COMPUTER, FIELD_COMPUTER);
    copyOrElse(S_FLAT_UTC_TIME, S_TIMESTAMP, FIELD_TIME);
  } else if (layout == LAYOUT_ECS) {
    copyEventId(S_ECS_EVENT_ID, S_ECS_EVENT_CODE);
    copySlotToField(S_ECS_PROVIDER, FIELD_PROVIDER);
    copySlotToField(S_ECS_CHANNEL, FIELD_CHANNEL);
    copyOrElse(S_ECS_DATA_IMAGE, S_ECS_PROCESS_EXECUTABLE, FIELD_IMAGE);
    copyOrElse(S_ECS_DATA_TARGET, S_ECS_FILE_PATH, FIELD_TARGET);
    copyOrElse(S_ECS_COMPUTER_NAME, S_ECS_HOST_NAME, FIELD_COMPUTER);
    copySlotToField(S_TIMESTAMP, FIELD_TIME);
  } else {
    copyEvtxFields(layout == LAYOUT_VELOCIRAPTOR ? S_VELO_EVENT_ID : S_EVTX_EVENT_ID);
  }
  for (let f = FIELD_PROVIDER; f < FIELD_COUNT; f++) {
    const kind = fieldKind(f);
    if (isString(kind)) continue;
    if (f == FIELD_TIME && kind == KIND_NUMBER && layout == LAYOUT_VELOCIRAPTOR) continue;
    store<u32>(FIELDS + <usize>f * 12, KIND_ABSENT);
  }
  const k = fieldKind(FIELD_EVENT_ID);
  if (!isString(k) && k != KIND_NUMBER) store<u32>(FIELDS, KIND_ABSENT);
}

/** The interned id of a resolved field's value, or -1 (not plain UTF-8 text, or no room). */
function internField(field: i32): i32 {
  return fieldKind(field) == KIND_TEXT ? intern(fieldStart(field), fieldLen(field)) : -1;
}

/** The interned ids and the process name's span of a hit, at `at` (see {@link HIT_INTERN_WORD}). */
function writeInterned(at: usize, decided: bool): void {
  let computer: i32 = -1;
  let target: i32 = -1;
  let process: i32 = -1;
  let name: usize = 0;
  let nameLen: usize = 0;
  if (decided) {
    computer = internField(FIELD_COMPUTER);
    target = internField(FIELD_TARGET);
    if (fieldKind(FIELD_IMAGE) == KIND_TEXT) {
      // The bytes after the last backslash decode to what processNameOf cuts from the whole:
      // UTF-8 decoding never swallows an ASCII byte and starts afresh after one.
      const start = fieldStart(FIELD_IMAGE);
      const end = start + fieldLen(FIELD_IMAGE);
      name = end;
      while (name > start && load<u8>(name - 1) != 0x5c) name--;
      nameLen = end - name;
      process = intern(name, nameLen);
    }
  }
  store<i32>(at, computer);
  store<i32>(at, target, 4);
  store<i32>(at, process, 8);
  store<u32>(at, <u32>name, 12);
  store<u32>(at, <u32>nameLen, 16);
}

/** Kind of a resolved field. */
export function fieldKind(field: i32): u32 {
  return load<u32>(FIELDS + <usize>field * 12);
}

/** Start address of a resolved field. */
export function fieldStart(field: i32): usize {
  return <usize>load<u32>(FIELDS + <usize>field * 12, 4);
}

/** Byte length of a resolved field. */
export function fieldLen(field: i32): usize {
  return <usize>load<u32>(FIELDS + <usize>field * 12, 8);
}

let hitsBase: usize = 0;
let hitsCapacity: i32 = 0;
/** Hits written since the caller last took them. */
export let hitCount: i32 = 0;
let arenaBase: usize = 0;
let arenaCapacity: usize = 0;
let arenaUsed: usize = 0;

/**
 * Points the hits table at [base, base + capacity * HIT_WORDS * 4) and the decoded-value arena
 * at [arena, arena + arenaBytes), and empties both.
 */
export function configureHits(base: usize, capacity: i32, arena: usize, arenaBytes: usize): void {
  hitsBase = base;
  hitsCapacity = capacity;
  arenaBase = arena;
  arenaCapacity = arenaBytes;
  takeHits();
}

/** Empties the hits table and the arena (the caller has read them). */
export function takeHits(): void {
  hitCount = 0;
  arenaUsed = 0;
}

/**
 * True when a hit for a record of `recordBytes` might not fit (table full, or the arena could
 * not take the record's decoded values; decoding never makes a value longer).
 */
export function hitsFull(recordBytes: usize): bool {
  return hitCount >= hitsCapacity || (hitCount > 0 && arenaUsed + recordBytes > arenaCapacity);
}

/** The arena's fill, to give back with {@link arenaRollback} when no hit is written after {@link decodeFields}. */
export function arenaMark(): usize {
  return arenaUsed;
}

/** Frees what the arena took since `mark`. */
export function arenaRollback(mark: usize): void {
  arenaUsed = mark;
}

/**
 * Decodes the resolved fields' values with escapes (JSON) or entities (XML) into the arena
 * (the caller checked {@link hitsFull}), so that the rule check reads them as plain text and a
 * hit keeps them, unless the result would not be exact for the TypeScript side (a lone
 * surrogate, an XML reference read on a guess): then a JSON value keeps its raw span, and an
 * XML record must be complex: the flags to add to its hit are returned.
 */
export function decodeFields(xml: bool): u32 {
  let flags: u32 = 0;
  for (let f = 0; f < FIELD_COUNT; f++) {
    const at = FIELDS + <usize>f * 12;
    if (load<u32>(at) != KIND_ESCAPED) continue;
    const src = <usize>load<u32>(at, 4);
    const len = <usize>load<u32>(at, 8);
    const dst = arenaBase + arenaUsed;
    if (arenaUsed + len > arenaCapacity) {
      if (xml) flags |= FLAG_COMPLEX;
      continue;
    }
    let n: isize;
    if (xml) {
      resetDecodeUncertain();
      n = <isize>decodeXmlText(src, len, dst);
      if (decodeUncertain) {
        flags |= FLAG_COMPLEX;
        continue;
      }
    } else {
      n = decodeJsonString(src, len, dst);
      if (n < 0 || decodeLoneSurrogate) continue;
    }
    store<u32>(at, KIND_TEXT);
    store<u32>(at, <u32>dst, 4);
    store<u32>(at, <u32>n, 8);
    arenaUsed += <usize>n;
  }
  return flags;
}

/**
 * Appends the resolved fields (after {@link decodeFields}, unless the hit is complex) as a hit
 * for record [start, end); the caller checked {@link hitsFull}. A complex hit is never decided.
 * A decided hit's time is also written normalized, when its layout is a common one.
 */
export function writeHit(start: usize, end: usize, flags: u32): void {
  if ((flags & FLAG_COMPLEX) != 0) flags &= ~FLAG_DECIDED;
  const p = hitsBase + <usize>hitCount * <usize>HIT_WORDS * 4;
  store<u32>(p, <u32>start);
  store<u32>(p, <u32>end, 4);
  store<u32>(p, flags, 8);
  memory.copy(p + 12, FIELDS, <usize>FIELD_COUNT * 12);
  let timeLen: usize = 0;
  const dst = arenaBase + arenaUsed;
  if (
    (flags & FLAG_DECIDED) != 0 &&
    fieldKind(FIELD_TIME) == KIND_TEXT &&
    arenaUsed + NORMALIZED_TIME_BYTES <= arenaCapacity &&
    normalizeTimeInto(fieldStart(FIELD_TIME), fieldLen(FIELD_TIME), dst)
  ) {
    timeLen = NORMALIZED_TIME_BYTES;
    arenaUsed += timeLen;
  }
  const t = p + ((<usize>HIT_TIME_WORD) << 2);
  store<u32>(t, <u32>dst);
  store<u32>(t, <u32>timeLen, 4);
  writeInterned(p + ((<usize>HIT_INTERN_WORD) << 2), (flags & FLAG_DECIDED) != 0);
  hitCount++;
}
