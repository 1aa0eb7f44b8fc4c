/**
 * The rule, tested in wasm on a record's resolved fields so that only records that can match
 * reach the TypeScript side. It mirrors src/rule/rule.ts (matchEvent) on decoded bytes and errs
 * only towards "may match": where a test cannot be decided here (a value longer than the
 * scratch area, an XML reference decoded on a guess, an EventID that is a JSON number with a
 * fraction or exponent, non-ASCII around a string EventID, a lone surrogate) it passes, sets
 * {@link ruleUndecided}, and matchEvent on the TypeScript side has the last word. When every
 * test was decided here the answer is exact (the needles are ASCII, and UTF-8 decoding never
 * turns other bytes into ASCII or swallows an ASCII byte), so such a hit is marked decided and
 * the TypeScript side builds its event without asking matchEvent again (src/wasm/hit-fields.ts).
 */

import { Ascii, equalsFolded, indexOfFolded, spanEqualsFolded } from "./bytes";
import { decodeJsonString, decodeLoneSurrogate, decodeUncertain, decodeXmlText, resetDecodeUncertain } from "./decode";
import {
  arenaMark,
  arenaRollback,
  decodeFields,
  FIELD_CHANNEL,
  FIELD_COMPUTER,
  FIELD_EVENT_ID,
  FIELD_IMAGE,
  FIELD_PROVIDER,
  FIELD_TARGET,
  FLAG_DECIDED,
  fieldKind,
  fieldLen,
  fieldStart,
  KIND_ABSENT,
  KIND_ESCAPED,
  KIND_NUMBER,
  KIND_TEXT,
  writeHit,
} from "./hits";

let scratchBase: usize = 0;

/** Set by {@link mayMatch} when some test passed without being decided (see the module comment). */
export let ruleUndecided = false;

/** A test that passes undecided. */
function undecided(): bool {
  ruleUndecided = true;
  return true;
}
let scratchCapacity: usize = 0;

/** Points the decode scratch area at [base, base + capacity); it needs 64 bytes of slack after it. */
export function configureScratch(base: usize, capacity: usize): void {
  scratchBase = base;
  scratchCapacity = capacity;
}

/** Where the last {@link decodeField} left the value's bytes, and their length (-1: undecided). */
let decodedAt: usize = 0;
let decodedLen: isize = 0;

/**
 * Decodes a string field into the scratch area, or points at its raw bytes when they are the
 * value (no escapes: read in place, since 16-byte steps may read past it and the input and the
 * arena have slack). Returns false when the result cannot be trusted for a rejection (too
 * long, a guessed XML reference).
 */
function decodeField(field: i32, xml: bool): bool {
  const kind = fieldKind(field);
  const start = fieldStart(field);
  const len = fieldLen(field);
  if (kind == KIND_TEXT) {
    decodedAt = start;
    decodedLen = <isize>len;
    return true;
  }
  if (len > scratchCapacity) return false;
  decodedAt = scratchBase;
  if (xml) {
    resetDecodeUncertain();
    decodedLen = <isize>decodeXmlText(start, len, scratchBase);
    return !decodeUncertain;
  }
  decodedLen = decodeJsonString(start, len, scratchBase);
  if (decodeLoneSurrogate) ruleUndecided = true; // JSON.parse keeps it: leave the strings to it
  return decodedLen >= 0;
}

function isString(kind: u32): bool {
  return kind == KIND_TEXT || kind == KIND_ESCAPED;
}

/** Condition 2: EventID is 11 (number, or text that trims to "11"). */
function eventIdMayBe11(xml: bool): bool {
  const kind = fieldKind(FIELD_EVENT_ID);
  if (kind == KIND_NUMBER) {
    const p = fieldStart(FIELD_EVENT_ID);
    const n = fieldLen(FIELD_EVENT_ID);
    if (n == 2 && load<u8>(p) == 0x31 && load<u8>(p, 1) == 0x31) return true;
    // 11.0, 1.1e1, 110e-1 ...: leave those to the TypeScript side.
    for (let i: usize = 0; i < n; i++) {
      const c = <u32>load<u8>(p + i);
      if (c == 0x2e || (c | 0x20) == 0x65) return undecided();
    }
    return false;
  }
  if (!isString(kind)) return false;
  if (!decodeField(FIELD_EVENT_ID, xml)) return undecided();
  // String.prototype.trim drops Unicode white space too: strip every non-ASCII byte as well.
  let a = decodedAt;
  let b = decodedAt + <usize>decodedLen;
  let nonAscii = false;
  while (a < b && isTrimmable(load<u8>(a))) {
    if (load<u8>(a) >= 0x80) nonAscii = true;
    a++;
  }
  while (b > a && isTrimmable(load<u8>(b - 1))) {
    b--;
    if (load<u8>(b) >= 0x80) nonAscii = true;
  }
  if (b - a != 2 || load<u8>(a) != 0x31 || load<u8>(a, 1) != 0x31) return false;
  return nonAscii ? undecided() : true;
}

function isTrimmable(c: u32): bool {
  return c == 0x20 || c - 0x09 < 5 || c >= 0x80;
}

/** Decoded non-emptiness of a string field; undecidable counts as non-empty. */
function isNonEmpty(field: i32, xml: bool): bool {
  if (!isString(fieldKind(field))) return false;
  if (fieldLen(field) == 0) return false;
  if (!xml || fieldKind(field) == KIND_TEXT) return true;
  if (!decodeField(field, xml)) return undecided();
  return decodedLen > 0;
}

/** Condition 1: provider or channel says Sysmon, or the record has neither. */
function isSysmonSource(xml: bool): bool {
  const hasProvider = isNonEmpty(FIELD_PROVIDER, xml);
  const hasChannel = isNonEmpty(FIELD_CHANNEL, xml);
  if (!hasProvider && !hasChannel) return true;
  if (hasProvider) {
    if (!decodeField(FIELD_PROVIDER, xml)) return undecided();
    if (spanEqualsFolded(decodedAt, <usize>decodedLen, "microsoft-windows-sysmon")) return true;
  }
  if (hasChannel) {
    if (!decodeField(FIELD_CHANNEL, xml)) return undecided();
    if (spanEqualsFolded(decodedAt, <usize>decodedLen, "microsoft-windows-sysmon/operational")) return true;
  }
  return false;
}

/** Condition 3: the part of Image after its last backslash is taskmgr.exe, ignoring case. */
function isTaskmgrImage(xml: bool): bool {
  if (!isString(fieldKind(FIELD_IMAGE))) return false;
  if (!decodeField(FIELD_IMAGE, xml)) return undecided();
  const end = decodedAt + <usize>decodedLen;
  let base = end;
  while (base > decodedAt && load<u8>(base - 1) != 0x5c) base--;
  return end - base == 11 && equalsFolded(base, "taskmgr.exe");
}

/** Condition 4: TargetFilename, lower-cased, ends with `.dmp` and has `lsass` before that. */
function isLsassDumpName(xml: bool): bool {
  if (!isString(fieldKind(FIELD_TARGET))) return false;
  if (!decodeField(FIELD_TARGET, xml)) return undecided();
  const n = <usize>decodedLen;
  if (n < 9) return false;
  const dot = decodedAt + n - 4;
  if (
    load<u8>(dot) != 0x2e ||
    Ascii.lowerAscii(load<u8>(dot, 1)) != 0x64 ||
    Ascii.lowerAscii(load<u8>(dot, 2)) != 0x6d ||
    Ascii.lowerAscii(load<u8>(dot, 3)) != 0x70
  ) {
    return false;
  }
  return indexOfFolded(decodedAt, dot, "lsass") >= 0;
}

/**
 * The end of confirmation for a parsed record [start, end) with resolved fields: decodes them
 * (once, into the arena, where the hit keeps them), tests the rule, and writes the hit of a
 * record that may match, decided when every test was. The caller checked hitsFull.
 */
export function writeHitIfMayMatch(start: usize, end: usize, xml: bool): void {
  const mark = arenaMark();
  const flags = decodeFields(xml);
  if (mayMatch(xml)) writeHit(start, end, flags | (ruleUndecided ? 0 : FLAG_DECIDED));
  else arenaRollback(mark);
}

/**
 * True unless the resolved fields surely fail the rule (rule.ts's matchEvent); then
 * {@link ruleUndecided} says whether the answer is exact. Cheapest tests first: the target
 * name, then the image, the EventID, the computer and the source.
 */
export function mayMatch(xml: bool): bool {
  ruleUndecided = false;
  if (fieldKind(FIELD_TARGET) == KIND_ABSENT || fieldKind(FIELD_IMAGE) == KIND_ABSENT) return false;
  if (!isLsassDumpName(xml)) return false;
  if (!isTaskmgrImage(xml)) return false;
  if (!eventIdMayBe11(xml)) return false;
  if (!isNonEmpty(FIELD_COMPUTER, xml)) return false;
  return isSysmonSource(xml);
}
