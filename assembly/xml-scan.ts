/**
 * The XML searcher's wasm half: record bounds and confirmation for Windows event XML.
 *
 * Record bounds follow the reference splitter (src/formats/xml-records.ts): a record opens at
 * `<Event` followed by `>`, `/` or white space (not `<EventData`, `<Events`), and ends at the
 * first `</Event>` after it, unless another such open comes first (then it was cut short and is
 * malformed). Every open is a sync point, so the record around a candidate is found by looking
 * back to the last open and forward to the first close, in any layout (one a line, many on a
 * line, pretty-printed, inside `<Events>`).
 */

import { AMP, indexOfByte, indexOfFolded, indexOfPair, LT, lastIndexOfPair } from "./bytes";
import { FLAG_COMPLEX, hitsFull, resolveFields, writeHit } from "./hits";
import { LAYOUT_EVTXDUMP } from "./json-fields";
import {
  CANDIDATE_DMP,
  candidateKind,
  hasLetterEscape,
  holdsCandidate,
  nextCandidate,
  XML_ESCAPE_0,
  XML_ESCAPE_1,
} from "./prefilter";
import { writeHitIfMayMatch } from "./rule-check";
import { recordExamined, recordMalformed } from "./stats";
import { parseXmlRecord } from "./xml-parse";

/** Length of `<Event`. */
const OPEN_LEN: usize = 6;
/** Length of `</Event>`. */
const CLOSE_LEN: usize = 8;

function isOpenTagEnd(c: u32): bool {
  return c == 0x3e || c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x2f;
}

/** True when a record opens at `x`: `<Event` and one more byte (`>`, `/`, white space) before `end`. */
export function isXmlOpenAt(x: usize, end: usize): bool {
  return (
    x + OPEN_LEN < end &&
    load<u8>(x) == 0x3c &&
    load<u8>(x, 1) == 0x45 &&
    load<u8>(x, 2) == 0x76 &&
    load<u8>(x, 3) == 0x65 &&
    load<u8>(x, 4) == 0x6e &&
    load<u8>(x, 5) == 0x74 &&
    isOpenTagEnd(load<u8>(x, 6))
  );
}

/** First record open at or after `from` (and wholly before `end`), or -1. */
export function nextXmlOpen(from: usize, end: usize): isize {
  let p = from;
  while (true) {
    const at = indexOfPair(p, end, 0x3c, 0x45); // `<E`
    if (at < 0) return -1;
    if (isXmlOpenAt(<usize>at, end)) return at;
    p = <usize>at + 1;
  }
}

/** Last record open at a position in [floor, c], or -1. */
function lastXmlOpen(c: usize, floor: usize, end: usize): isize {
  // `<E` pairs backwards from c (an open at c itself counts).
  let limit = c + 2 < end ? c + 2 : end;
  while (limit > floor) {
    const at = lastIndexOfPair(floor, limit, 0x3c, 0x45);
    if (at < 0) return -1;
    if (isXmlOpenAt(<usize>at, end)) return at;
    limit = <usize>at + 1;
  }
  return -1;
}

/** First `</Event>` starting at or after `from` and ending by `end`, or -1. */
export function nextXmlClose(from: usize, end: usize): isize {
  let p = from;
  while (true) {
    const at = indexOfPair(p, end, 0x2f, 0x45); // `/E`
    if (at < 0) return -1;
    const x = <usize>at - 1;
    if (
      x >= from &&
      x + CLOSE_LEN <= end &&
      load<u8>(x) == 0x3c &&
      load<u8>(x, 3) == 0x76 &&
      load<u8>(x, 4) == 0x65 &&
      load<u8>(x, 5) == 0x6e &&
      load<u8>(x, 6) == 0x74 &&
      load<u8>(x, 7) == 0x3e
    ) {
      return <isize>x;
    }
    p = <usize>at + 1;
  }
}

/**
 * Where a buffer [start, end) may be cut so that every record opening before the cut is whole
 * before it and no open straddles it: after the last complete record (keeping the last 7 bytes,
 * which may hold the start of an open), or at the last open when that record is unfinished.
 * Returns `start` when no cut is possible (a record longer than the buffer).
 */
export function xmlSafeEnd(start: usize, end: usize): usize {
  const keep: usize = end - start > OPEN_LEN + 1 ? end - (OPEN_LEN + 1) : start;
  const last = lastXmlOpen(end - 1, start, end);
  if (last < 0) return keep;
  const close = nextXmlClose(<usize>last + OPEN_LEN, end);
  if (close < 0) return <usize>last;
  const after = <usize>close + CLOSE_LEN;
  return after > keep ? after : keep;
}

/**
 * For a `.dmp` at `c`: false when it surely is not the end of a TargetFilename that can match:
 * what follows it is not `<` (end tag, or markup), `&` (a reference, which may be removed) or
 * `]` (a CDATA section's end), or the character data it is in has neither `lsass` (any case)
 * nor `&` before it. Undecidable cases (markup inside the data, a comment or CDATA ending right
 * before it, no `>` after `floor`, the end of the region) are true.
 */
export function xmlDmpMayMatch(c: usize, floor: usize, end: usize): bool {
  if (c + 4 >= end) return true;
  const next = <u32>load<u8>(c + 4);
  if (next != LT && next != AMP && next != 0x5d) return false;
  let i = c;
  let opened = false;
  while (i > floor) {
    i--;
    const b = <u32>load<u8>(i);
    if (b == LT) return true;
    if (b == 0x3e) {
      if (i > floor && (load<u8>(i - 1) == 0x5d || load<u8>(i - 1) == 0x2d)) return true;
      opened = true;
      break;
    }
  }
  if (!opened) return true;
  return indexOfFolded(i + 1, c, "lsass") >= 0 || indexOfByte(i + 1, c, AMP) >= 0;
}

/**
 * `taskmgr` and `.dmp` both appear (any case), unless a character reference could hide letters
 * or `.`. `hasDmp`: the candidate that led here is a `.dmp` in the record, no need to look again.
 */
function mayHoldMatch(p: usize, q: usize, hasDmp: bool): bool {
  // Both usually stop early in a record that has them; the escape scan reads it all.
  if (indexOfFolded(p, q, "taskmgr") >= 0 && (hasDmp || indexOfFolded(p, q, ".dmp") >= 0)) return true;
  return hasLetterEscape(p, q, false);
}

function confirmRecord(s: usize, e: usize, hasDmp: bool): void {
  if (!mayHoldMatch(s, e, hasDmp)) {
    // Cannot match, but if it does not parse it is a damaged record with a candidate, which
    // counts as malformed: the reference parser has the last word (match-candidate.ts).
    if (!parseXmlRecord(s, e)) {
      recordExamined();
      writeHit(s, e, FLAG_COMPLEX);
    }
    return;
  }
  recordExamined();
  // Records larger than the reference parser's entity expansion budget (100000) are its call.
  if (!parseXmlRecord(s, e) || e - s > 65536) {
    writeHit(s, e, FLAG_COMPLEX);
    return;
  }
  resolveFields(LAYOUT_EVTXDUMP);
  writeHitIfMayMatch(s, e, true);
}

let sPos: usize = 0;
let sFloor: usize = 0;
let sEnd: usize = 0;

/**
 * Starts scanning region [start, end) of XML: `start` is a cut from {@link xmlSafeEnd} (or the
 * stream's start), `end` one too (or the stream's end). Call {@link xmlScanResume} until true.
 */
export function xmlScanBegin(start: usize, end: usize): void {
  sPos = start;
  sFloor = start;
  sEnd = end;
}

/** Goes on with the region; false = paused (hits table full). */
export function xmlScanResume(): bool {
  while (true) {
    const found = nextCandidate(sPos, sEnd, XML_ESCAPE_0, XML_ESCAPE_1);
    if (found < 0) {
      sPos = sEnd;
      return true;
    }
    // Every candidate's record is found: one that cannot match may still be damaged, which
    // counts as malformed (match-candidate.ts); confirmRecord filters the rest.
    const c = <usize>found;
    const open = lastXmlOpen(c, sFloor, sEnd);
    if (open < 0) {
      sPos = c + 1; // text before any record
      continue;
    }
    const p = <usize>open;
    const close = nextXmlClose(p + OPEN_LEN, sEnd);
    const reopen = nextXmlOpen(p + OPEN_LEN, sEnd);
    if (reopen >= 0 && (close < 0 || reopen < close)) {
      // Cut short by the next open; the candidate is in it.
      if (holdsCandidate(p, <usize>reopen, false)) recordMalformed(<isize>p);
      sPos = <usize>reopen;
      sFloor = <usize>reopen;
      continue;
    }
    if (close < 0) {
      if (holdsCandidate(p, sEnd, false)) recordMalformed(<isize>p); // unfinished at the stream's end
      sPos = sEnd;
      return true;
    }
    const recordEnd = <usize>close + CLOSE_LEN;
    if (c >= recordEnd) {
      sPos = c + 1; // text between records
      sFloor = recordEnd;
      continue;
    }
    if (hitsFull(recordEnd - p)) return false;
    confirmRecord(p, recordEnd, candidateKind == CANDIDATE_DMP);
    sPos = recordEnd;
    sFloor = recordEnd;
  }
}
