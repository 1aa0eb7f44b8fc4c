/**
 * Splits Windows event XML into `<Event ...>...</Event>` elements, for the reference engine.
 *
 * Works for every layout: one event a line (Splunk XmlWinEventLog), many back to back on one
 * line, pretty-printed over many lines, inside an `<Events>` wrapper, after an XML declaration.
 * It only finds element boundaries; the element itself is parsed by a real XML parser
 * (xml-fields.ts). Text between events is ignored. An `<Event` that opens before the open one
 * is closed means the open one was cut short: it is reported as malformed and dropped.
 */

import type { RecordSink } from "./record-sink.js";

const OPEN = Buffer.from("<Event", "latin1");
const CLOSE = Buffer.from("</Event>", "latin1");
/** Bytes kept from one chunk to the next so a tag cut by the boundary is still found. */
const OVERLAP = CLOSE.length;

function isOpenTagEnd(c: number | undefined): boolean {
  // `<Event>`, `<Event xmlns=...>`, `<Event\n ...>`; not `<EventData>`, `<EventID>`, `<Events>`.
  return c === 0x3e || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f;
}

/** Streaming splitter: feed chunks with {@link push}, then call {@link end}. */
export class XmlEventSplitter {
  readonly #sink: RecordSink;
  /** The open event's bytes so far (empty when outside an event). */
  #pieces: Buffer[] = [];
  #inEvent = false;
  /** Bytes before the current chunk that a tag may have started in (outside an event). */
  #tail: Buffer = Buffer.alloc(0);

  constructor(sink: RecordSink) {
    this.#sink = sink;
  }

  /** Feeds the next chunk; complete events go to the sink. */
  push(chunk: Uint8Array): void {
    // Join the small tail of the previous chunk (or of the open event) so tags cut by the
    // boundary are found; the open event's older pieces stay where they are.
    let buf: Buffer;
    // Where to look for the open event's end: past its own `<Event` when buf holds it.
    let searchFrom = -1;
    if (this.#inEvent) {
      const last = this.#pieces.pop() ?? Buffer.alloc(0);
      buf = Buffer.concat([last, chunk]);
      searchFrom = this.#pieces.length === 0 ? OPEN.length : 0;
    } else {
      buf = Buffer.concat([this.#tail, chunk]);
    }
    let pos = 0;
    for (;;) {
      if (!this.#inEvent) {
        const open = findOpen(buf, pos);
        if (open < 0 || open + OPEN.length >= buf.length) {
          const keep = open >= 0 ? open : Math.max(pos, buf.length - OPEN.length);
          this.#tail = Buffer.from(buf.subarray(keep));
          return;
        }
        this.#inEvent = true;
        this.#pieces = [];
        pos = open;
        searchFrom = open + OPEN.length;
      }
      // Inside an event starting at `pos` (or continuing from earlier pieces).
      const close = buf.indexOf(CLOSE, searchFrom);
      const reopen = findOpen(buf, searchFrom);
      if (reopen >= 0 && (close < 0 || reopen < close)) {
        if (reopen + OPEN.length >= buf.length && close < 0) {
          // Undecided `<Event` at the very end: keep it with the event for the next chunk.
          this.#keep(buf.subarray(pos));
          return;
        }
        this.#pieces = [];
        this.#sink.malformed();
        pos = reopen;
        searchFrom = reopen + OPEN.length;
        continue;
      }
      if (close < 0) {
        this.#keep(buf.subarray(pos));
        return;
      }
      const end = close + CLOSE.length;
      const bytes =
        this.#pieces.length === 0 ? buf.subarray(pos, end) : Buffer.concat([...this.#pieces, buf.subarray(pos, end)]);
      this.#pieces = [];
      this.#inEvent = false;
      this.#sink.record(bytes);
      pos = end;
    }
  }

  /** Ends the stream: an `<Event` without its `</Event>` is reported as malformed. */
  end(): void {
    if (this.#inEvent) this.#sink.malformed();
    this.#pieces = [];
    this.#inEvent = false;
    this.#tail = Buffer.alloc(0);
  }

  /** Stores the rest of the open event, split so the last piece is small (the next overlap). */
  #keep(rest: Buffer): void {
    if (rest.length > OVERLAP) {
      this.#pieces.push(Buffer.from(rest.subarray(0, rest.length - OVERLAP)));
      this.#pieces.push(Buffer.from(rest.subarray(rest.length - OVERLAP)));
    } else {
      this.#pieces.push(Buffer.from(rest));
    }
  }
}

function findOpen(buf: Buffer, from: number): number {
  let at = buf.indexOf(OPEN, from);
  while (at >= 0) {
    const next = at + OPEN.length;
    if (next >= buf.length || isOpenTagEnd(buf[next])) return at;
    at = buf.indexOf(OPEN, next);
  }
  return -1;
}
