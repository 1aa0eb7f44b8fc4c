/**
 * The corpus clock: a time in microseconds that moves forward a little with every event, and
 * the bytes of every slot (times in each layout, the record number) for the current event.
 *
 * Dates are re-rendered only when the second changes (about once per hundred events); per
 * event only the fraction digits and the record number change. That keeps slot filling to a
 * few small copies per record.
 */

import { SLOT_WIDTH, SlotKind } from "./event-model.js";
import type { Prng } from "./prng.js";
import type { CompiledTemplate } from "./template.js";

const MICROS_PER_SECOND = 1_000_000;
/** NXLog's `EventTime` is the collector's local time; the public OTRF data was collected at UTC-4. */
const LOCAL_OFFSET_SECONDS = -4 * 3600;
/** NXLog received events about two seconds after they were logged. */
const RECEIVED_DELAY_SECONDS = 2;
/** Mean gap between events: 10 ms, so 2 GiB (~1.5 million records) spans a few hours. */
const MEAN_STEP_MICROS = 10_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function dateTime(epochSeconds: number, separator: string): string {
  const d = new Date(epochSeconds * 1000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `${separator}${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  );
}

function writeAscii(target: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) target[at + i] = text.charCodeAt(i);
}

function writeDigits(target: Uint8Array, at: number, value: number, width: number): void {
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    target[at + i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}

/** Current time and record number, with the bytes of every slot kind ready to copy. */
export class Clock {
  /** Microseconds since the Unix epoch. */
  #micros: number;
  #second = -1;
  #recordId: number;
  /** Bytes of each slot kind for the current event, indexed by {@link SlotKind}. */
  readonly #slotBytes: Uint8Array[] = SLOT_WIDTH.map((w) => new Uint8Array(w));

  /** Starts at `startMicros` with the record number `firstRecordId` (kept to nine digits). */
  constructor(startMicros: number, firstRecordId: number) {
    this.#micros = Math.floor(startMicros);
    this.#recordId = firstRecordId % 1_000_000_000;
    this.#render();
  }

  /** Microseconds since the epoch of the current event. */
  get micros(): number {
    return this.#micros;
  }

  /** Moves to the next event: time forward by a random gap (mean 10 ms), record number + 1. */
  advance(rng: Prng): void {
    // -ln(u) is exponential with mean 1: bursts and lulls, as in real logs.
    const step = Math.max(1, Math.floor(-Math.log(1 - rng.float()) * MEAN_STEP_MICROS));
    this.#micros += step;
    this.#recordId = (this.#recordId + 1) % 1_000_000_000;
    this.#render();
  }

  #render(): void {
    const second = Math.floor(this.#micros / MICROS_PER_SECOND);
    const b = this.#slotBytes;
    if (second !== this.#second) {
      this.#second = second;
      const iso = dateTime(second, "T");
      const spaced = dateTime(second, " ");
      writeAscii(b[SlotKind.SystemTime]!, 0, `${iso}.`);
      b[SlotKind.SystemTime]![26] = 0x5a; // Z
      writeAscii(b[SlotKind.UtcTime]!, 0, `${spaced}.`);
      writeAscii(b[SlotKind.IsoMillis]!, 0, `${iso}.`);
      b[SlotKind.IsoMillis]![23] = 0x5a;
      writeAscii(b[SlotKind.LocalSeconds]!, 0, dateTime(second + LOCAL_OFFSET_SECONDS, " "));
      writeAscii(
        b[SlotKind.ReceivedSeconds]!,
        0,
        dateTime(second + LOCAL_OFFSET_SECONDS + RECEIVED_DELAY_SECONDS, " "),
      );
    }
    const fraction = this.#micros - second * MICROS_PER_SECOND;
    writeDigits(b[SlotKind.SystemTime]!, 20, fraction, 6);
    const millis = Math.floor(fraction / 1000);
    writeDigits(b[SlotKind.UtcTime]!, 20, millis, 3);
    writeDigits(b[SlotKind.IsoMillis]!, 20, millis, 3);
    writeDigits(b[SlotKind.RecordId]!, 0, this.#recordId, 9);
  }

  /** The current text of one slot kind (for expected fields and tests). */
  text(kind: SlotKind): string {
    return Buffer.from(this.#slotBytes[kind]!).toString("latin1");
  }

  /** Copies `template` to `out` at `at` with its slots filled for the current event; returns its length. */
  writeRecord(template: CompiledTemplate, out: Uint8Array, at: number): number {
    const { bytes, slots } = template;
    out.set(bytes, at);
    const slotBytes = this.#slotBytes;
    for (let i = 0; i < slots.length; i += 2) {
      out.set(slotBytes[slots[i + 1]!]!, at + slots[i]!);
    }
    return bytes.length;
  }
}
