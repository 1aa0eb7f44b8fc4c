/**
 * Splits a JSON byte stream into top-level records, for the reference engine.
 *
 * Accepts every layout the formats use: one object a line (JSON lines, LF or CRLF), objects
 * pretty-printed over many lines back to back, and objects inside a top-level array. Strings
 * (with escapes) are respected, so braces inside values do not confuse it. Damage is contained:
 * a raw newline inside a string, or an object opening at column 0 while another is still open
 * (a truncated line followed by the next record), ends the damaged record, which is reported
 * as malformed, and splitting goes on from there. A record longer than MAX_RECORD_BYTES is
 * followed to its end without being kept, and reported as oversized.
 */

import { MAX_RECORD_BYTES } from "./record-limit.js";
import type { RecordSink } from "./record-sink.js";
import { LF, OPEN_BRACE, opensJsonRecordAtLineStart } from "./record-start.js";

const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === LF || c === CR || c === 0x2c /* , between array items */;
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
  /** Input offset of the open record's first byte, and of the current chunk's first byte. */
  #recordStart = 0;
  #chunkStart = 0;
  #depth = 0;
  #inString = false;
  #escape = false;
  /** Inside a record (depth > 0) or inside junk that runs to the end of the line. */
  #inRecord = false;
  #inJunk = false;
  /** Depth of top-level arrays around records. */
  #arrayDepth = 0;
  /** The previous byte (for the column-0 `{` recovery rule); the stream's start counts as a line start. */
  #previous: number = LF;
  /** Skip a UTF-8 byte order mark at the very start. */
  #first = true;

  constructor(sink: RecordSink) {
    this.#sink = sink;
  }

  /** Feeds the next chunk; complete records go to the sink. */
  push(chunk: Uint8Array): void {
    let i = 0;
    if (this.#first) {
      this.#first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let start = this.#inRecord || this.#inJunk ? 0 : -1;
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      const previous = this.#previous;
      this.#previous = c;
      if (this.#inJunk) {
        if (c === LF) {
          this.#inJunk = false;
          this.#pieces = [];
          this.#sink.malformed();
          start = -1;
        }
        continue;
      }
      if (!this.#inRecord) {
        if (isSpace(c)) continue;
        if (c === OPEN_BRACKET) {
          this.#arrayDepth++;
          continue;
        }
        if (c === CLOSE_BRACKET && this.#arrayDepth > 0) {
          this.#arrayDepth--;
          continue;
        }
        start = i;
        if (c === OPEN_BRACE) {
          this.#inRecord = true;
          this.#depth = 1;
          this.#recordStart = this.#chunkStart + i;
        } else {
          this.#inJunk = true;
        }
        continue;
      }
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === BACKSLASH) this.#escape = true;
        else if (c === QUOTE) this.#inString = false;
        else if (c === LF) {
          // A raw newline cannot be inside a JSON string: the record was cut short.
          this.#abort();
          start = -1;
        }
        continue;
      }
      if (c === QUOTE) this.#inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (opensJsonRecordAtLineStart(previous, c)) {
          // A new record at column 0 while one is open: the open one was truncated.
          this.#abort();
          start = i;
          this.#inRecord = true;
          this.#depth = 1;
          this.#recordStart = this.#chunkStart + i;
          continue;
        }
        this.#depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.#depth--;
        if (this.#depth === 0) {
          this.#emit(chunk.subarray(start, i + 1));
          start = -1;
        }
      }
    }
    if (this.#inRecord && start >= 0) this.#hold(chunk.subarray(start));
    this.#chunkStart += chunk.length;
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
    if (this.#inRecord || this.#inJunk) {
      const oversized = this.#inRecord && this.#oversized;
      this.#reset();
      this.#inRecord = false;
      this.#inJunk = false;
      if (oversized) this.#sink.oversized(this.#recordStart);
      else this.#sink.malformed();
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
    this.#sink.record(bytes);
  }

  #abort(): void {
    const oversized = this.#oversized;
    this.#reset();
    this.#inRecord = false;
    this.#inString = false;
    this.#escape = false;
    this.#depth = 0;
    if (oversized) this.#sink.oversized(this.#recordStart);
    else this.#sink.malformed();
  }
}
