/**
 * The JSON searcher's wasm half: record bounds and confirmation for the three JSON flavours.
 *
 * Record bounds follow the reference splitter (src/formats/json-records.ts) byte for byte: a
 * record is a top-level `{...}` (strings respected); a `{` at column 0 always starts a record,
 * whatever came before (an unclosed one is dropped as malformed); a raw line feed inside a
 * string, or junk outside a record up to its line's end, is malformed. That column-0 rule makes
 * every `\n{` a *sync point* (unless a backslash precedes the line feed, which may then be an
 * escaped character in a string): the splitter's state there never depends on earlier bytes. So the
 * bytes between two sync points (a *segment*) can be split on their own, and a candidate only
 * needs the segment around it: back to the previous sync point, forward to the next one. JSON
 * lines and evtx_dump's pretty-printed records start every record at column 0, so a segment is
 * one record. Input without sync points (objects indented inside a top-level array) goes
 * through the same splitter in "walk" mode: every byte, state kept across calls.
 *
 * Each record of a segment with a candidate is confirmed: candidate check on its own bytes,
 * cheap precheck, strict parse (json-parse.ts), rule check (rule-check.ts), hit.
 */

import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  CR,
  indexOfFolded,
  indexOfPair,
  LF,
  lastIndexOfByte,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./bytes";
import { FLAG_COMPLEX, hitsFull, resolveFields, writeHit } from "./hits";
import { PARSE_MALFORMED, PARSE_OK, PARSE_TOO_DEEP, parsedEnd, parseJsonPrefix, parseJsonRecord } from "./json-parse";
import {
  CANDIDATE_DMP,
  candidateKind,
  hasLetterEscape,
  JSON_ESCAPE_0,
  JSON_ESCAPE_1,
  nextCandidate,
} from "./prefilter";
import { mayMatch } from "./rule-check";
import { recordExamined, recordMalformed } from "./stats";

/**
 * For a `.dmp` at `c`: false when it surely is not the end of a TargetFilename that can match:
 * it is not right before its string's closing quote (JSON escapes never decode to nothing), or
 * the string has neither `lsass` (any case) nor a `\u` escape before it. Undecidable cases (no
 * opening quote after `floor`, a line feed, the end of the region) are true. Candidates are
 * rare (0-19 `.dmp` per MB in ../shared/corpus), so this scalar walk back is cheap.
 */
export function jsonDmpMayMatch(c: usize, floor: usize, end: usize): bool {
  if (c + 4 >= end) return true;
  if (load<u8>(c + 4) != QUOTE) return false;
  let i = c;
  let opened = false;
  while (i > floor) {
    i--;
    const b = <u32>load<u8>(i);
    if (b == LF) return true;
    if (b != QUOTE) continue;
    // A quote after an odd run of backslashes is escaped.
    let k = i;
    while (k > floor && load<u8>(k - 1) == BACKSLASH) k--;
    if (((i - k) & 1) == 0) {
      opened = true;
      break;
    }
  }
  if (!opened) return true;
  return indexOfFolded(i + 1, c, "lsass") >= 0 || indexOfPair(i + 1, c, BACKSLASH, 0x75) >= 0;
}

/** Sync-point tests, inlined (a static class so that `@inline` sits on a class member). */
class JsonSync {
  /**
   * True when `x` is a sync point: `{` right after a line feed that is not right after a
   * backslash. (A line feed right after a backslash may be an escaped character inside a string,
   * where the reference splitter does not stop; such a `{` is left to the walk.) `floor` is the
   * first byte that may be read.
   */
  @inline
  static isSync(x: usize, floor: usize): bool {
    return load<u8>(x) == OPEN_BRACE && load<u8>(x - 1) == LF && (x - 1 <= floor || load<u8>(x - 2) != BACKSLASH);
  }
}

/** The last sync point in (floor, c], or `floor` when there is none. */
export function lastJsonSync(c: usize, floor: usize): usize {
  // Line feeds backwards from c - 1; a sync point is the byte after one.
  let end = c;
  while (end > floor) {
    const lf = lastIndexOfByte(floor, end, LF);
    if (lf < 0) return floor;
    const x = <usize>lf + 1;
    if (x <= c && JsonSync.isSync(x, floor)) return x;
    end = <usize>lf;
  }
  return floor;
}

/** The first sync point in (c, end), or `end` when there is none; `c` is not a line feed. */
export function nextJsonSync(c: usize, end: usize): usize {
  let from = c;
  while (true) {
    const at = indexOfPair(from, end, LF, OPEN_BRACE);
    if (at < 0) return end;
    if (<usize>at <= c || load<u8>(<usize>at - 1) != BACKSLASH) return <usize>at + 1;
    from = <usize>at + 1;
  }
}

/**
 * Cheap necessary condition for a match inside [p, q): `taskmgr` and `.dmp` both appear, any
 * case, unless a `\u` escape that gives a letter or `.` could be hiding them.
 */
function mayHoldMatch(p: usize, q: usize): bool {
  // Both usually stop early in a record that has them; the escape scan reads it all.
  if (indexOfFolded(p, q, "taskmgr") >= 0 && indexOfFolded(p, q, ".dmp") >= 0) return true;
  return hasLetterEscape(p, q, true);
}

/** True when [s, e) holds a candidate that survives the check of the value around it. */
function hasCandidate(s: usize, e: usize): bool {
  let from = s;
  while (true) {
    const c = nextCandidate(from, e, JSON_ESCAPE_0, JSON_ESCAPE_1);
    if (c < 0) return false;
    if (candidateKind != CANDIDATE_DMP || jsonDmpMayMatch(<usize>c, s, e)) return true;
    from = <usize>c + 1;
  }
}

let jsonFormat: i32 = 1;

/** Confirms one record [s, e): writes a hit when it may match. The caller checked hitsFull(e - s). */
function confirmRecord(s: usize, e: usize): void {
  if (!hasCandidate(s, e) || !mayHoldMatch(s, e)) return;
  recordExamined();
  const result = parseJsonRecord(s, e, jsonFormat);
  if (result == PARSE_TOO_DEEP) {
    writeHit(s, e, FLAG_COMPLEX, false);
    return;
  }
  if (result == PARSE_MALFORMED) {
    recordMalformed();
    return;
  }
  resolveFields();
  if (result == PARSE_OK && mayMatch(false)) writeHit(s, e, 0, false);
}

/**
 * The common case, without the splitter's byte-by-byte walk: the segment [p, q) is one object
 * followed only by white space or commas (JSON lines, pretty-printed records). A valid object
 * there is exactly the record the splitter would find: its braces balance the same way, a JSON
 * string holds no raw line feed, and a `{` at column 0 inside it would be a sync point, which
 * a segment has none of. Returns false (nothing done) when the segment is not that case.
 */
function confirmSegmentAsOneRecord(p: usize, q: usize): bool {
  if (load<u8>(p) != OPEN_BRACE) return false;
  if (parseJsonPrefix(p, q, jsonFormat) != PARSE_OK) return false;
  const e = parsedEnd;
  for (let i = e; i < q; i++) {
    const c = <u32>load<u8>(i);
    if (c != 0x20 && c != 0x09 && c != LF && c != CR && c != 0x2c) return false;
  }
  recordExamined();
  resolveFields();
  if (mayMatch(false)) writeHit(p, e, 0, false);
  return true;
}

// ---- the splitter (json-records.ts), resumable ----

let wInRecord = false;
let wInJunk = false;
let wInString = false;
let wEscape = false;
let wDepth: i32 = 0;
let wArrayDepth: i32 = 0;
let wAtLineStart = true;
/** Start of the open record; -1 when it began before the memory the caller still holds. */
let wRecordStart: isize = -1;
/** Where the walk goes on. */
let wPos: usize = 0;

/** Resets the splitter to "outside any record, at a line start" (a sync point or the stream start). */
export function resetJsonWalker(): void {
  wInRecord = false;
  wInJunk = false;
  wInString = false;
  wEscape = false;
  wDepth = 0;
  wArrayDepth = 0;
  wAtLineStart = true;
  wRecordStart = -1;
}

/** True when the walker is outside any record and junk (it may switch back to segment mode). */
export function jsonWalkerIsClean(): bool {
  return !wInRecord && !wInJunk;
}

/** Start of the record the walker has open, or -1 (none, or it began before the caller's memory). */
export function jsonWalkerOpenRecord(): isize {
  return wInRecord ? wRecordStart : -1;
}

/** True when the walker is inside a record. */
export function jsonWalkerInRecord(): bool {
  return wInRecord;
}

/** Moves the walker's open-record start after the caller moved bytes: `start` is the new address, -1 = gone. */
export function rebaseJsonWalker(start: isize): void {
  wRecordStart = start;
}

/** Set when a walk paused at the end of a record that began before the caller's memory. */
export let jsonOversizeEnd: isize = -1;

function abortRecord(): void {
  wInRecord = false;
  wInString = false;
  wEscape = false;
  wDepth = 0;
  recordMalformed();
}

/**
 * Runs the splitter over [wPos, end). Complete records are confirmed. Returns false when it
 * paused (hits table full, or an oversize record ended: {@link jsonOversizeEnd}); call again
 * with the same `end` to go on.
 */
function walk(end: usize): bool {
  let i = wPos;
  while (i < end) {
    const c = <u32>load<u8>(i);
    const lineStart = wAtLineStart;
    if (wInJunk) {
      wAtLineStart = c == LF;
      if (c == LF) {
        wInJunk = false;
        recordMalformed();
      }
      i++;
      continue;
    }
    if (!wInRecord) {
      wAtLineStart = c == LF;
      if (c == 0x20 || c == 0x09 || c == LF || c == CR || c == 0x2c) {
        i++;
        continue;
      }
      if (c == OPEN_BRACKET) {
        wArrayDepth++;
      } else if (c == CLOSE_BRACKET && wArrayDepth > 0) {
        wArrayDepth--;
      } else {
        wRecordStart = <isize>i;
        if (c == OPEN_BRACE) {
          wInRecord = true;
          wDepth = 1;
        } else {
          wInJunk = true;
        }
      }
      i++;
      continue;
    }
    if (wInString) {
      wAtLineStart = c == LF;
      if (wEscape) wEscape = false;
      else if (c == BACKSLASH) wEscape = true;
      else if (c == QUOTE) wInString = false;
      else if (c == LF) abortRecord();
      i++;
      continue;
    }
    if (c == QUOTE) {
      wInString = true;
    } else if (c == OPEN_BRACE || c == OPEN_BRACKET) {
      if (c == OPEN_BRACE && lineStart) {
        abortRecord();
        wRecordStart = <isize>i;
        wInRecord = true;
        wDepth = 1;
      } else {
        wDepth++;
      }
    } else if (c == CLOSE_BRACE || c == CLOSE_BRACKET) {
      if (wDepth == 1) {
        if (wRecordStart < 0) {
          // The record began before the caller's memory: the caller confirms it.
          wAtLineStart = false;
          wDepth = 0;
          wInRecord = false;
          wPos = i + 1;
          jsonOversizeEnd = <isize>(i + 1);
          return false;
        }
        if (hitsFull(i + 1 - <usize>wRecordStart)) {
          wPos = i;
          return false;
        }
        wDepth = 0;
        wInRecord = false;
        confirmRecord(<usize>wRecordStart, i + 1);
      } else {
        wDepth--;
      }
    }
    wAtLineStart = c == LF;
    i++;
  }
  wPos = end;
  return true;
}

// ---- segment mode over a region [R0, R1) ----

let sPos: usize = 0;
let sFloor: usize = 0;
let sEnd: usize = 0;
let sInSegment = false;
let sSegmentEnd: usize = 0;

/**
 * Starts scanning region [start, end) of a JSON flavour in segment mode. `start` must be a sync
 * point or the stream's start (after any byte order mark); `end` a sync point, or the stream's
 * end when `final` (the caller's flag; the scan itself does not need it). Call
 * {@link jsonScanResume} until it returns true.
 */
export function jsonScanBegin(start: usize, end: usize, format: i32, _final: bool): void {
  jsonFormat = format;
  sPos = start;
  sFloor = start;
  sEnd = end;
  sInSegment = false;
}

/** Goes on with the region; false = paused (hits table full). */
export function jsonScanResume(): bool {
  if (sInSegment) {
    if (!walk(sSegmentEnd)) return false;
    finishSegment();
  }
  while (true) {
    const c = nextCandidate(sPos, sEnd, JSON_ESCAPE_0, JSON_ESCAPE_1);
    if (c < 0) {
      sPos = sEnd;
      return true;
    }
    const at = <usize>c;
    if (candidateKind == CANDIDATE_DMP && !jsonDmpMayMatch(at, sFloor, sEnd)) {
      sPos = at + 1;
      continue;
    }
    const p = lastJsonSync(at, sFloor);
    const q = nextJsonSync(at, sEnd);
    if (!mayHoldMatch(p, q)) {
      sPos = q;
      sFloor = q;
      continue;
    }
    if (hitsFull(q - p)) return false; // the same candidate is found again on resume
    sPos = q;
    sFloor = q;
    if (confirmSegmentAsOneRecord(p, q)) continue;
    resetJsonWalker();
    wPos = p;
    sSegmentEnd = q;
    sInSegment = true;
    if (!walk(q)) return false;
    finishSegment();
  }
}

/**
 * After a segment: a record still open at its end is malformed (a sync point aborts it, and so
 * does the stream's end), as is junk at the stream's end.
 */
function finishSegment(): void {
  sInSegment = false;
  if (wInRecord || wInJunk) recordMalformed();
  resetJsonWalker();
}

/**
 * Walk mode: runs the splitter over [from, end) with the state it had (see resetJsonWalker),
 * confirming every record. False = paused (hits table full, or {@link jsonOversizeEnd} set).
 */
export function jsonWalkBegin(from: usize, format: i32): void {
  jsonFormat = format;
  wPos = from;
  jsonOversizeEnd = -1;
}

/** Goes on walking to `end`; false = paused. */
export function jsonWalkResume(end: usize): bool {
  jsonOversizeEnd = -1;
  return walk(end);
}

/** At the stream's end in walk mode: an open record or junk is malformed. */
export function jsonWalkFinish(): void {
  if (wInRecord || wInJunk) recordMalformed();
  resetJsonWalker();
}
