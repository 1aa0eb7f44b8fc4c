/**
 * Hits (assembly/hits.ts) to EventFields: the few records the matcher could not rule out are
 * turned into strings here and judged by rule.ts's matchEvent, so the rule lives in one place.
 * A hit the matcher marked decided (every test of the rule settled in wasm, and passed) skips
 * that: {@link HitReader.decidedEvent} builds the event from the four strings it needs, with
 * the time normalized in wasm when its layout is a common one.
 *
 * A text span is UTF-8 (raw bytes, or a value the matcher decoded into its arena); a JSON span
 * the matcher left escaped (a lone surrogate) goes through JSON.parse, exactly the reference's
 * decoding; a JSON number through Number. Records the matcher marked complex (XML with markup or
 * references the reference parser treats in its own way, JSON nested deeper than the matcher's
 * stack) are parsed by the reference's own field extraction instead.
 */

import type { TextFormat } from "../formats/log-format.js";
import { recordFields } from "../formats/record-fields.js";
import { latin1Text, utf8Text } from "../platform/bytes.js";
import { type EventFields, type MatchedEvent, processNameOf } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";
import { FIELD, FLAG_DECIDED, HIT_INTERN_WORD, HIT_TIME_WORD, HIT_WORDS, KIND, type Matcher } from "./matcher.js";

/** Reads hits out of one matcher's table. */
export class HitReader {
  readonly #m: Matcher;
  readonly #format: TextFormat;

  constructor(matcher: Matcher, format: TextFormat) {
    this.#m = matcher;
    this.#format = format;
  }

  /** Input offsets [start, end) of hit `i`'s record. */
  recordSpan(i: number): [number, number] {
    const w = this.#m.hitWords;
    const base = i * HIT_WORDS;
    return [this.#m.offsetOf(w[base] as number), this.#m.offsetOf(w[base + 1] as number)];
  }

  /** True when hit `i` must be judged on the reference parser's fields. */
  isComplex(i: number): boolean {
    return ((this.#m.hitWords[i * HIT_WORDS + 2] as number) & 1) !== 0;
  }

  /** True when the rule was decided in wasm and hit `i`'s record matches ({@link decidedEvent}). */
  isDecided(i: number): boolean {
    return ((this.#m.hitWords[i * HIT_WORDS + 2] as number) & FLAG_DECIDED) !== 0;
  }

  /** A decided hit's event: what matchEvent(fields(i), normalizeTime) gives, without asking it. */
  decidedEvent(i: number): MatchedEvent {
    const w = this.#m.hitWords;
    const at = i * HIT_WORDS + HIT_TIME_WORD;
    const timeLength = w[at + 1] as number;
    let time: string;
    if (timeLength > 0) {
      const start = (w[at] as number) >>> 0;
      time = latin1Text(this.#m.memoryBytes, start, start + timeLength);
    } else time = normalizeTime(this.#value(i, FIELD.time));
    const ids = i * HIT_WORDS + HIT_INTERN_WORD;
    const processId = w[ids + 2] as number;
    let processName: string;
    if ((processId | 0) >= 0) {
      const start = (w[ids + 3] as number) >>> 0;
      processName = this.#interned(processId, start, start + (w[ids + 4] as number));
    } else processName = processNameOf(this.#string(i, FIELD.image) as string);
    return {
      dest: this.#internedField(i, w[ids] as number, FIELD.computer),
      processName,
      targetFilename: this.#internedField(i, w[ids + 1] as number, FIELD.targetFilename),
      time,
    };
  }

  /** The string of interned value `id` (u32 as read), decoded from memory[start, end) on first sight. */
  #interned(id: number, start: number, end: number): string {
    const strings = this.#m.internedStrings;
    let s = strings[id];
    if (s === undefined) {
      s = utf8Text(this.#m.memoryBytes, start, end);
      strings[id] = s;
    }
    return s;
  }

  /** A decided hit's string field, through its interned id when it has one. */
  #internedField(i: number, id: number, field: number): string {
    if ((id | 0) < 0) return this.#string(i, field) as string;
    const at = i * HIT_WORDS + 3 + field * 3;
    const w = this.#m.hitWords;
    const start = (w[at + 1] as number) >>> 0;
    return this.#interned(id, start, start + (w[at + 2] as number));
  }

  /** Hit `i`'s fields; undefined when the record turns out not to parse. */
  fields(i: number): EventFields | undefined {
    if (this.isComplex(i)) {
      const [start, end] = this.recordSpan(i);
      return recordFields(this.#format, this.#m.input.subarray(start, end));
    }
    const eventId = this.#value(i, FIELD.eventId);
    return {
      eventId,
      provider: this.#string(i, FIELD.provider),
      channel: this.#string(i, FIELD.channel),
      image: this.#string(i, FIELD.image),
      targetFilename: this.#string(i, FIELD.targetFilename),
      computer: this.#string(i, FIELD.computer),
      // A number only in Velociraptor rows (seconds since 1970): the matcher drops it elsewhere.
      time: this.#value(i, FIELD.time),
    };
  }

  #value(i: number, field: number): string | number | undefined {
    const w = this.#m.hitWords;
    const at = i * HIT_WORDS + 3 + field * 3;
    const kind = w[at] as number;
    if (kind === KIND.absent || kind === KIND.other) return undefined;
    const start = (w[at + 1] as number) >>> 0;
    const end = start + (w[at + 2] as number);
    const bytes = this.#m.memoryBytes;
    if (kind === KIND.number) return Number(latin1Text(bytes, start, end));
    const text = utf8Text(bytes, start, end);
    if (kind === KIND.text) return text;
    // Still escaped: JSON only (the matcher marks such XML records complex).
    return JSON.parse(`"${text}"`) as string;
  }

  #string(i: number, field: number): string | undefined {
    const v = this.#value(i, field);
    return typeof v === "string" ? v : undefined;
  }
}
