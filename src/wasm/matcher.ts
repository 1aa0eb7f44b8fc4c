/**
 * The typed boundary over the matcher's raw wasm exports (assembly/index.ts). Nothing else in
 * the project calls them.
 *
 * One {@link Matcher} is one instance with its own WebAssembly.Memory, laid out once:
 *   [static data | hits table | decoded-value arena | decode scratch | intern table | intern store |
 *    input region | over-read slack]
 * The memory is grown to its final size right after instantiation, before any view is made, so
 * the views (`input`, the hits table) never detach; nothing allocates per call on either side.
 * Callers write bytes into `input` (fs.readSync straight into it) and pass offsets into it.
 */

import type { TextFormat } from "../formats/log-format.js";
import { byteView } from "../platform/bytes.js";
import { instantiateMatcher } from "./module.js";

/** Raw exports; addresses are byte offsets into the instance's memory. */
interface MatcherExports {
  heapBase(): number;
  configureHits(base: number, capacity: number, arena: number, arenaBytes: number): void;
  takeHits(): void;
  hits(): number;
  configureScratch(base: number, capacity: number): void;
  configureInterns(table: number, store: number, storeBytes: number): void;
  internsNearlyFull(): number;
  resetInterns(): void;
  nextCandidate(from: number, end: number, escape0: number, escape1: number): number;
  lastCandidateKind(): number;
  decodeJsonString(src: number, len: number, dst: number): number;
  decodeXmlText(src: number, len: number, dst: number): number;
  jsonScanBegin(start: number, end: number): void;
  jsonScanResume(): number;
  jsonTailIsCompleteRecord(p: number, q: number): number;
  jsonWalkBegin(from: number): void;
  jsonWalkResume(end: number): number;
  jsonWalkFinish(end: number): void;
  setJsonEarlierCandidate(held: number): void;
  resetJsonWalker(): void;
  jsonWalkerIsClean(): number;
  jsonWalkerJunkStart(): number;
  jsonWalkerInRecord(): number;
  jsonWalkerOpenRecord(): number;
  rebaseJsonWalker(start: number): void;
  jsonOversizeRecordEnd(): number;
  lastJsonSync(c: number, floor: number): number;
  nextJsonSync(c: number, end: number, floor: number): number;
  xmlSafeEnd(start: number, end: number): number;
  xmlScanBegin(start: number, end: number): void;
  xmlScanResume(): number;
  nextXmlOpen(from: number, end: number): number;
  nextXmlClose(from: number, end: number): number;
  resetStats(): void;
  statsExamined(): number;
  statsMalformed(): number;
  malformedLogged(): number;
  malformedLogAt(i: number): number;
  clearMalformedLog(): void;
}

/** Field order in a hit (assembly/hits.ts). */
export const FIELD = {
  eventId: 0,
  provider: 1,
  channel: 2,
  image: 3,
  targetFilename: 4,
  computer: 5,
  time: 6,
} as const;
export const FIELD_COUNT = 7;

/** Field kinds in a hit (assembly/hits.ts). */
export const KIND = { absent: 0, text: 1, escaped: 2, number: 3, other: 4 } as const;

/** Hit flag: take this record's fields from the reference parser. */
export const FLAG_COMPLEX = 1;
/** Hit flag: the rule was decided in wasm, and the record matches (assembly/rule-check.ts). */
export const FLAG_DECIDED = 2;

/** Word of a hit holding the normalized time's address, then its length (0: none). */
export const HIT_TIME_WORD = 3 + 3 * FIELD_COUNT;
/**
 * Word of a hit holding the interned ids (-1: none) of Computer, TargetFilename and the process
 * name, then the process name's address and length (assembly/intern.ts, assembly/hits.ts).
 */
export const HIT_INTERN_WORD = HIT_TIME_WORD + 2;

/**
 * u32 words per hit: record start, record end, flags, kind/start/len per field, normalized time
 * start/len, interned ids and the process name's span.
 */
export const HIT_WORDS = HIT_INTERN_WORD + 5;

/** Candidate kinds {@link Matcher.nextCandidate} reports. */
export const CANDIDATE = { dmp: 1, escape: 2 } as const;

/** Hits the table holds before a scan pauses for the caller to take them. */
const HIT_CAPACITY = 1024;
/** Decoded values of the hits in the table (values with escapes or entities). */
const ARENA_BYTES = 1024 * 1024;
/** Decode scratch: longer values are not judged in wasm (the TypeScript side decides). */
const SCRATCH_BYTES = 256 * 1024;
/** The intern table (assembly/intern.ts INTERN_SLOTS x INTERN_ENTRY_BYTES) and the store for its values. */
const INTERN_TABLE_BYTES = 4096 * 16;
const INTERN_STORE_BYTES = 256 * 1024;
/** Bytes past the input region the prefilter may read (assembly/prefilter.ts PREFILTER_OVERREAD) and more. */
const SLACK = 1024;
const PAGE = 65536;

const ESCAPE_LEADS: Record<TextFormat, readonly [number, number]> = {
  xml: [0x26, 0x23], // &#
  flat: [0x5c, 0x75], // \u
  ecs: [0x5c, 0x75],
  evtxdump: [0x5c, 0x75],
};

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** One matcher instance with its own memory and input region. */
export class Matcher {
  /** The input region: write bytes here; offsets in the methods below are into it. */
  readonly input: Uint8Array;
  /** Byte capacity of {@link input}. */
  readonly capacity: number;
  /** The whole memory as bytes (for decoding hit spans into strings). */
  readonly memoryBytes: Uint8Array;
  /** The hits table. */
  readonly hitWords: Uint32Array;
  /** Address of input[0] in the memory. */
  readonly inputBase: number;
  readonly #x: MatcherExports;
  readonly #scratchBase: number;

  /** Instantiates `module` with a fresh memory whose input region holds `capacity` bytes. */
  constructor(module: WebAssembly.Module, capacity: number) {
    const { exports, memory } = instantiateMatcher(module, 1);
    this.#x = exports as unknown as MatcherExports;
    const hitsBase = align(this.#x.heapBase() >>> 0, 64);
    const arenaBase = align(hitsBase + HIT_CAPACITY * HIT_WORDS * 4, 64);
    this.#scratchBase = align(arenaBase + ARENA_BYTES + SLACK, 64);
    const internTable = align(this.#scratchBase + SCRATCH_BYTES + SLACK, 64);
    const internStore = internTable + INTERN_TABLE_BYTES;
    this.inputBase = align(internStore + INTERN_STORE_BYTES + SLACK, 64);
    const total = this.inputBase + capacity + SLACK;
    memory.grow(Math.ceil(total / PAGE) - memory.buffer.byteLength / PAGE);
    this.capacity = capacity;
    this.input = new Uint8Array(memory.buffer, this.inputBase, capacity);
    this.memoryBytes = byteView(memory.buffer);
    this.hitWords = new Uint32Array(memory.buffer, hitsBase, HIT_CAPACITY * HIT_WORDS);
    this.#x.configureHits(hitsBase, HIT_CAPACITY, arenaBase, ARENA_BYTES);
    this.#x.configureScratch(this.#scratchBase, SCRATCH_BYTES);
    this.#x.configureInterns(internTable, internStore, INTERN_STORE_BYTES);
  }

  /**
   * The strings of the interned values seen so far, by id (assembly/intern.ts): the hits' reader
   * builds each one once, from the first hit that names it.
   */
  readonly internedStrings: (string | undefined)[] = [];

  /** After the hits table was read: forgets the interned values when their table fills up. */
  settleInterns(): void {
    if (this.#x.internsNearlyFull() === 0) return;
    this.#x.resetInterns();
    this.internedStrings.length = 0;
  }

  /** Input offset -> memory address. */
  #at(offset: number): number {
    return this.inputBase + offset;
  }

  /** Memory address -> input offset. */
  offsetOf(address: number): number {
    return (address >>> 0) - this.inputBase;
  }

  /** Offset of the first candidate in input[from, end) for `format`, or -1; see {@link candidateKind}. */
  nextCandidate(from: number, end: number, format: TextFormat): number {
    const [e0, e1] = ESCAPE_LEADS[format];
    const at = this.#x.nextCandidate(this.#at(from), this.#at(end), e0, e1);
    return at < 0 ? -1 : this.offsetOf(at);
  }

  /** Kind of the last {@link nextCandidate} result ({@link CANDIDATE}). */
  candidateKind(): number {
    return this.#x.lastCandidateKind();
  }

  /** Decodes the JSON string body input[from, from + len) to UTF-8; undefined when an escape is invalid. */
  decodeJsonString(from: number, len: number): Uint8Array | undefined {
    const n = this.#x.decodeJsonString(this.#at(from), len, this.#scratchBase);
    return n < 0 ? undefined : this.memoryBytes.subarray(this.#scratchBase, this.#scratchBase + n);
  }

  /** Decodes XML character data input[from, from + len) (entities) to UTF-8. */
  decodeXmlText(from: number, len: number): Uint8Array {
    const n = this.#x.decodeXmlText(this.#at(from), len, this.#scratchBase) >>> 0;
    return this.memoryBytes.subarray(this.#scratchBase, this.#scratchBase + n);
  }

  // ---- JSON ----

  /** Offset of the last sync point (assembly/json-scan.ts) in (floor, c], or `floor`. */
  lastJsonSync(c: number, floor: number): number {
    return this.offsetOf(this.#x.lastJsonSync(this.#at(c), this.#at(floor)));
  }

  /** Offset of the first sync point in (c, end), or `end`; `floor` is a record boundary at or before `c`. */
  nextJsonSync(c: number, end: number, floor: number): number {
    return this.offsetOf(this.#x.nextJsonSync(this.#at(c), this.#at(end), this.#at(floor)));
  }

  /** Starts a segment-mode scan of input[start, end) (JSON of any layout, decided per record). */
  jsonScanBegin(start: number, end: number): void {
    this.#x.jsonScanBegin(this.#at(start), this.#at(end));
  }

  /** Goes on with the segment-mode scan; false = paused with the hits table full. */
  jsonScanResume(): boolean {
    return this.#x.jsonScanResume() !== 0;
  }

  /**
   * True when input[start, end), the bytes after the last sync point, is one complete record
   * with a candidate followed only by white space up to a line feed (assembly/json-scan.ts
   * jsonTailIsCompleteRecord): final whatever comes next, so a flush may confirm it now.
   */
  jsonTailIsCompleteRecord(start: number, end: number): boolean {
    return this.#x.jsonTailIsCompleteRecord(this.#at(start), this.#at(end)) !== 0;
  }

  /** Resets the walker to a clean state (outside records, at a line start). */
  resetJsonWalker(): void {
    this.#x.resetJsonWalker();
  }

  /** Starts walk mode at input offset `from` (walker state kept). */
  jsonWalkBegin(from: number): void {
    this.#x.jsonWalkBegin(this.#at(from));
  }

  /** Walks on to `end`; false = paused (hits full, or an oversize record ended: {@link jsonOversizeRecordEnd}). */
  jsonWalkResume(end: number): boolean {
    return this.#x.jsonWalkResume(this.#at(end)) !== 0;
  }

  /** Stream end in walk mode; `end` is where the input ends (offset). */
  jsonWalkFinish(end: number): void {
    this.#x.jsonWalkFinish(this.#at(end));
  }

  /**
   * Tells the walker whether the bytes of its open record (or junk) that the caller moved out
   * of memory held a candidate, so that a damaged one is judged on all its bytes.
   */
  setJsonEarlierCandidate(held: boolean): void {
    this.#x.setJsonEarlierCandidate(held ? 1 : 0);
  }

  /** True when the walker is outside records and junk. */
  jsonWalkerIsClean(): boolean {
    return this.#x.jsonWalkerIsClean() !== 0;
  }

  /** Offset of the walker's open record, -1 when none, -2 when it began before the input region. */
  jsonWalkerOpenRecord(): number {
    if (this.#x.jsonWalkerInRecord() === 0) return -1;
    const at = this.#x.jsonWalkerOpenRecord();
    return at < 0 ? -2 : this.offsetOf(at);
  }

  /** Offset of the junk the walker is in, -1 when none, -2 when it began before the input region. */
  jsonWalkerJunkStart(): number {
    if (this.#x.jsonWalkerIsClean() !== 0 || this.#x.jsonWalkerInRecord() !== 0) return -1;
    const at = this.#x.jsonWalkerJunkStart();
    return at < 0 ? -2 : this.offsetOf(at);
  }

  /** Tells the walker where its open record now starts (input offset), or that it is gone (-1). */
  rebaseJsonWalker(offset: number): void {
    this.#x.rebaseJsonWalker(offset < 0 ? -1 : this.#at(offset));
  }

  /** Offset just past the oversize record a paused walk stopped at, or -1. */
  jsonOversizeRecordEnd(): number {
    const at = this.#x.jsonOversizeRecordEnd();
    return at < 0 ? -1 : this.offsetOf(at);
  }

  // ---- XML ----

  /** Offset where input[start, end) may be cut between XML records ({@link start} when it cannot). */
  xmlSafeEnd(start: number, end: number): number {
    return this.offsetOf(this.#x.xmlSafeEnd(this.#at(start), this.#at(end)));
  }

  /** Starts scanning XML input[start, end). */
  xmlScanBegin(start: number, end: number): void {
    this.#x.xmlScanBegin(this.#at(start), this.#at(end));
  }

  /** Goes on with the XML scan; false = paused with the hits table full. */
  xmlScanResume(): boolean {
    return this.#x.xmlScanResume() !== 0;
  }

  /** Offset of the first record open (`<Event` + `>`/`/`/space) in input[from, end), or -1. */
  nextXmlOpen(from: number, end: number): number {
    const at = this.#x.nextXmlOpen(this.#at(from), this.#at(end));
    return at < 0 ? -1 : this.offsetOf(at);
  }

  /** Offset of the first `</Event>` wholly in input[from, end), or -1. */
  nextXmlClose(from: number, end: number): number {
    const at = this.#x.nextXmlClose(this.#at(from), this.#at(end));
    return at < 0 ? -1 : this.offsetOf(at);
  }

  // ---- hits and counters ----

  /** Hits in the table. */
  hitCount(): number {
    return this.#x.hits();
  }

  /** Empties the hits table (after reading it). */
  takeHits(): void {
    this.#x.takeHits();
  }

  /** Records parsed for confirmation and malformed ones seen, since {@link resetStats}. */
  stats(): { examined: number; malformed: number } {
    return { examined: this.#x.statsExamined(), malformed: this.#x.statsMalformed() };
  }

  /** Zeroes the counters. */
  resetStats(): void {
    this.#x.resetStats();
  }

  /**
   * Input offsets of the malformed records logged since the last call (at most 128 per call;
   * the counter in {@link stats} has them all), then empties the log. `early` stands for a
   * record that began before the input region (the caller knows where).
   */
  takeMalformedLog(early: number): number[] {
    const n = this.#x.malformedLogged();
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = this.#x.malformedLogAt(i);
      out.push(at < 0 ? early : this.offsetOf(at));
    }
    this.#x.clearMalformedLog();
    return out;
  }
}
