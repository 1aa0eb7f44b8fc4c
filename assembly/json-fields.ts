/**
 * Where the rule's fields are in each JSON layout, as one small tree of object keys that covers
 * every layout at once (src/formats/json-fields.ts is the reference: same paths, same "last key
 * wins"). A record's layout is decided by its own keys, which may come anywhere in it (Beats
 * sorts keys, so `winlog` comes after a long `message`): the parser fills the slots of every
 * layout in one pass, notes which layout-deciding root keys held an object, and only then
 * {@link recordLayout} says whose slots count (hits.ts resolves them).
 *
 * A node is either a container (an object whose keys lead further) or a leaf that fills a slot;
 * an EventID under `System` is both (a number/string, or an object with `#text` / `Value`).
 * evtx_dump's `--separate-json-attributes` output keeps the provider and time in sibling
 * `Provider_attributes` / `TimeCreated_attributes` objects: slots of their own, used when the
 * `#attributes` ones hold no string.
 * Each node knows the slots below it, so a repeated key clears what an earlier occurrence filled.
 */

import { spanEquals } from "./bytes";

/** JSON layouts, as the TypeScript side numbers them (src/formats/json-fields.ts JsonLayout). */
export const LAYOUT_FLAT: i32 = 0;
export const LAYOUT_ECS: i32 = 1;
export const LAYOUT_EVTXDUMP: i32 = 2;
export const LAYOUT_VELOCIRAPTOR: i32 = 3;

// ---- slots: one per distinct path ----
// flat (root keys)
export const S_FLAT_EVENT_ID: i32 = 0;
export const S_FLAT_SOURCE_NAME: i32 = 1;
export const S_FLAT_CHANNEL: i32 = 2;
export const S_FLAT_IMAGE: i32 = 3;
export const S_FLAT_TARGET: i32 = 4;
export const S_FLAT_HOSTNAME: i32 = 5;
export const S_FLAT_COMPUTER: i32 = 6;
export const S_FLAT_UTC_TIME: i32 = 7;
/** Root `@timestamp`: flat's second time, ECS's time. */
export const S_TIMESTAMP: i32 = 8;
// ECS
export const S_ECS_EVENT_ID: i32 = 9;
export const S_ECS_EVENT_CODE: i32 = 10;
export const S_ECS_PROVIDER: i32 = 11;
export const S_ECS_CHANNEL: i32 = 12;
export const S_ECS_DATA_IMAGE: i32 = 13;
export const S_ECS_PROCESS_EXECUTABLE: i32 = 14;
export const S_ECS_DATA_TARGET: i32 = 15;
export const S_ECS_FILE_PATH: i32 = 16;
export const S_ECS_COMPUTER_NAME: i32 = 17;
export const S_ECS_HOST_NAME: i32 = 18;
// evtx_dump (`Event.` prefix) and Velociraptor (no prefix): same order, VELO = EVTX + 7
export const S_EVTX_EVENT_ID: i32 = 19;
export const S_EVTX_PROVIDER: i32 = 20;
export const S_EVTX_CHANNEL: i32 = 21;
export const S_EVTX_COMPUTER: i32 = 22;
export const S_EVTX_TIME: i32 = 23;
export const S_EVTX_IMAGE: i32 = 24;
export const S_EVTX_TARGET: i32 = 25;
export const S_VELO_EVENT_ID: i32 = 26;
export const S_VELO_PROVIDER: i32 = 27;
export const S_VELO_CHANNEL: i32 = 28;
export const S_VELO_COMPUTER: i32 = 29;
export const S_VELO_TIME: i32 = 30;
export const S_VELO_IMAGE: i32 = 31;
export const S_VELO_TARGET: i32 = 32;
// `evtx_dump --separate-json-attributes`: `Provider_attributes.Name`, `TimeCreated_attributes.SystemTime`
export const S_EVTX_PROVIDER_SEPARATE: i32 = 33;
export const S_EVTX_TIME_SEPARATE: i32 = 34;
export const SLOT_COUNT: i32 = 35;
export const ALL_SLOTS: u64 = ((<u64>1) << (<u64>SLOT_COUNT)) - 1;

/** No node: a key or value the rule does not look at. */
export const NO_NODE: i32 = -1;
const ROOT: i32 = 1;
const ECS_WINLOG: i32 = 2;
const ECS_EVENT_DATA: i32 = 3;
const ECS_EVENT: i32 = 4;
const ECS_HOST: i32 = 5;
const ECS_PROCESS: i32 = 6;
const ECS_FILE: i32 = 7;
const EVTX_EVENT: i32 = 8;
// The System subtree exists twice: under `Event` (evtx_dump) and at the root (Velociraptor).
// Node ids of the Velociraptor copy are the evtx_dump ones + VELO.
const EVTX_SYSTEM: i32 = 10;
const EVTX_EVENT_DATA: i32 = 11;
const EVTX_EVENT_ID: i32 = 12;
const EVTX_PROVIDER: i32 = 13;
const EVTX_PROVIDER_ATTRIBUTES: i32 = 14;
const EVTX_TIME_CREATED: i32 = 15;
const EVTX_TIME_CREATED_ATTRIBUTES: i32 = 16;
// `--separate-json-attributes` puts an element's attributes in a sibling `<Name>_attributes`.
const EVTX_PROVIDER_SEPARATE_ATTRIBUTES: i32 = 17;
const EVTX_TIME_CREATED_SEPARATE_ATTRIBUTES: i32 = 18;
const VELO: i32 = 10;
const VELO_SYSTEM: i32 = EVTX_SYSTEM + VELO;
const VELO_EVENT_DATA: i32 = EVTX_EVENT_DATA + VELO;
const VELO_EVENT_ID: i32 = EVTX_EVENT_ID + VELO;
const VELO_PROVIDER: i32 = EVTX_PROVIDER + VELO;
const VELO_TIME_CREATED: i32 = EVTX_TIME_CREATED + VELO;
/** Leaves are LEAF + slot. */
const LEAF: i32 = 100;

/** The root node of every JSON record. */
export const ROOT_NODE: i32 = ROOT;

/** Layout-deciding root keys whose (last) value is an object: bits of {@link layoutKeys}. */
const KEY_EVENT: u32 = 1;
const KEY_SYSTEM: u32 = 2;
const KEY_WINLOG: u32 = 4;
/** Which of `Event`, `System`, `winlog` the record being parsed holds as objects. */
export let layoutKeys: u32 = 0;

/** Forgets the layout keys (a new record). */
export function resetLayoutKeys(): void {
  layoutKeys = 0;
}

function layoutKeyOf(node: i32): u32 {
  if (node == EVTX_EVENT) return KEY_EVENT;
  if (node == VELO_SYSTEM) return KEY_SYSTEM;
  if (node == ECS_WINLOG) return KEY_WINLOG;
  return 0;
}

/** A root key leading to `node` was read: its earlier value no longer counts. */
export function layoutKeySeen(node: i32): void {
  layoutKeys &= ~layoutKeyOf(node);
}

/** An object opened as the value of `node`. */
export function layoutObjectOpened(node: i32): void {
  layoutKeys |= layoutKeyOf(node);
}

/**
 * The parsed record's layout (src/formats/json-fields.ts classifyJsonRecord): `Event` object:
 * evtx_dump; else `System` object: Velociraptor; else `winlog` object: ECS; else flat.
 */
export function recordLayout(): i32 {
  if ((layoutKeys & KEY_EVENT) != 0) return LAYOUT_EVTXDUMP;
  if ((layoutKeys & KEY_SYSTEM) != 0) return LAYOUT_VELOCIRAPTOR;
  if ((layoutKeys & KEY_WINLOG) != 0) return LAYOUT_ECS;
  return LAYOUT_FLAT;
}

/** The slot a value at this node fills, or -1. */
export function nodeSlot(node: i32): i32 {
  if (node >= LEAF) return node - LEAF;
  if (node == EVTX_EVENT_ID) return S_EVTX_EVENT_ID;
  if (node == VELO_EVENT_ID) return S_VELO_EVENT_ID;
  return -1;
}

/** True when an object value at this node is walked into. */
export function isContainer(node: i32): bool {
  return node >= 0 && node < LEAF;
}

function bit(slot: i32): u64 {
  return (<u64>1) << (<u64>slot);
}

/** Slots of the System subtree (evtx_dump's when `velo` is 0, Velociraptor's when 7). */
function systemSlots(velo: i32): u64 {
  const separate = velo == 0 ? bit(S_EVTX_PROVIDER_SEPARATE) | bit(S_EVTX_TIME_SEPARATE) : 0;
  return (
    bit(S_EVTX_EVENT_ID + velo) |
    bit(S_EVTX_PROVIDER + velo) |
    bit(S_EVTX_CHANNEL + velo) |
    bit(S_EVTX_COMPUTER + velo) |
    bit(S_EVTX_TIME + velo) |
    separate
  );
}

/** Slots at and below the node: a new occurrence of its key clears them. */
export function nodeSlots(node: i32): u64 {
  if (node < 0) return 0;
  if (node >= LEAF) return bit(node - LEAF);
  switch (node) {
    case ECS_WINLOG:
      return (
        bit(S_ECS_EVENT_ID) |
        bit(S_ECS_PROVIDER) |
        bit(S_ECS_CHANNEL) |
        bit(S_ECS_COMPUTER_NAME) |
        bit(S_ECS_DATA_IMAGE) |
        bit(S_ECS_DATA_TARGET)
      );
    case ECS_EVENT_DATA:
      return bit(S_ECS_DATA_IMAGE) | bit(S_ECS_DATA_TARGET);
    case ECS_EVENT:
      return bit(S_ECS_EVENT_CODE);
    case ECS_HOST:
      return bit(S_ECS_HOST_NAME);
    case ECS_PROCESS:
      return bit(S_ECS_PROCESS_EXECUTABLE);
    case ECS_FILE:
      return bit(S_ECS_FILE_PATH);
    case EVTX_EVENT:
      return systemSlots(0) | bit(S_EVTX_IMAGE) | bit(S_EVTX_TARGET);
    case EVTX_SYSTEM:
      return systemSlots(0);
    case VELO_SYSTEM:
      return systemSlots(7);
    case EVTX_EVENT_DATA:
      return bit(S_EVTX_IMAGE) | bit(S_EVTX_TARGET);
    case VELO_EVENT_DATA:
      return bit(S_VELO_IMAGE) | bit(S_VELO_TARGET);
    case EVTX_EVENT_ID:
      return bit(S_EVTX_EVENT_ID);
    case VELO_EVENT_ID:
      return bit(S_VELO_EVENT_ID);
    case EVTX_PROVIDER:
    case EVTX_PROVIDER_ATTRIBUTES:
      return bit(S_EVTX_PROVIDER);
    case VELO_PROVIDER:
      return bit(S_VELO_PROVIDER);
    case EVTX_TIME_CREATED:
    case EVTX_TIME_CREATED_ATTRIBUTES:
      return bit(S_EVTX_TIME);
    case VELO_TIME_CREATED:
      return bit(S_VELO_TIME);
    case EVTX_PROVIDER_SEPARATE_ATTRIBUTES:
      return bit(S_EVTX_PROVIDER_SEPARATE);
    case EVTX_TIME_CREATED_SEPARATE_ATTRIBUTES:
      return bit(S_EVTX_TIME_SEPARATE);
    default:
      return ALL_SLOTS;
  }
}

/** Children of a System node (evtx_dump's, or Velociraptor's when `velo`). */
function systemChild(p: usize, n: usize, velo: bool): i32 {
  const node = velo ? VELO : 0;
  const slot = velo ? 7 : 0;
  if (spanEquals(p, n, "EventID")) return EVTX_EVENT_ID + node;
  if (spanEquals(p, n, "Provider")) return EVTX_PROVIDER + node;
  if (spanEquals(p, n, "Channel")) return LEAF + S_EVTX_CHANNEL + slot;
  if (spanEquals(p, n, "Computer")) return LEAF + S_EVTX_COMPUTER + slot;
  if (spanEquals(p, n, "TimeCreated")) return EVTX_TIME_CREATED + node;
  if (velo) return NO_NODE;
  if (spanEquals(p, n, "Provider_attributes")) return EVTX_PROVIDER_SEPARATE_ATTRIBUTES;
  if (spanEquals(p, n, "TimeCreated_attributes")) return EVTX_TIME_CREATED_SEPARATE_ATTRIBUTES;
  return NO_NODE;
}

/**
 * Root keys of every layout (flat, ECS, evtx_dump, Velociraptor), by (first byte + last byte +
 * length) & 63, which no two of them share: a key is one table look-up and one 16-byte compare,
 * without a branch per candidate key (most keys of a record are none of them). Entries: the key
 * (zero-padded to 16 bytes), its length (u32 at 16; 0: empty) and its node (i32 at 20).
 */
const ROOT_KEYS = memory.data(64 * 32, 16);
/** Longest root key. */
const ROOT_KEY_MAX: usize = 16;

function rootKeyEntry(first: u32, last: u32, n: usize): usize {
  return ROOT_KEYS + (((<usize>first + <usize>last + n) & 63) << 5);
}

function addRootKey(key: string, node: i32): void {
  const n = <usize>key.length;
  const e = rootKeyEntry(<u32>key.charCodeAt(0), <u32>key.charCodeAt(<i32>n - 1), n);
  if (load<u32>(e, 16) != 0 || n > ROOT_KEY_MAX) unreachable(); // two keys share an entry: pick another hash
  for (let i: usize = 0; i < n; i++) store<u8>(e + i, <u8>key.charCodeAt(<i32>i));
  store<u32>(e, <u32>n, 16);
  store<i32>(e, node, 20);
}

addRootKey("@timestamp", LEAF + S_TIMESTAMP);
addRootKey("Channel", LEAF + S_FLAT_CHANNEL);
addRootKey("Computer", LEAF + S_FLAT_COMPUTER);
addRootKey("EventID", LEAF + S_FLAT_EVENT_ID);
addRootKey("Event", EVTX_EVENT);
addRootKey("EventData", VELO_EVENT_DATA);
addRootKey("Hostname", LEAF + S_FLAT_HOSTNAME);
addRootKey("Image", LEAF + S_FLAT_IMAGE);
addRootKey("SourceName", LEAF + S_FLAT_SOURCE_NAME);
addRootKey("System", VELO_SYSTEM);
addRootKey("TargetFilename", LEAF + S_FLAT_TARGET);
addRootKey("UtcTime", LEAF + S_FLAT_UTC_TIME);
addRootKey("event", ECS_EVENT);
addRootKey("file", ECS_FILE);
addRootKey("host", ECS_HOST);
addRootKey("process", ECS_PROCESS);
addRootKey("winlog", ECS_WINLOG);

/** The node of root key [p, p + n); reads 16 bytes at `p` (the key's memory has that slack). */
function rootChild(p: usize, n: usize): i32 {
  if (n == 0 || n > ROOT_KEY_MAX) return NO_NODE;
  const e = rootKeyEntry(<u32>load<u8>(p), <u32>load<u8>(p + n - 1), n);
  if (<usize>load<u32>(e, 16) != n) return NO_NODE;
  const same = <u32>i8x16.bitmask(i8x16.eq(v128.load(p), v128.load(e)));
  const want = n == 16 ? 0xffff : ((<u32>1) << (<u32>n)) - 1;
  return (same & want) == want ? load<i32>(e, 20) : NO_NODE;
}

/** The node a key [p, p + n) (decoded) leads to from `parent`, or {@link NO_NODE}. */
export function childNode(parent: i32, p: usize, n: usize): i32 {
  switch (parent) {
    case ROOT:
      return rootChild(p, n);
    case ECS_WINLOG:
      if (spanEquals(p, n, "event_id")) return LEAF + S_ECS_EVENT_ID;
      if (spanEquals(p, n, "provider_name")) return LEAF + S_ECS_PROVIDER;
      if (spanEquals(p, n, "channel")) return LEAF + S_ECS_CHANNEL;
      if (spanEquals(p, n, "computer_name")) return LEAF + S_ECS_COMPUTER_NAME;
      if (spanEquals(p, n, "event_data")) return ECS_EVENT_DATA;
      return NO_NODE;
    case ECS_EVENT_DATA:
      if (spanEquals(p, n, "Image")) return LEAF + S_ECS_DATA_IMAGE;
      if (spanEquals(p, n, "TargetFilename")) return LEAF + S_ECS_DATA_TARGET;
      return NO_NODE;
    case ECS_EVENT:
      return spanEquals(p, n, "code") ? LEAF + S_ECS_EVENT_CODE : NO_NODE;
    case ECS_HOST:
      return spanEquals(p, n, "name") ? LEAF + S_ECS_HOST_NAME : NO_NODE;
    case ECS_PROCESS:
      return spanEquals(p, n, "executable") ? LEAF + S_ECS_PROCESS_EXECUTABLE : NO_NODE;
    case ECS_FILE:
      return spanEquals(p, n, "path") ? LEAF + S_ECS_FILE_PATH : NO_NODE;
    case EVTX_EVENT:
      if (spanEquals(p, n, "System")) return EVTX_SYSTEM;
      if (spanEquals(p, n, "EventData")) return EVTX_EVENT_DATA;
      return NO_NODE;
    case EVTX_SYSTEM:
      return systemChild(p, n, false);
    case VELO_SYSTEM:
      return systemChild(p, n, true);
    case EVTX_EVENT_DATA:
      if (spanEquals(p, n, "Image")) return LEAF + S_EVTX_IMAGE;
      if (spanEquals(p, n, "TargetFilename")) return LEAF + S_EVTX_TARGET;
      return NO_NODE;
    case VELO_EVENT_DATA:
      if (spanEquals(p, n, "Image")) return LEAF + S_VELO_IMAGE;
      if (spanEquals(p, n, "TargetFilename")) return LEAF + S_VELO_TARGET;
      return NO_NODE;
    case EVTX_EVENT_ID:
      return spanEquals(p, n, "#text") ? LEAF + S_EVTX_EVENT_ID : NO_NODE;
    case VELO_EVENT_ID:
      return spanEquals(p, n, "Value") ? LEAF + S_VELO_EVENT_ID : NO_NODE;
    case EVTX_PROVIDER:
      return spanEquals(p, n, "#attributes") ? EVTX_PROVIDER_ATTRIBUTES : NO_NODE;
    case EVTX_PROVIDER_ATTRIBUTES:
      return spanEquals(p, n, "Name") ? LEAF + S_EVTX_PROVIDER : NO_NODE;
    case VELO_PROVIDER:
      return spanEquals(p, n, "Name") ? LEAF + S_VELO_PROVIDER : NO_NODE;
    case EVTX_TIME_CREATED:
      return spanEquals(p, n, "#attributes") ? EVTX_TIME_CREATED_ATTRIBUTES : NO_NODE;
    case EVTX_TIME_CREATED_ATTRIBUTES:
      return spanEquals(p, n, "SystemTime") ? LEAF + S_EVTX_TIME : NO_NODE;
    case VELO_TIME_CREATED:
      return spanEquals(p, n, "SystemTime") ? LEAF + S_VELO_TIME : NO_NODE;
    case EVTX_PROVIDER_SEPARATE_ATTRIBUTES:
      return spanEquals(p, n, "Name") ? LEAF + S_EVTX_PROVIDER_SEPARATE : NO_NODE;
    case EVTX_TIME_CREATED_SEPARATE_ATTRIBUTES:
      return spanEquals(p, n, "SystemTime") ? LEAF + S_EVTX_TIME_SEPARATE : NO_NODE;
    default:
      return NO_NODE;
  }
}
