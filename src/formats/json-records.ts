/**
 * Splits a JSON byte stream into top-level records, for the reference engine.
 *
 * Accepts every layout the formats use: one object a line (JSON lines, LF or CRLF), objects
 * pretty-printed over many lines back to back (indented or not), objects inside a top-level
 * array, and evtx_dump's default output with a `Record N` line before each record (those lines
 * are neither records nor damage). Strings (with escapes) are respected, so braces inside
 * values do not confuse it. Damage stays local:
 * - a raw line feed inside a string (JSON strings never hold one, even after a `\\`) ends the
 *   record as malformed, and the next line is read afresh;
 * - junk outside a record runs to its line's end and is malformed (a UTF-8 byte order mark
 *   between records, left by concatenating files, is no junk);
 * - a NUL byte (JSON never holds one) ends an open record or junk as malformed, and NULs between
 *   records are skipped: a crash leaves a file's unwritten tail as NULs, and the restarted writer
 *   appends its next record right after them, with no line break;
 * - a `{` at column 0 while a record is open starts a new record (the open one was cut short),
 *   unless it continues the open one: the record is pretty-printed without indentation (its
 *   `{` ended its first line, and its second line starts at column 0) and the previous
 *   significant byte is `[`, or a `,` right after an array element alone on its line from
 *   column 0 (`},` `],` `1,` `"a",`): objects in an array, as `json.dumps(indent=0)` writes them.
 * src/formats/record-start.ts names the rule for the shard edges; assembly/json-scan.ts mirrors
 * this byte for byte. A record longer than MAX_RECORD_BYTES is
 * followed to its end without being kept, and reported as oversized.
 */

import { MAX_RECORD_BYTES } from "./record-limit.js";
import type { RecordSink } from "./record-sink.js";
import { isJsonScalarByte as isScalarByte, LF, OPEN_BRACE } from "./record-start.js";

const CR = 0x0d;
const NUL = 0x00;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Shape of the open record's first lines, for the continuation rule. */
enum Shape {
  /** Its `{`, then only white space on that line so far. */
  Opened,
  /** Its first line ended right after the `{`. */
  SecondLine,
  /** One-line, or indented. */
  Other,
  /** Pretty-printed without indentation. */
  Unindented,
}

/** `Record N` junk lines: 0-6 = matched that many bytes of "Record ", 7 = expecting a digit. */
const JUNK_FAIL = -1;
const JUNK_DIGITS = 8;
const JUNK_CR = 9;
const RECORD_WORD = Buffer.from("Record ", "latin1");

function nextJunkState(state: number, c: number): number {
  if (state < 0) return JUNK_FAIL;
  if (state < 7) return c === RECORD_WORD[state] ? state + 1 : JUNK_FAIL;
  if (c >= 0x30 && c <= 0x39) return state <= JUNK_DIGITS ? JUNK_DIGITS : JUNK_FAIL;
  return state === JUNK_DIGITS && c === CR ? JUNK_CR : JUNK_FAIL;
}

/** What the current line of the open record holds so far, for "an element alone on its line, then `,`". */
enum Line {
  Start,
  Scalar,
  String,
  Token,
  Comma,
  Fail,
}

/** The line state after significant byte `c` (outside strings; a `"` opens one). */
function nextLineState(state: Line, c: number): Line {
  if (state === Line.Start) {
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) return Line.Token;
    if (c === QUOTE) return Line.String;
    return isScalarByte(c) ? Line.Scalar : Line.Fail;
  }
  if (state === Line.Scalar) {
    if (c === COMMA) return Line.Comma;
    return isScalarByte(c) ? Line.Scalar : Line.Fail;
  }
  if (state === Line.Token) return c === COMMA ? Line.Comma : Line.Fail;
  return Line.Fail;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === LF || c === CR;
}

/**
 * A byte of a UTF-8 byte order mark (EF BB BF). Between records these are skipped like white
 * space: `cat a.json b.json` of exports that each begin with one (Windows PowerShell 5.1
 * `Out-File -Encoding utf8`; or UTF-16 ones, whose second FF FE decodes to U+FEFF) leaves one
 * in front of every file's first record, which is no damage. Byte by byte, so no state crosses
 * a chunk; a line of only these bytes could never hold a match, and 0xBB/0xBF never begin a
 * UTF-8 character. assembly/json-scan.ts does the same.
 */
function isByteOrderMarkByte(c: number): boolean {
  return c === 0xef || c === 0xbb || c === 0xbf;
}

/** Streaming splitter: feed chunks with {@link push}, then call {@link end}. */
export class JsonRecordSplitter {
  readonly #sink: RecordSink;
  /** Pieces of the record in progress (from earlier chunks). */
  #pieces: Uint8Array[] = [];
  /** Bytes held in #pieces. */
  #held = 0;
  /** The open record grew past MAX_RECORD_BYTES: its bytes are no longer kept. */
  #oversized = false;
  /** Input offset of the open record's (or junk's) first byte, and of the current chunk's first byte. */
  #recordStart = 0;
  #chunkStart = 0;
  #depth = 0;
  #inString = false;
  #escape = false;
  /** Inside a record (depth > 0) or inside junk that runs to the end of the line. */
  #inRecord = false;
  #inJunk = false;
  #junkState = JUNK_FAIL;
  /** The previous byte was a line feed (for the column-0 `{` rule). */
  #atLineStart = true;
  #shape = Shape.Other;
  #line = Line.Fail;
  /** Whether a column-0 `{` may continue the open record (its last significant byte allows it). */
  #mayContinue = false;
  /** Junk bytes from earlier chunks (undefined once longer than MAX_RECORD_BYTES), and where it began in this chunk. */
  #junkPieces: Uint8Array[] | undefined = [];
  #junkHeld = 0;
  #junkFrom = -1;
  /** Skip a UTF-8 byte order mark at the very start. */
  #first = true;

  constructor(sink: RecordSink) {
    this.#sink = sink;
  }

  #open(chunkIndex: number): void {
    this.#inRecord = true;
    this.#depth = 1;
    this.#recordStart = this.#chunkStart + chunkIndex;
    this.#shape = Shape.Opened;
    this.#line = Line.Fail;
    this.#mayContinue = false;
  }

  /** Feeds the next chunk; complete records go to the sink. */
  push(chunk: Uint8Array): void {
    let i = 0;
    if (this.#first) {
      this.#first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let start = this.#inRecord ? 0 : -1;
    this.#junkFrom = this.#inJunk ? 0 : -1;
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      const lineStart = this.#atLineStart;
      this.#atLineStart = c === LF;
      if (c === NUL) {
        // JSON text never holds a raw NUL: it ends junk, and ends an open record as damaged
        // (with the NUL, as a line feed in a string); between records NULs are skipped.
        if (this.#inJunk) this.#endJunk(chunk.subarray(this.#junkFrom, i + 1));
        else if (this.#inRecord) {
          this.#abort(chunk.subarray(start, i + 1));
          start = -1;
        }
        continue;
      }
      if (this.#inJunk) {
        if (c === LF) this.#endJunk(chunk.subarray(this.#junkFrom, i + 1));
        else this.#junkState = nextJunkState(this.#junkState, c);
        continue;
      }
      if (!this.#inRecord) {
        // Between records: white space, and the commas and brackets of a top-level array (their
        // nesting is not tracked, so that a sync point's state never depends on earlier bytes),
        // and the byte order marks of concatenated files.
        if (isBlank(c) || c === COMMA || c === OPEN_BRACKET || c === CLOSE_BRACKET || isByteOrderMarkByte(c)) continue;
        if (c === OPEN_BRACE) {
          start = i;
          this.#open(i);
        } else {
          this.#inJunk = true;
          this.#junkFrom = i;
          this.#junkPieces = [];
          this.#junkHeld = 0;
          this.#junkState = nextJunkState(0, c);
          this.#recordStart = this.#chunkStart + i;
        }
        continue;
      }
      if (this.#inString) {
        if (c === LF) {
          // A raw line feed cannot be inside a JSON string: the record was cut short. Its bytes
          // go with the line feed, which settles an escape cut by it (match-candidate.ts).
          this.#abort(chunk.subarray(start, i + 1));
          start = -1;
        } else if (this.#escape) this.#escape = false;
        else if (c === BACKSLASH) this.#escape = true;
        else if (c === QUOTE) {
          this.#inString = false;
          this.#mayContinue = false;
          this.#line = this.#line === Line.String ? Line.Token : Line.Fail;
        }
        continue;
      }
      if (isBlank(c)) {
        if (c === LF) this.#line = Line.Start;
        else if (this.#line !== Line.Comma) this.#line = Line.Fail;
        if (this.#shape === Shape.Opened) {
          if (c === LF) this.#shape = Shape.SecondLine;
        } else if (this.#shape === Shape.SecondLine && c !== LF && c !== CR) {
          this.#shape = Shape.Other;
        }
        continue;
      }
      // A significant byte.
      if (this.#shape === Shape.Opened) this.#shape = Shape.Other;
      else if (this.#shape === Shape.SecondLine) this.#shape = Shape.Unindented;
      if (c === OPEN_BRACE && lineStart && !(this.#shape === Shape.Unindented && this.#mayContinue)) {
        // A new record at column 0 while one is open: the open one was cut short.
        this.#abort(chunk.subarray(start, i));
        start = i;
        this.#open(i);
        continue;
      }
      this.#line = nextLineState(this.#line, c);
      const mayContinueNext = c === OPEN_BRACKET || (c === COMMA && this.#line === Line.Comma);
      if (c === QUOTE) this.#inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.#depth--;
        if (this.#depth === 0) {
          this.#emit(chunk.subarray(start, i + 1));
          start = -1;
          continue;
        }
      }
      this.#mayContinue = mayContinueNext;
    }
    if (this.#inRecord && start >= 0) this.#hold(chunk.subarray(start));
    if (this.#inJunk) this.#holdJunk(chunk.subarray(this.#junkFrom));
    this.#chunkStart += chunk.length;
  }

  /** Junk counts as malformed unless it was an evtx_dump `Record N` line; `tail` is its last bytes. */
  #endJunk(tail: Uint8Array): void {
    this.#inJunk = false;
    const pieces = this.#junkPieces;
    this.#junkPieces = [];
    this.#junkHeld = 0;
    if (this.#junkState === JUNK_DIGITS || this.#junkState === JUNK_CR) return;
    const bytes = pieces === undefined ? undefined : pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]);
    this.#sink.malformed(this.#recordStart, bytes);
  }

  /** Keeps part of the junk being read, until it is longer than MAX_RECORD_BYTES. */
  #holdJunk(part: Uint8Array): void {
    if (this.#junkPieces === undefined) return;
    this.#junkHeld += part.length;
    if (this.#junkHeld > MAX_RECORD_BYTES) this.#junkPieces = undefined;
    else this.#junkPieces.push(part.slice());
  }

  /** Keeps part of the open record, or stops keeping it once it is too long. */
  #hold(part: Uint8Array): void {
    if (this.#oversized) return;
    this.#held += part.length;
    if (this.#held > MAX_RECORD_BYTES) {
      this.#oversized = true;
      this.#pieces = [];
      this.#held = 0;
      return;
    }
    this.#pieces.push(part.slice());
  }

  /** Ends the stream: an unfinished record is reported as malformed (or oversized). */
  end(): void {
    if (this.#inJunk) this.#endJunk(new Uint8Array(0));
    if (this.#inRecord) {
      const oversized = this.#oversized;
      const bytes = Buffer.concat(this.#pieces);
      this.#reset();
      this.#inRecord = false;
      if (oversized) this.#sink.oversized(this.#recordStart);
      else this.#sink.malformed(this.#recordStart, bytes);
    }
  }

  #reset(): void {
    this.#pieces = [];
    this.#held = 0;
    this.#oversized = false;
  }

  #emit(tail: Uint8Array): void {
    this.#inRecord = false;
    if (this.#oversized || this.#held + tail.length > MAX_RECORD_BYTES) {
      this.#reset();
      this.#sink.oversized(this.#recordStart);
      return;
    }
    const bytes = this.#pieces.length === 0 ? tail : Buffer.concat([...this.#pieces, tail]);
    this.#reset();
    this.#sink.record(bytes, this.#recordStart);
  }

  /** The open record was cut short; `tail` is its bytes in the current chunk. */
  #abort(tail: Uint8Array): void {
    const oversized = this.#oversized;
    const bytes = this.#pieces.length === 0 ? tail : Buffer.concat([...this.#pieces, tail]);
    this.#reset();
    this.#inRecord = false;
    this.#inString = false;
    this.#escape = false;
    this.#depth = 0;
    if (oversized) this.#sink.oversized(this.#recordStart);
    else this.#sink.malformed(this.#recordStart, bytes);
  }
}
