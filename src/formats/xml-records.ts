/**
 * Splits Windows event XML into `<Event ...>...</Event>` elements, for the reference engine.
 *
 * Works for every layout: one event a line (Splunk XmlWinEventLog), many back to back on one
 * line, pretty-printed over many lines, inside an `<Events>` wrapper, after an XML declaration.
 * It only finds element boundaries; the element itself is parsed by a real XML parser
 * (xml-fields.ts). Text between events is ignored. An `<Event` that opens before the open one
 * is closed means the open one was cut short: it is reported as malformed and dropped. An
 * event longer than MAX_RECORD_BYTES is followed to its end without being kept, and reported
 * as oversized.
 */

import { MAX_RECORD_BYTES } from "./record-limit.js";
import type { RecordSink } from "./record-sink.js";
import { isOpenTagEnd, XML_RECORD_OPEN as OPEN } from "./record-start.js";

const CLOSE = Buffer.from("</Event>", "latin1");
/** Bytes kept from one chunk to the next so a tag cut by the boundary is still found. */
const OVERLAP = CLOSE.length;

function findOpen(buf: Buffer, from: number): number {
  let at = buf.indexOf(OPEN, from);
  while (at >= 0) {
    const next = at + OPEN.length;
    if (next >= buf.length || isOpenTagEnd(buf[next])) return at;
    at = buf.indexOf(OPEN, next);
  }
  return -1;
}

/** Streaming splitter: feed chunks with {@link push}, then call {@link end}. */
export class XmlEventSplitter {
  readonly #sink: RecordSink;
  #inEvent = false;
  /** Outside an event: the last bytes of the input, where an `<Event` may have begun. */
  #tail: Buffer = Buffer.alloc(0);
  /** Inside an event: its older bytes, already searched. */
  #pieces: Buffer[] = [];
  /** Bytes held in #pieces. */
  #held = 0;
  /** Inside an event: its newest bytes (at most OVERLAP, unless the whole event is shorter), searched again. */
  #lookback: Buffer = Buffer.alloc(0);
  /** #lookback starts with the event's own `<Event` (nothing moved to #pieces or dropped yet). */
  #lookbackAtStart = false;
  /** The open event grew past MAX_RECORD_BYTES: its bytes are no longer kept. */
  #oversized = false;
  /** Input offset of the open event's `<`. */
  #eventStart = 0;
  /** Input bytes pushed before the current chunk. */
  #consumed = 0;

  constructor(sink: RecordSink) {
    this.#sink = sink;
  }

  /** Feeds the next chunk; complete events go to the sink. */
  push(chunk: Uint8Array): void {
    const prefix = this.#inEvent ? this.#lookback : this.#tail;
    const buf = Buffer.concat([prefix, chunk]);
    const bufStart = this.#consumed - prefix.length;
    this.#consumed += chunk.length;
    let pos = 0;
    // Inside an event, where its end or a new `<Event` may be: past its own `<Event` when buf holds it.
    let searchFrom = this.#inEvent && this.#lookbackAtStart ? OPEN.length : 0;
    for (;;) {
      if (!this.#inEvent) {
        const open = findOpen(buf, pos);
        if (open < 0 || open + OPEN.length >= buf.length) {
          this.#tail = Buffer.from(buf.subarray(open >= 0 ? open : Math.max(pos, buf.length - OPEN.length)));
          return;
        }
        this.#begin(bufStart + open);
        pos = open;
        searchFrom = open + OPEN.length;
      }
      const close = buf.indexOf(CLOSE, searchFrom);
      const reopen = findOpen(buf, searchFrom);
      if (reopen >= 0 && (close < 0 || reopen < close) && reopen + OPEN.length < buf.length) {
        this.#finish("malformed", buf.subarray(pos, reopen));
        this.#begin(bufStart + reopen);
        pos = reopen;
        searchFrom = reopen + OPEN.length;
        continue;
      }
      if (close < 0) {
        this.#keep(buf.subarray(pos), pos === searchFrom - OPEN.length);
        return;
      }
      const end = close + CLOSE.length;
      this.#finish("record", buf.subarray(pos, end));
      pos = end;
    }
  }

  /** Ends the stream: an `<Event` without its `</Event>` is reported as malformed (or oversized). */
  end(): void {
    if (this.#inEvent) this.#finish("malformed", this.#lookback);
    this.#tail = Buffer.alloc(0);
  }

  #begin(offset: number): void {
    this.#inEvent = true;
    this.#eventStart = offset;
    this.#pieces = [];
    this.#held = 0;
    this.#oversized = false;
  }

  /** Closes the open event: delivers it (with `tail`, its last bytes), or reports it. */
  #finish(how: "record" | "malformed", tail: Buffer): void {
    const oversized = this.#oversized || this.#held + tail.length > MAX_RECORD_BYTES;
    const pieces = this.#pieces;
    this.#inEvent = false;
    this.#pieces = [];
    this.#held = 0;
    this.#oversized = false;
    this.#lookback = Buffer.alloc(0);
    if (oversized) this.#sink.oversized(this.#eventStart);
    else {
      const bytes = pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]);
      if (how === "malformed") this.#sink.malformed(this.#eventStart, bytes);
      else this.#sink.record(bytes, this.#eventStart);
    }
  }

  /** Stores the rest of the open event; `atStart` says `rest` begins with its `<Event`. */
  #keep(rest: Buffer, atStart: boolean): void {
    const split = Math.max(0, rest.length - OVERLAP);
    if (split > 0 && !this.#oversized) {
      this.#held += split;
      if (this.#held > MAX_RECORD_BYTES) {
        this.#oversized = true;
        this.#pieces = [];
        this.#held = 0;
      } else {
        this.#pieces.push(Buffer.from(rest.subarray(0, split)));
      }
    }
    this.#lookback = Buffer.from(rest.subarray(split));
    this.#lookbackAtStart = atStart && split === 0;
  }
}
