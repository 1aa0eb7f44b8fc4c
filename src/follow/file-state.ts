/**
 * One followed file: reads only the bytes appended since the last look and pushes them into a
 * scanner of its own (createScanner), which holds a record cut in half until its end arrives.
 * Where a restart may resume is the start of the last record seen (text), so a state file
 * never points into the middle of a record; hits up to `hitEnd` were counted before and are
 * dropped when read again. EVTX files that grow in place are read again chunk by chunk where
 * their bytes changed (evtx-chunks.ts) and only records after the last EventRecordID seen
 * count; gzip files (rotated copies) are read whole, hits after `hitEnd` counting.
 */

import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { gunzipSync, constants as zlibConstants } from "node:zlib";
import { evtxPrefiltersOf, scanEvtxFileRange } from "../engine/evtx-searcher.js";
import { type Hit, hitOf } from "../engine/hit.js";
import type { MatchLocation } from "../engine/match-location.js";
import { createScanner, type Scanner } from "../engine/scanner.js";
import { chunkOffset } from "../formats/evtx/layout.js";
import { sniffLogFormat } from "../formats/format-sniffer.js";
import type { LogFormat } from "../formats/log-format.js";
import { isOpenTagEnd, XML_RECORD_OPEN } from "../formats/record-start.js";
import type { MatchedEvent } from "../rule/rule.js";
import { loadMatcherModule } from "../wasm/module.js";
import { chunkRunsToRead, type EvtxChunkPrints, readEvtxChunkPrints } from "./evtx-chunks.js";
import type { FileState } from "./state-file.js";

/** Bytes of a file's head hashed for its identity. */
export const HEAD_BYTES = 1024;
/** Bytes read at a time. */
const READ_BYTES = 1 << 20;

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const out = Buffer.alloc(Math.max(0, end - start));
    let at = 0;
    while (at < out.length) {
      const { bytesRead } = await handle.read(out, at, out.length - at, start + at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return out.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** Bytes read to decide a file's format. */
const SNIFF_READ = 64 * 1024;

/**
 * Where the last record in `bytes` starts (XML `<Event`, JSON `{` after a line feed); `atStart`:
 * bytes[0] is a record start already known (a JSON `{` there counts without a line feed).
 */
function lastRecordStart(bytes: Buffer, format: LogFormat, atStart: boolean): number | undefined {
  if (format === "xml") {
    let at = bytes.lastIndexOf(XML_RECORD_OPEN);
    while (at >= 0) {
      if (isOpenTagEnd(bytes[at + XML_RECORD_OPEN.length])) return at;
      at = at === 0 ? -1 : bytes.lastIndexOf(XML_RECORD_OPEN, at - 1);
    }
    return undefined;
  }
  let at = bytes.lastIndexOf(0x7b);
  while (at >= 0) {
    if (at === 0 ? atStart : bytes[at - 1] === 0x0a) return at;
    at = at === 0 ? -1 : bytes.lastIndexOf(0x7b, at - 1);
  }
  return undefined;
}

/** Bytes of a tail record checked for completeness (a longer one waits for the scanner). */
const MAX_TAIL_RECORD = 1 << 20;

/** True when `tail` (from a record start to the end of the file) is one whole record. */
function isCompleteRecord(tail: Buffer, format: LogFormat): boolean {
  if (tail.length === 0 || tail.length > MAX_TAIL_RECORD) return false;
  const text = tail.toString("utf8").trimEnd();
  // From the last record start on, one record: whole once its end tag is there.
  if (format === "xml") return text.includes("</Event>");
  if (!text.endsWith("}")) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether an EVTX hit was not raised by an earlier look: after the last EventRecordID that
 * raised one, or written after the last hit (a log cleared in place, `wevtutil cl`, numbers its
 * records from 1 again in a file of the same size).
 */
function isNewEvtxHit(s: FileState, hit: Hit): boolean {
  const later = hit.time !== "" && s.lastHitTime !== undefined && hit.time > s.lastHitTime;
  return (hit.recordId ?? 0) > (s.lastRecordId ?? 0) || later;
}

/** Moves the state past the hits just found (whole-file reads: EVTX and gzip). */
function noteHits(s: FileState, hits: readonly Hit[]): void {
  for (const hit of hits) {
    s.hitEnd = Math.max(s.hitEnd, hit.offset + hit.length);
    if (hit.recordId === undefined) continue;
    s.lastRecordId = Math.max(s.lastRecordId ?? 0, hit.recordId);
    if (hit.time !== "" && (s.lastHitTime === undefined || hit.time > s.lastHitTime)) s.lastHitTime = hit.time;
  }
}

function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * The first `length` content bytes of a file (inflated when it is gzip, so a compressed rotated
 * copy has the head of the file it was made from).
 */
export async function contentHead(path: string, length: number): Promise<Buffer> {
  const raw = await readRange(path, 0, Math.max(length, 2));
  if (!isGzip(raw)) return raw.subarray(0, length);
  const more = await readRange(path, 0, 64 * 1024);
  try {
    return gunzipSync(more, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, length);
  } catch {
    return Buffer.alloc(0);
  }
}

/** The identity hash of a file's head (over `length` content bytes). */
export async function headHashOf(path: string, length: number): Promise<string> {
  return sha256(await contentHead(path, length));
}

/** What one look at a file found. */
export interface Advance {
  /** New hits, offsets in file (or inflated) coordinates. */
  hits: Hit[];
  /** Damage reported by the scanner since the last look, one line each. */
  problems: string[];
  /** Bytes the file grew by since the last look. */
  bytes: number;
  /**
   * Bytes scanned in this look where that is not what the file grew by: an EVTX file's changed
   * chunks (it is rewritten in place), or a whole gzip file.
   */
  scanned?: number;
  /** Set once when the file turns out to be no log format we read (skipped, as a scan skips it in a folder). */
  skipped?: string;
}

/**
 * A followed file. `advance(size)` reads what is new; `commit()` makes the new position part of
 * {@link state} (call it once the hits' alerts are persisted, so a crash in between re-reads them).
 *
 * @example
 * ```ts
 * const file = new FollowedFile("/var/log/sysmon/sysmon.jsonl", FollowedFile.fresh(st));
 * const { hits } = await file.advance(st.size);
 * for (const hit of hits) await raise(hit);
 * file.commit();
 * ```
 */
export class FollowedFile {
  path: string;
  state: FileState;
  /** The head bytes hashed in `state.headHash`, when read in this process (for spotting a copy still being written). */
  head: Buffer | undefined;
  #pending: FileState | undefined;
  /** A text file whose format is none we read: not read again. */
  #unknown = false;
  readonly #problemsSeen = new Set<string>();
  #kind: "text" | "evtx" | "gzip" | undefined;
  /** EVTX: the chunk headers as of the last committed look, and as of the look not committed yet. */
  #evtxPrints: EvtxChunkPrints | undefined;
  #pendingEvtxPrints: EvtxChunkPrints | undefined;

  constructor(path: string, state: FileState) {
    this.path = path;
    this.state = state;
  }

  /** A state for a file seen for the first time (read from its start). */
  static fresh(dev: number, ino: number): FileState {
    return {
      dev,
      ino,
      size: 0,
      offset: 0,
      partialHash: sha256(new Uint8Array(0)),
      headHash: "",
      headLength: 0,
      hitEnd: 0,
    };
  }

  /** True when the file at this path still has the bytes the state says were read. */
  async stillMatches(size: number): Promise<boolean> {
    if (size < this.state.size) return false;
    if (this.state.headLength > 0 && (await headHashOf(this.path, this.state.headLength)) !== this.state.headHash)
      return false;
    if (this.#kind === undefined && this.state.format !== "evtx" && this.state.size > this.state.offset) {
      const partial = await readRange(this.path, this.state.offset, this.state.size);
      if (sha256(partial) !== this.state.partialHash) return false;
    }
    return true;
  }

  /** Reads the bytes up to `size` that were not read yet. */
  async advance(size: number): Promise<Advance> {
    const s = this.#pending ?? { ...this.state };
    if (this.#kind === undefined) {
      const head = await readRange(this.path, 0, 8);
      const evtx = s.format === "evtx" || /^Elf(File|Chnk)/.test(head.toString("latin1"));
      this.#kind = evtx ? "evtx" : isGzip(head) ? "gzip" : head.length < 2 ? undefined : "text";
      if (this.#kind === undefined) {
        this.#pending = s;
        return { hits: [], problems: [], bytes: 0 };
      }
    }
    // An EVTX header changes as the file grows (chunk count, checksum): dev and inode only.
    if (this.#kind !== "evtx" && s.headLength < HEAD_BYTES && size > s.headLength) {
      s.headLength = Math.min(size, HEAD_BYTES);
      const head = await contentHead(this.path, s.headLength);
      s.headHash = sha256(head);
      this.head = head;
    }
    const result = this.#kind === "text" ? await this.#advanceText(s, size) : await this.#advanceWhole(s, size);
    this.#pending = s;
    return result;
  }

  /** Makes the position reached by {@link advance} the committed state. */
  commit(): void {
    if (this.#pending !== undefined) this.state = { ...this.#pending };
    if (this.#pendingEvtxPrints !== undefined) this.#evtxPrints = this.#pendingEvtxPrints;
  }

  async #advanceText(s: FileState, size: number): Promise<Advance> {
    const none: Advance = { hits: [], problems: [], bytes: 0 };
    if (size <= s.size || this.#unknown) return none;
    if (s.format === undefined) {
      const head = await readRange(this.path, 0, Math.min(size, SNIFF_READ));
      const format = sniffLogFormat(head, false);
      if (format === "more") return none;
      if (format === "unknown" || format === "evtx") {
        this.#unknown = true;
        s.size = size;
        return { ...none, skipped: "not a log format we read; not followed" };
      }
      s.format = format;
    }
    const format = s.format;
    // Up to the last record start, or the end when the last record is whole: the rest (a
    // record still being written) is read again next time.
    const cut = await this.#completeEnd(s.offset, size, format);
    const hits: Hit[] = [];
    let problems: string[] = [];
    if (cut > s.offset) {
      const scanner = createScanner({ format });
      const take = (found: Hit[]) => {
        for (const hit of found) {
          const offset = s.offset + hit.offset;
          if (offset + hit.length <= s.hitEnd) continue;
          hits.push({ ...hit, offset });
        }
      };
      for (let at = s.offset; at < cut; at += READ_BYTES) {
        take(scanner.push(await readRange(this.path, at, Math.min(cut, at + READ_BYTES))));
      }
      take(scanner.end());
      problems = this.#newProblems(scanner);
      for (const hit of hits) s.hitEnd = Math.max(s.hitEnd, hit.offset + hit.length);
    }
    const bytes = size - s.size;
    s.offset = cut;
    s.size = size;
    s.partialHash = sha256(size > cut ? await readRange(this.path, cut, size) : new Uint8Array(0));
    return { hits, problems, bytes };
  }

  /**
   * The end of the whole records in [from, size): the start of the last record when it is not
   * finished yet, else `size`. Looks back from the end a window at a time.
   */
  async #completeEnd(from: number, size: number, format: LogFormat): Promise<number> {
    let windowEnd = size;
    while (windowEnd > from) {
      const windowStart = Math.max(from, windowEnd - READ_BYTES);
      // One byte before the window: a JSON record starts after a line feed.
      const lead = windowStart > from ? 1 : 0;
      const bytes = await readRange(this.path, windowStart - lead, windowEnd);
      const start = lastRecordStart(bytes, format, lead === 0);
      if (start !== undefined) {
        const at = windowStart - lead + start;
        if (windowEnd === size) {
          const tail = await readRange(this.path, at, size);
          return isCompleteRecord(tail, format) ? size : at;
        }
        // The last record runs past this window: it is not finished unless it is whole.
        const tail = size - at <= MAX_TAIL_RECORD ? await readRange(this.path, at, size) : undefined;
        return tail !== undefined && isCompleteRecord(tail, format) ? size : at;
      }
      windowEnd = windowStart;
    }
    return from;
  }

  /**
   * EVTX and gzip: read the file again (an EVTX file only in the chunks that changed); only hits
   * after the last one seen count.
   */
  async #advanceWhole(s: FileState, size: number): Promise<Advance> {
    // EVTX: Windows rewrites the last chunk in place (same size); the caller looks only after a change.
    if (size === s.size && this.#kind === "gzip") return { hits: [], problems: [], bytes: 0 };
    if (this.#kind === "evtx") {
      // Not EVTX (any more): read whole, so the scanner says what it is.
      const prints = readEvtxChunkPrints(this.path, size);
      if (prints !== undefined) return this.#advanceEvtxChunks(s, size, prints);
    }
    const scanner = createScanner(this.#kind === "evtx" ? { format: "evtx" } : {});
    const hits: Hit[] = [];
    const take = (found: Hit[]) => {
      for (const hit of found) {
        if (hit.recordId !== undefined && s.format === "evtx") {
          if (!isNewEvtxHit(s, hit)) continue;
        } else if (hit.offset + hit.length <= s.hitEnd) continue;
        hits.push(hit);
      }
    };
    for (let at = 0; at < size; at += READ_BYTES) {
      const piece = await readRange(this.path, at, Math.min(size, at + READ_BYTES));
      if (piece.length === 0) break;
      take(scanner.push(piece));
      if (scanner.format === "evtx") s.format = "evtx";
    }
    take(scanner.end());
    noteHits(s, hits);
    const bytes = size - s.size;
    s.size = size;
    s.offset = size;
    s.partialHash = sha256(new Uint8Array(0));
    return { hits, problems: this.#newProblems(scanner), bytes };
  }

  /** EVTX: scans the chunks that changed since the last look (evtx-chunks.ts). */
  async #advanceEvtxChunks(s: FileState, size: number, prints: EvtxChunkPrints): Promise<Advance> {
    // The wasm engine's EVTX search, as `scan` runs it on a shard: the chunks that start in a range.
    const options = { prefilters: evtxPrefiltersOf(loadMatcherModule()) };
    const hits: Hit[] = [];
    const problems: string[] = [];
    let scanned = 0;
    for (const [first, end] of chunkRunsToRead(prints, this.#evtxPrints)) {
      const start = chunkOffset(first, prints.chunksStart);
      const stop = Math.min(size, chunkOffset(end, prints.chunksStart));
      const onMatch = (event: MatchedEvent, at?: MatchLocation) => {
        const hit = hitOf(event, at ?? { offset: start, length: 0 });
        if (hit.recordId === undefined || isNewEvtxHit(s, hit)) hits.push(hit);
      };
      problems.push(...(await scanEvtxFileRange(this.path, start, stop, onMatch, options)).problems);
      scanned += stop - start;
    }
    // In a log that wrapped around, file order is not time order: EventRecordIDs are.
    hits.sort((a, b) => (a.recordId ?? Number.MAX_SAFE_INTEGER) - (b.recordId ?? Number.MAX_SAFE_INTEGER));
    noteHits(s, hits);
    const bytes = size - s.size;
    s.format = "evtx";
    s.size = size;
    s.offset = size;
    s.partialHash = sha256(new Uint8Array(0));
    this.#pendingEvtxPrints = prints;
    return { hits, problems: this.#unseen(problems), bytes, scanned };
  }

  #newProblems(scanner: Scanner): string[] {
    return this.#unseen(scanner.stats().problems);
  }

  /** The problems not reported by an earlier look. */
  #unseen(problems: string[]): string[] {
    const fresh = problems.filter((p) => !this.#problemsSeen.has(p));
    for (const p of fresh) this.#problemsSeen.add(p);
    return fresh;
  }
}
