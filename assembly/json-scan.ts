/**
 * The JSON searcher's wasm half: record bounds and confirmation for every JSON layout (the
 * layout is decided per record, in the confirm step: json-fields.ts).
 *
 * Record bounds follow the reference splitter (src/formats/json-records.ts) byte for byte: a
 * record is a top-level `{...}` (strings respected). Damage stays local: a raw line feed inside
 * a string ends the record (malformed; JSON strings never hold one, even after a `\`), junk
 * outside a record up to its line's end is malformed (except evtx_dump's `Record N` lines), a
 * NUL byte ends an open record or junk as malformed (NULs between records are skipped), and
 * a `{` at column 0 starts a new record, ending an open one as malformed, unless it *continues*
 * the open record: the record is pretty-printed without indentation (its `{` ended its first
 * line and its second line starts at column 0) and the previous significant byte is `[`, or a
 * `,` right after an array element alone on its line from column 0 (`},` `],` `1,` `"a",`):
 * an object in an array, as `json.dumps(indent=0)` writes it.
 *
 * A *sync point* is a `{` after a line feed whose previous significant byte (skipping white
 * space back to the floor, a known boundary) is neither `[` nor such a `,`: there the splitter
 * starts a record whatever came before, so its state never depends on earlier bytes. The bytes
 * between two sync points (a *segment*) can be split on their own, and a candidate only needs
 * the segment around it. JSON lines and pretty-printed records start every record at a sync
 * point, so a segment is one record. Input without sync points (objects indented inside a
 * top-level array) goes through the same splitter in "walk" mode: every byte, state kept across
 * calls. src/engine/wasm-engine.ts finds shard edges with the same rule.
 *
 * Each record of a segment with a candidate is confirmed: candidate check on its own bytes,
 * cheap precheck, strict parse (json-parse.ts), layout, rule check (rule-check.ts), hit.
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
import { recordLayout } from "./json-fields";
import { PARSE_MALFORMED, PARSE_OK, PARSE_TOO_DEEP, parsedEnd, parseJsonPrefix, parseJsonRecord } from "./json-parse";
import {
  CANDIDATE_DMP,
  candidateKind,
  hasLetterEscape,
  holdsCandidate,
  JSON_ESCAPE_0,
  JSON_ESCAPE_1,
  nextCandidate,
} from "./prefilter";
import { writeHitIfMayMatch } from "./rule-check";
import { recordExamined, recordMalformed } from "./stats";

const COMMA: u32 = 0x2c;

/** Byte tests, inlined (a static class so that `@inline` sits on a class member). */
class JsonBytes {
  /** JSON white space. */
  @inline
  static isBlank(c: u32): bool {
    return c == 0x20 || c == 0x09 || c == LF || c == CR;
  }

  /** A byte of a UTF-8 byte order mark (EF BB BF): skipped between records, see json-records.ts. */
  @inline
  static isByteOrderMarkByte(c: u32): bool {
    return c == 0xef || c == 0xbb || c == 0xbf;
  }

  /** A byte of a JSON number or literal (`-1.5e3`, `true`, `null`). */
  @inline
  static isScalarByte(c: u32): bool {
    return c - 0x30 < 10 || (c | 0x20) - 0x61 < 26 || c == 0x2b || c == 0x2d || c == 0x2e;
  }
}

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

/** The last byte before `x` (and at or after `floor`) that is not white space, or -1. */
function lastSignificant(x: usize, floor: usize): isize {
  let i = x;
  while (i > floor) {
    i--;
    if (!JsonBytes.isBlank(load<u8>(i))) return <isize>i;
  }
  return -1;
}

/**
 * True when [ls, k) is one array element alone at column 0 (a closer `}`/`]`, a string, or a
 * number or literal), as unindented pretty JSON writes an element before its `,`.
 */
function isElementLine(ls: usize, k: usize): bool {
  if (ls >= k) return false;
  const c = <u32>load<u8>(ls);
  if (c == CLOSE_BRACE || c == CLOSE_BRACKET) return ls + 1 == k;
  if (c == QUOTE) {
    let i = ls + 1;
    while (i < k) {
      const b = <u32>load<u8>(i);
      if (b == BACKSLASH) i += 2;
      else if (b == QUOTE) return i + 1 == k;
      else i++;
    }
    return false;
  }
  for (let i = ls; i < k; i++) if (!JsonBytes.isScalarByte(load<u8>(i))) return false;
  return true;
}

/**
 * True when a `{` after the line feed at `lf` may continue an open record instead of starting
 * one (the walker's wMayContinue, see the module comment): the previous significant byte is
 * `[`, or a `,` after an array element alone at column 0. Bytes before `floor` are not read
 * (`floor` is a record boundary or the stream start).
 */
function mayContinue(lf: usize, floor: usize): bool {
  const k = lastSignificant(lf, floor);
  if (k < 0) return false;
  const b = <u32>load<u8>(<usize>k);
  if (b == OPEN_BRACKET) return true;
  if (b != COMMA) return false;
  let ls = <usize>k;
  while (ls > floor && load<u8>(ls - 1) != LF) ls--;
  return isElementLine(ls, <usize>k);
}

/** True when `x` (> floor) is a sync point. */
function isSync(x: usize, floor: usize): bool {
  return load<u8>(x) == OPEN_BRACE && load<u8>(x - 1) == LF && !mayContinue(x - 1, floor);
}

/** The last sync point in (floor, c], or `floor` when there is none. */
export function lastJsonSync(c: usize, floor: usize): usize {
  // Line feeds backwards from c - 1; a sync point is the byte after one.
  let end = c;
  while (end > floor) {
    const lf = lastIndexOfByte(floor, end, LF);
    if (lf < 0) return floor;
    const x = <usize>lf + 1;
    if (x <= c && isSync(x, floor)) return x;
    end = <usize>lf;
  }
  return floor;
}

/** The first sync point in (c, end), or `end` when there is none; `c` is not a line feed; `floor` as for isSync. */
export function nextJsonSync(c: usize, end: usize, floor: usize): usize {
  let from = c;
  while (true) {
    const at = indexOfPair(from, end, LF, OPEN_BRACE);
    if (at < 0) return end;
    if (!mayContinue(<usize>at, floor)) return <usize>at + 1;
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

/** Confirms one record [s, e): writes a hit when it may match. The caller checked hitsFull(e - s). */
function confirmRecord(s: usize, e: usize): void {
  if (!holdsCandidate(s, e, true)) return;
  recordExamined();
  if (!hasCandidate(s, e) || !mayHoldMatch(s, e)) {
    // Cannot match, but a damaged record with a candidate counts as malformed in both engines.
    const parsed = parseJsonRecord(s, e);
    if (parsed == PARSE_MALFORMED) recordMalformed(<isize>s);
    else if (parsed == PARSE_TOO_DEEP) writeHit(s, e, FLAG_COMPLEX);
    return;
  }
  const result = parseJsonRecord(s, e);
  if (result == PARSE_TOO_DEEP) {
    writeHit(s, e, FLAG_COMPLEX);
    return;
  }
  if (result == PARSE_MALFORMED) {
    recordMalformed(<isize>s);
    return;
  }
  resolveFields(recordLayout());
  if (result == PARSE_OK) writeHitIfMayMatch(s, e, false);
}

/**
 * Skips an evtx_dump `Record N` line at `i` (digits, optional CR, then a line feed or `q`).
 * Returns the index after it, or `i` when there is none.
 */
function skipRecordLine(i: usize, q: usize): usize {
  if (i + 8 > q) return i;
  if (
    load<u8>(i) != 0x52 ||
    load<u8>(i, 1) != 0x65 ||
    load<u8>(i, 2) != 0x63 ||
    load<u8>(i, 3) != 0x6f ||
    load<u8>(i, 4) != 0x72 ||
    load<u8>(i, 5) != 0x64 ||
    load<u8>(i, 6) != 0x20
  ) {
    return i;
  }
  let k = i + 7;
  const digits = k;
  while (k < q && <u32>load<u8>(k) - 0x30 < 10) k++;
  if (k == digits) return i;
  if (k < q && load<u8>(k) == CR) k++;
  if (k < q && load<u8>(k) != LF) return i;
  return k;
}

/**
 * The common case, without the splitter's byte-by-byte walk: the segment [p, q) is one object
 * followed only by white space, commas and evtx_dump `Record N` lines (JSON lines,
 * pretty-printed records). A valid object there is exactly the record the splitter would find
 * when no `{` inside it is at column 0: its braces balance the same way, and a JSON string
 * holds no raw line feed. Returns false (nothing done) when the segment is not that case.
 */
function confirmSegmentAsOneRecord(p: usize, q: usize): bool {
  if (load<u8>(p) != OPEN_BRACE) return false;
  if (parseJsonPrefix(p, q) != PARSE_OK) return false;
  const e = parsedEnd;
  if (indexOfPair(p, e, LF, OPEN_BRACE) >= 0) return false;
  let i = e;
  while (i < q) {
    const c = <u32>load<u8>(i);
    if (JsonBytes.isBlank(c) || c == COMMA) {
      i++;
      continue;
    }
    const after = skipRecordLine(i, q);
    if (after == i) return false;
    i = after;
  }
  recordExamined();
  resolveFields(recordLayout());
  writeHitIfMayMatch(p, e, false);
  return true;
}

/**
 * For a live feed's flush: true when [p, q), the bytes after the last sync point, is one
 * complete record holding a candidate, then only white space up to a line feed at q - 1. Such a
 * record is final whatever comes next: it closed at depth 0, so a later `{` cannot continue it,
 * and the splitter's state after it and the line feed is the state at a sync point (outside any
 * record, at a line start; a later `{`'s previous significant byte is its `}` or lies after q).
 * A segment scan of [p, q) then confirms it as the scan up to the next sync point would, and the
 * caller may go on from q. False (nothing done) otherwise: the record waits for more bytes.
 */
export function jsonTailIsCompleteRecord(p: usize, q: usize): bool {
  if (q <= p || load<u8>(p) != OPEN_BRACE || load<u8>(q - 1) != LF) return false;
  // Cheap tests first: a flush after every push must not parse an unfinished record each time.
  const last = lastSignificant(q, p);
  if (last < 0 || load<u8>(<usize>last) != CLOSE_BRACE) return false;
  if (nextCandidate(p, q, JSON_ESCAPE_0, JSON_ESCAPE_1) < 0) return false;
  if (parseJsonPrefix(p, q) != PARSE_OK || parsedEnd != <usize>last + 1) return false;
  return indexOfPair(p, parsedEnd, LF, OPEN_BRACE) < 0;
}

// ---- the splitter (json-records.ts), resumable ----

/** Shape of the open record's first lines, for the continuation rule. */
const SHAPE_OPENED: i32 = 0; // its `{`, then only white space on that line so far
const SHAPE_SECOND_LINE: i32 = 1; // its first line ended right after the `{`
const SHAPE_OTHER: i32 = 2; // anything else: one-line, or indented
const SHAPE_UNINDENTED: i32 = 3; // pretty-printed without indentation

/** `Record N` junk lines: 0-6 = matched that many bytes of "Record ", 7 = expecting a digit, 8 = in digits, 9 = after CR. */
const JUNK_FAIL: i32 = -1;

/** What the current line of the open record holds so far, for "an element alone on its line, then `,`". */
const LINE_START: i32 = 0;
const LINE_SCALAR: i32 = 1;
const LINE_STRING: i32 = 2;
const LINE_TOKEN: i32 = 3;
const LINE_COMMA: i32 = 4;
const LINE_FAIL: i32 = 5;
const JUNK_DIGITS: i32 = 8;
const JUNK_CR: i32 = 9;

let wInRecord = false;
let wInJunk = false;
let wInString = false;
let wEscape = false;
let wDepth: i32 = 0;
let wAtLineStart = true;
let wShape: i32 = SHAPE_OTHER;
let wLine: i32 = LINE_FAIL;
/** Whether a column-0 `{` may continue the open record (its last significant byte allows it). */
let wMayContinue = false;
let wJunkState: i32 = JUNK_FAIL;
/** Start of the open record or junk; -1 when it began before the memory the caller still holds. */
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
  wAtLineStart = true;
  wShape = SHAPE_OTHER;
  wLine = LINE_FAIL;
  wMayContinue = false;
  wJunkState = JUNK_FAIL;
  wRecordStart = -1;
  wEarlierCandidate = false;
}

/** True when the walker is outside any record and junk (it may switch back to segment mode). */
export function jsonWalkerIsClean(): bool {
  return !wInRecord && !wInJunk;
}

/** Start of the record the walker has open, or -1 (none, or it began before the caller's memory). */
export function jsonWalkerOpenRecord(): isize {
  return wInRecord ? wRecordStart : -1;
}

/** Start of the junk the walker is in, or -1 (none, or it began before the caller's memory). */
export function jsonWalkerJunkStart(): isize {
  return wInJunk ? wRecordStart : -1;
}

/** True when the walker is inside a record. */
export function jsonWalkerInRecord(): bool {
  return wInRecord;
}

/** Moves the walker's open-record (or junk) start after the caller moved bytes: `start` is the new address, -1 = gone. */
export function rebaseJsonWalker(start: isize): void {
  wRecordStart = start;
}

/** Set when a walk paused at the end of a record that began before the caller's memory. */
export let jsonOversizeEnd: isize = -1;

function openRecord(at: usize): void {
  wRecordStart = <isize>at;
  wInRecord = true;
  wDepth = 1;
  wShape = SHAPE_OPENED;
  wLine = LINE_FAIL;
  wMayContinue = false;
}

/** The damaged record or junk [wRecordStart, here) counts when it holds a candidate (match-candidate.ts). */
function damaged(here: usize): void {
  if (wRecordStart < 0) {
    // Began before the caller's memory: the caller judges it (text-searcher.ts).
    if (wEarlierCandidate || holdsCandidate(wWalkStart, here, true)) recordMalformed(-1);
  } else if (holdsCandidate(<usize>wRecordStart, here, true)) recordMalformed(wRecordStart);
}

/** Where the caller's walk began: the first byte it still holds of a record that began before (wRecordStart -1). */
let wWalkStart: usize = 0;

/** Set by the caller when the bytes of the open record (or junk) it moved out of memory held a candidate. */
let wEarlierCandidate = false;

/** See wEarlierCandidate. */
export function setJsonEarlierCandidate(held: bool): void {
  wEarlierCandidate = held;
}

function abortRecord(here: usize): void {
  wInRecord = false;
  wInString = false;
  wEscape = false;
  wDepth = 0;
  damaged(here);
}

/** Junk (outside a record) counts as malformed unless it is an evtx_dump `Record N` line. */
function endJunk(here: usize): void {
  wInJunk = false;
  if (wJunkState != JUNK_DIGITS && wJunkState != JUNK_CR) damaged(here);
}

/** The next state of a `Record N` line after byte `c` (not a line feed). */
function nextJunkState(state: i32, c: u32): i32 {
  if (state < 0) return JUNK_FAIL;
  if (state < 7) return c == <u32>load<u8>(RECORD_WORD + <usize>state) ? state + 1 : JUNK_FAIL;
  if (c - 0x30 < 10) return state <= JUNK_DIGITS ? JUNK_DIGITS : JUNK_FAIL;
  return state == JUNK_DIGITS && c == CR ? JUNK_CR : JUNK_FAIL;
}

/** The line state after significant byte `c` (outside strings; a `"` opens one). */
function nextLineState(state: i32, c: u32): i32 {
  if (state == LINE_START) {
    if (c == CLOSE_BRACE || c == CLOSE_BRACKET) return LINE_TOKEN;
    if (c == QUOTE) return LINE_STRING;
    return JsonBytes.isScalarByte(c) ? LINE_SCALAR : LINE_FAIL;
  }
  if (state == LINE_SCALAR) {
    if (c == COMMA) return LINE_COMMA;
    return JsonBytes.isScalarByte(c) ? LINE_SCALAR : LINE_FAIL;
  }
  if (state == LINE_TOKEN) return c == COMMA ? LINE_COMMA : LINE_FAIL;
  return LINE_FAIL;
}

const RECORD_WORD = memory.data<u8>([0x52, 0x65, 0x63, 0x6f, 0x72, 0x64, 0x20]);

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
    if (c == 0) {
      // JSON text never holds a raw NUL: it ends junk, and ends an open record as damaged (with
      // the NUL, as json-records.ts hands it over); between records NULs are skipped.
      wAtLineStart = false;
      if (wInJunk) endJunk(i + 1);
      else if (wInRecord) abortRecord(i + 1);
      i++;
      continue;
    }
    if (wInJunk) {
      wAtLineStart = c == LF;
      // With the line feed, as json-records.ts hands it over.
      if (c == LF) endJunk(i + 1);
      else wJunkState = nextJunkState(wJunkState, c);
      i++;
      continue;
    }
    if (!wInRecord) {
      wAtLineStart = c == LF;
      // Between records: white space, and the commas and brackets of a top-level array (their
      // nesting is not tracked, so that a sync point's state never depends on earlier bytes),
      // and the byte order marks of concatenated files (json-records.ts isByteOrderMarkByte).
      if (
        JsonBytes.isBlank(c) ||
        c == COMMA ||
        c == OPEN_BRACKET ||
        c == CLOSE_BRACKET ||
        JsonBytes.isByteOrderMarkByte(c)
      ) {
        i++;
        continue;
      }
      if (c == OPEN_BRACE) {
        openRecord(i);
      } else {
        wRecordStart = <isize>i;
        wInJunk = true;
        wJunkState = nextJunkState(0, c);
      }
      i++;
      continue;
    }
    if (wInString) {
      wAtLineStart = c == LF;
      // With the line feed, as json-records.ts hands it over.
      if (c == LF) abortRecord(i + 1);
      else if (wEscape) wEscape = false;
      else if (c == BACKSLASH) wEscape = true;
      else if (c == QUOTE) {
        wInString = false;
        wMayContinue = false;
        wLine = wLine == LINE_STRING ? LINE_TOKEN : LINE_FAIL;
      }
      i++;
      continue;
    }
    wAtLineStart = c == LF;
    if (JsonBytes.isBlank(c)) {
      if (c == LF) wLine = LINE_START;
      else if (wLine != LINE_COMMA) wLine = LINE_FAIL;
      if (wShape == SHAPE_OPENED) {
        if (c == LF) wShape = SHAPE_SECOND_LINE;
      } else if (wShape == SHAPE_SECOND_LINE) {
        if (c != LF && c != CR) wShape = SHAPE_OTHER;
      }
      i++;
      continue;
    }
    // A significant byte.
    if (wShape == SHAPE_OPENED) wShape = SHAPE_OTHER;
    else if (wShape == SHAPE_SECOND_LINE) wShape = SHAPE_UNINDENTED;
    if (c == OPEN_BRACE && lineStart && !(wShape == SHAPE_UNINDENTED && wMayContinue)) {
      abortRecord(i);
      openRecord(i);
      i++;
      continue;
    }
    wLine = nextLineState(wLine, c);
    const mayContinueNext = c == OPEN_BRACKET || (c == COMMA && wLine == LINE_COMMA);
    if (c == QUOTE) {
      wInString = true;
    } else if (c == OPEN_BRACE || c == OPEN_BRACKET) {
      wDepth++;
    } else if (c == CLOSE_BRACE || c == CLOSE_BRACKET) {
      if (wDepth == 1) {
        if (wRecordStart < 0) {
          // The record began before the caller's memory: the caller confirms it.
          wDepth = 0;
          wInRecord = false;
          wPos = i + 1;
          jsonOversizeEnd = <isize>(i + 1);
          return false;
        }
        if (hitsFull(i + 1 - <usize>wRecordStart)) {
          wAtLineStart = lineStart;
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
    wMayContinue = mayContinueNext;
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
 * Starts scanning region [start, end) of JSON in segment mode. `start` must be a sync point or
 * the stream's start (after any byte order mark); `end` a sync point, or the stream's end.
 * Call {@link jsonScanResume} until it returns true.
 */
export function jsonScanBegin(start: usize, end: usize): void {
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
    // Every candidate's segment is read: one that cannot match may still be in a damaged
    // record, which counts as malformed (match-candidate.ts); confirmRecord filters the rest.
    const at = <usize>c;
    const p = lastJsonSync(at, sFloor);
    const q = nextJsonSync(at, sEnd, sFloor);
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

/** At a sync point or the stream's end: an open record is malformed (a sync point aborts it), and so is junk. */
function finishWalk(here: usize): void {
  if (wInRecord) damaged(here);
  else if (wInJunk) endJunk(here);
  resetJsonWalker();
}

/** After a segment. */
function finishSegment(): void {
  sInSegment = false;
  finishWalk(sSegmentEnd);
}

/**
 * Walk mode: runs the splitter over [from, end) with the state it had (see resetJsonWalker),
 * confirming every record. False = paused (hits table full, or {@link jsonOversizeEnd} set).
 */
export function jsonWalkBegin(from: usize): void {
  wPos = from;
  wWalkStart = from;
  jsonOversizeEnd = -1;
}

/** Goes on walking to `end`; false = paused. */
export function jsonWalkResume(end: usize): bool {
  jsonOversizeEnd = -1;
  return walk(end);
}

/** At the stream's end in walk mode: an open record or junk is malformed. */
export function jsonWalkFinish(end: usize): void {
  finishWalk(end);
}
