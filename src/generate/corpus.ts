/**
 * Synthetic Sysmon corpora of any size, in any text format, with a known answer.
 *
 * A corpus is background records copied from a pre-rendered pool (see record-pool.ts) with a
 * clock that moves forward, and true positives planted at a given rate, each rendered on its own
 * and run through the rule as it goes, so the generator returns the exact rows a correct scan
 * must print. Same options, same bytes and rows, on any machine.
 */

import { closeSync, openSync, writeSync } from "node:fs";
import type { TextFormat } from "../formats/log-format.js";
import { Aggregates } from "../report/aggregate.js";
import { type Row, toRows } from "../report/row.js";
import { matchEvent } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";
import { Clock } from "./clock.js";
import type { EventModel } from "./event-model.js";
import { DumpCounter, truePositiveEvents } from "./planted-events.js";
import { Prng } from "./prng.js";
import { buildPool } from "./record-pool.js";
import { type FormatRenderer, randomStyle } from "./render-style.js";
import { RENDERERS } from "./renderers.js";
import { type CompiledTemplate, compileParts } from "./template.js";
import { type MachineInfo, makeWorld, type World } from "./world.js";

/** What to generate. */
export interface CorpusOptions {
  /** Text format to write (`flat` is what the CLI calls `jsonl`). */
  format: TextFormat;
  /** Approximate size in bytes: writing stops at the first record boundary at or past it. */
  size: number;
  /** Seed: the same options give the same bytes. */
  seed: number;
  /** True positives per GiB (2^30 bytes) of output, on average; 0 plants none. */
  hitsPerGb: number;
}

/** What was generated. */
export interface CorpusResult {
  /** Bytes written. */
  bytes: number;
  /** Records written. */
  events: number;
  /** True positives planted (events that match the rule). */
  hits: number;
  /** The rows a correct scan of the output prints, sorted (toRows). */
  rows: Row[];
}

/** Where {@link generateCorpus} writes: a file path, a writable stream, or memory. */
export type CorpusOutput = string | NodeJS.WritableStream | "buffer";

const GIB = 2 ** 30;
/** No single record (a true positive with its companion event) comes near this; asserted. */
const MAX_RECORD_BYTES = 64 * 1024;
/** Room that must be free before each step (a step writes at most two records). */
const HEADROOM = 2 * MAX_RECORD_BYTES;
/**
 * Write size for files and streams: 8 MiB. On the 2-core dev VM, writing 512 MiB of XML to a
 * file in page cache took 1.0–1.4 s (medians of 3, two rounds) with 1, 8 or 32 MiB writes alike,
 * so the size only has to keep the per-write cost invisible without holding much memory.
 */
const WRITE_CHUNK = 8 * 2 ** 20;
/** Corpus times start somewhere in 2019–2024. */
const EPOCH_2019_MICROS = Date.UTC(2019, 0, 1) * 1000;
const SIX_YEARS_SECONDS = 6 * 365 * 86400;

/** Writes one corpus record by record into caller-provided buffers. */
class CorpusWriter {
  readonly #renderer: FormatRenderer;
  readonly #format: TextFormat;
  readonly #world: World;
  readonly #pool: CompiledTemplate[];
  readonly #clock: Clock;
  /** Picks background records and steps the clock. */
  readonly #streamRng: Prng;
  /** Everything about planted records, so hit placement does not disturb the background. */
  readonly #plantRng: Prng;
  readonly #victims: MachineInfo[];
  readonly #counter = new DumpCounter();
  readonly #aggregates = new Aggregates();
  readonly #gapMean: number;
  #nextHitAt: number;
  /** Bytes written so far. */
  bytes = 0;
  events = 0;
  hits = 0;

  constructor(options: CorpusOptions) {
    const root = new Prng(options.seed);
    this.#format = options.format;
    this.#renderer = RENDERERS[options.format];
    this.#world = makeWorld(root.fork());
    this.#pool = buildPool(options.format, this.#world, root.fork());
    this.#streamRng = root.fork();
    this.#plantRng = root.fork();
    const start = EPOCH_2019_MICROS + root.int(SIX_YEARS_SECONDS) * 1_000_000 + root.int(1_000_000);
    this.#clock = new Clock(start, 100_000_000 + root.int(400_000_000));
    // Attacks are concentrated: one to four machines take most of the dumps.
    const machines = this.#plantRng.shuffle([...this.#world.machines]);
    this.#victims = machines.slice(0, this.#plantRng.range(1, Math.min(4, machines.length)));
    this.#gapMean = options.hitsPerGb > 0 ? GIB / options.hitsPerGb : Number.POSITIVE_INFINITY;
    this.#nextHitAt = this.#gapMean * this.#plantRng.float();
  }

  /** The rows of the true positives written so far. */
  rows(): Row[] {
    return toRows(this.#aggregates.entries());
  }

  /** Writes the next record (or two) at `at`; `out` must have {@link HEADROOM} bytes free there. Returns bytes written. */
  step(out: Buffer, at: number): number {
    if (this.bytes >= this.#nextHitAt) return this.#plantHit(out, at);
    const pool = this.#pool;
    const n = this.#clock.writeRecord(pool[this.#streamRng.int(pool.length)]!, out, at);
    this.#clock.advance(this.#streamRng);
    this.bytes += n;
    this.events++;
    return n;
  }

  #writeEvent(event: EventModel, out: Buffer, at: number): { length: number; match: ReturnType<typeof matchEvent> } {
    const rng = this.#plantRng;
    const style = randomStyle(rng, this.#format);
    const template = compileParts(this.#renderer.render(event, style, rng, this.#world));
    if (template.bytes.length > MAX_RECORD_BYTES) throw new Error("generator: a planted record is too long");
    const length = this.#clock.writeRecord(template, out, at);
    const fields = this.#renderer.fields(event, style, (kind) => this.#clock.text(kind));
    const match = matchEvent(fields, normalizeTime);
    this.#clock.advance(this.#streamRng);
    this.bytes += length;
    this.events++;
    return { length, match };
  }

  #plantHit(out: Buffer, at: number): number {
    const rng = this.#plantRng;
    const machine = rng.chance(0.85) ? rng.pick(this.#victims) : rng.pick(this.#world.machines);
    const { access, fileCreate } = truePositiveEvents(rng, this.#world, machine, this.#counter);
    let written = 0;
    if (access !== null) {
      const { length, match } = this.#writeEvent(access, out, at);
      if (match !== null) throw new Error("generator: the companion ProcessAccess event matched the rule");
      written += length;
    }
    const { length, match } = this.#writeEvent(fileCreate, out, at + written);
    if (match === null) throw new Error("generator: a planted true positive does not match the rule");
    this.#aggregates.add(match);
    this.hits++;
    this.#nextHitAt += this.#gapMean * (0.5 + rng.float());
    return written + length;
  }
}

/** Options of {@link generateBuffer}. */
export type BufferOptions = CorpusOptions;

/** Generates a corpus in memory (tests, benchmarks). */
export function generateBuffer(options: BufferOptions): CorpusResult & { buffer: Buffer } {
  checkOptions(options);
  const writer = new CorpusWriter(options);
  const out = Buffer.allocUnsafe(options.size + HEADROOM);
  let at = 0;
  while (at < options.size) at += writer.step(out, at);
  return {
    buffer: out.subarray(0, at),
    bytes: writer.bytes,
    events: writer.events,
    hits: writer.hits,
    rows: writer.rows(),
  };
}

/** Generates a corpus into a file, a stream, or memory (`out: "buffer"`, the result then carries `buffer`). */
export async function generateCorpus(
  options: CorpusOptions & { out: CorpusOutput },
): Promise<CorpusResult & { buffer?: Buffer }> {
  checkOptions(options);
  if (options.out === "buffer") return generateBuffer(options);
  const writer = new CorpusWriter(options);
  const { out } = options;
  if (typeof out === "string") {
    const fd = openSync(out, "w");
    try {
      fillChunks(writer, options.size, (chunk) => {
        let done = 0;
        while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
      });
    } finally {
      closeSync(fd);
    }
  } else {
    await writeToStream(writer, options.size, out);
  }
  return { bytes: writer.bytes, events: writer.events, hits: writer.hits, rows: writer.rows() };
}

/** Fills fresh chunks of about {@link WRITE_CHUNK} bytes and hands each to `flush`. */
function fillChunks(writer: CorpusWriter, size: number, flush: (chunk: Buffer) => void): void {
  while (writer.bytes < size) flush(nextChunk(writer, size));
}

function nextChunk(writer: CorpusWriter, size: number): Buffer {
  const chunk = Buffer.allocUnsafe(WRITE_CHUNK + HEADROOM);
  let at = 0;
  while (at < WRITE_CHUNK && writer.bytes < size) at += writer.step(chunk, at);
  return chunk.subarray(0, at);
}

async function writeToStream(writer: CorpusWriter, size: number, stream: NodeJS.WritableStream): Promise<void> {
  let failure: unknown;
  const onError = (err: unknown): void => {
    failure ??= err;
  };
  stream.on("error", onError);
  try {
    while (writer.bytes < size) {
      if (failure !== undefined) throw failure;
      // A new chunk each time: the stream may hold on to the previous one until it is flushed.
      const chunk = nextChunk(writer, size);
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve, reject) => {
          const done = (): void => {
            stream.off("drain", done);
            stream.off("error", fail);
            resolve();
          };
          const fail = (err: unknown): void => {
            stream.off("drain", done);
            reject(err);
          };
          stream.on("drain", done);
          stream.once("error", fail);
        });
      }
    }
    if (failure !== undefined) throw failure;
  } finally {
    stream.off("error", onError);
  }
}

function checkOptions(options: CorpusOptions): void {
  if (!(options.format in RENDERERS)) throw new RangeError(`unknown format ${String(options.format)}`);
  if (!Number.isSafeInteger(options.size) || options.size < 0)
    throw new RangeError("size must be a whole number of bytes");
  if (!Number.isFinite(options.seed)) throw new RangeError("seed must be a finite number");
  if (!Number.isFinite(options.hitsPerGb) || options.hitsPerGb < 0) {
    throw new RangeError("hitsPerGb must be a finite number ≥ 0");
  }
}
