/**
 * Where the rule's fields are in each JSON flavour, as a small tree of object keys
 * (src/formats/json-fields.ts is the reference: same paths, same "last key wins").
 *
 * A node is either a container (an object whose keys lead further) or a leaf that fills a slot;
 * evtx_dump's EventID is both (a number/string, or an object with `#text`). Each node knows the
 * slots below it, so a repeated key can clear what an earlier occurrence filled.
 */

import { spanEquals } from "./bytes";
import {
  ALL_SLOTS,
  SLOT_CHANNEL,
  SLOT_COMPUTER,
  SLOT_COMPUTER_ALT,
  SLOT_EVENT_ID,
  SLOT_EVENT_ID_ALT,
  SLOT_IMAGE,
  SLOT_PROVIDER,
  SLOT_TARGET,
  SLOT_TIME,
  SLOT_TIME_ALT,
} from "./hits";

/** JSON flavours, as the TypeScript side numbers them. */
export const FORMAT_FLAT: i32 = 1;
export const FORMAT_ECS: i32 = 2;
export const FORMAT_EVTXDUMP: i32 = 3;

/** No node: a key or value the rule does not look at. */
export const NO_NODE: i32 = -1;
const ROOT_FLAT: i32 = 1;
const ROOT_ECS: i32 = 2;
const ROOT_EVTXDUMP: i32 = 3;
const ECS_WINLOG: i32 = 4;
const ECS_EVENT_DATA: i32 = 5;
const ECS_EVENT: i32 = 6;
const ECS_HOST: i32 = 7;
const EVTX_EVENT: i32 = 8;
const EVTX_SYSTEM: i32 = 9;
const EVTX_EVENT_DATA: i32 = 10;
const EVTX_EVENT_ID: i32 = 11;
const EVTX_PROVIDER: i32 = 12;
const EVTX_PROVIDER_ATTRIBUTES: i32 = 13;
const EVTX_TIME_CREATED: i32 = 14;
const EVTX_TIME_CREATED_ATTRIBUTES: i32 = 15;
/** Leaves are LEAF + slot. */
const LEAF: i32 = 100;

/** The root node of a record of the given flavour. */
export function rootNode(format: i32): i32 {
  if (format == FORMAT_ECS) return ROOT_ECS;
  if (format == FORMAT_EVTXDUMP) return ROOT_EVTXDUMP;
  return ROOT_FLAT;
}

/** The slot a value at this node fills, or -1. */
export function nodeSlot(node: i32): i32 {
  if (node >= LEAF) return node - LEAF;
  if (node == EVTX_EVENT_ID) return SLOT_EVENT_ID;
  return -1;
}

/** True when an object value at this node is walked into. */
export function isContainer(node: i32): bool {
  return node >= 0 && node < LEAF;
}

function bit(slot: i32): u32 {
  return 1 << slot;
}

/** Slots at and below the node: a new occurrence of its key clears them. */
export function nodeSlots(node: i32): u32 {
  if (node < 0) return 0;
  if (node >= LEAF) return bit(node - LEAF);
  switch (node) {
    case ECS_WINLOG:
      return (
        bit(SLOT_EVENT_ID) |
        bit(SLOT_PROVIDER) |
        bit(SLOT_CHANNEL) |
        bit(SLOT_COMPUTER) |
        bit(SLOT_IMAGE) |
        bit(SLOT_TARGET)
      );
    case ECS_EVENT_DATA:
    case EVTX_EVENT_DATA:
      return bit(SLOT_IMAGE) | bit(SLOT_TARGET);
    case ECS_EVENT:
      return bit(SLOT_EVENT_ID_ALT);
    case ECS_HOST:
      return bit(SLOT_COMPUTER_ALT);
    case EVTX_EVENT:
      return ALL_SLOTS;
    case EVTX_SYSTEM:
      return bit(SLOT_EVENT_ID) | bit(SLOT_PROVIDER) | bit(SLOT_CHANNEL) | bit(SLOT_COMPUTER) | bit(SLOT_TIME);
    case EVTX_EVENT_ID:
      return bit(SLOT_EVENT_ID);
    case EVTX_PROVIDER:
    case EVTX_PROVIDER_ATTRIBUTES:
      return bit(SLOT_PROVIDER);
    case EVTX_TIME_CREATED:
    case EVTX_TIME_CREATED_ATTRIBUTES:
      return bit(SLOT_TIME);
    default:
      return ALL_SLOTS;
  }
}

/** The node a key [p, p + n) (decoded) leads to from `parent`, or {@link NO_NODE}. */
export function childNode(parent: i32, p: usize, n: usize): i32 {
  switch (parent) {
    case ROOT_FLAT:
      if (spanEquals(p, n, "EventID")) return LEAF + SLOT_EVENT_ID;
      if (spanEquals(p, n, "SourceName")) return LEAF + SLOT_PROVIDER;
      if (spanEquals(p, n, "Channel")) return LEAF + SLOT_CHANNEL;
      if (spanEquals(p, n, "Image")) return LEAF + SLOT_IMAGE;
      if (spanEquals(p, n, "TargetFilename")) return LEAF + SLOT_TARGET;
      if (spanEquals(p, n, "Hostname")) return LEAF + SLOT_COMPUTER;
      if (spanEquals(p, n, "Computer")) return LEAF + SLOT_COMPUTER_ALT;
      if (spanEquals(p, n, "UtcTime")) return LEAF + SLOT_TIME;
      if (spanEquals(p, n, "@timestamp")) return LEAF + SLOT_TIME_ALT;
      return NO_NODE;
    case ROOT_ECS:
      if (spanEquals(p, n, "winlog")) return ECS_WINLOG;
      if (spanEquals(p, n, "event")) return ECS_EVENT;
      if (spanEquals(p, n, "host")) return ECS_HOST;
      if (spanEquals(p, n, "@timestamp")) return LEAF + SLOT_TIME;
      return NO_NODE;
    case ECS_WINLOG:
      if (spanEquals(p, n, "event_id")) return LEAF + SLOT_EVENT_ID;
      if (spanEquals(p, n, "provider_name")) return LEAF + SLOT_PROVIDER;
      if (spanEquals(p, n, "channel")) return LEAF + SLOT_CHANNEL;
      if (spanEquals(p, n, "computer_name")) return LEAF + SLOT_COMPUTER;
      if (spanEquals(p, n, "event_data")) return ECS_EVENT_DATA;
      return NO_NODE;
    case ECS_EVENT_DATA:
    case EVTX_EVENT_DATA:
      if (spanEquals(p, n, "Image")) return LEAF + SLOT_IMAGE;
      if (spanEquals(p, n, "TargetFilename")) return LEAF + SLOT_TARGET;
      return NO_NODE;
    case ECS_EVENT:
      return spanEquals(p, n, "code") ? LEAF + SLOT_EVENT_ID_ALT : NO_NODE;
    case ECS_HOST:
      return spanEquals(p, n, "name") ? LEAF + SLOT_COMPUTER_ALT : NO_NODE;
    case ROOT_EVTXDUMP:
      return spanEquals(p, n, "Event") ? EVTX_EVENT : NO_NODE;
    case EVTX_EVENT:
      if (spanEquals(p, n, "System")) return EVTX_SYSTEM;
      if (spanEquals(p, n, "EventData")) return EVTX_EVENT_DATA;
      return NO_NODE;
    case EVTX_SYSTEM:
      if (spanEquals(p, n, "EventID")) return EVTX_EVENT_ID;
      if (spanEquals(p, n, "Provider")) return EVTX_PROVIDER;
      if (spanEquals(p, n, "Channel")) return LEAF + SLOT_CHANNEL;
      if (spanEquals(p, n, "Computer")) return LEAF + SLOT_COMPUTER;
      if (spanEquals(p, n, "TimeCreated")) return EVTX_TIME_CREATED;
      return NO_NODE;
    case EVTX_EVENT_ID:
      return spanEquals(p, n, "#text") ? LEAF + SLOT_EVENT_ID : NO_NODE;
    case EVTX_PROVIDER:
      return spanEquals(p, n, "#attributes") ? EVTX_PROVIDER_ATTRIBUTES : NO_NODE;
    case EVTX_PROVIDER_ATTRIBUTES:
      return spanEquals(p, n, "Name") ? LEAF + SLOT_PROVIDER : NO_NODE;
    case EVTX_TIME_CREATED:
      return spanEquals(p, n, "#attributes") ? EVTX_TIME_CREATED_ATTRIBUTES : NO_NODE;
    case EVTX_TIME_CREATED_ATTRIBUTES:
      return spanEquals(p, n, "SystemTime") ? LEAF + SLOT_TIME : NO_NODE;
    default:
      return NO_NODE;
  }
}
