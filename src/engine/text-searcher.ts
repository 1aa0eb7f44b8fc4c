/**
 * The searcher for text formats: feeds blocks of one input through a matcher's input region
 * and handles the boundaries, so that every record is confirmed exactly once whatever the block
 * and chunk sizes are (ripgrep's searcher, over the matcher in assembly/).
 *
 * Callers write bytes straight into the region (`matcher.input` at {@link writeOffset}, e.g.
 * with fs.readSync) and {@link commit} them. When the region is full, the bytes up to the last
 * safe cut are scanned and the rest (the record that is not finished yet) is carried to the
 * front. Safe cuts are the sync points of assembly/json-scan.ts and assembly/xml-scan.ts:
 * `{` after a line feed (not after `\\` + line feed) for JSON, a record's `<Event` for XML; a record never spans one.
 *
 * Longer records: JSON without sync points (objects indented in a top-level array) is walked
 * byte by byte with the splitter's state kept across blocks, carrying only the open record. A
 * single record longer than the region is copied out piece by piece and, once it ends, judged
 * by the reference parser (the slow path): never dropped silently. A record longer than
 * MAX_RECORD_BYTES is followed to its end without being kept and reported (one problem line per
 * input), as the reference engine does, so memory stays bounded whatever the input.
 */

import type { TextFormat } from "../formats/log-format.js";
import { holdsMatchCandidate } from "../formats/match-candidate.js";
import { recordFields } from "../formats/record-fields.js";
import { MAX_RECORD_BYTES, oversizedRecordsProblem } from "../formats/record-limit.js";
import { concatBytes } from "../platform/bytes.js";
import { matchEvent } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";
import { HitReader } from "../wasm/hit-fields.js";
import type { Matcher } from "../wasm/matcher.js";
import { type MatchHandler, noteMalformedOffset, type ScanStats, settleMalformedOffsets } from "./engine.js";
import type { MatchLocation } from "./match-location.js";

/** Bytes of an XML record's start kept when it is copied out: a `<Event` open may straddle. */
const XML_OVERLAP = 7;

/** Bytes of an open JSON record carried from one region to the next for its candidate check (a `\\u00XX` is 6). */
const CANDIDATE_TAIL = 8;

/**
 * Where a hit's record is: its bytes, a view into the input region, are made only when a
 * handler asks for them (most only count or aggregate), so a dense input does not pay for a
 * view per hit. The view is the same whenever it is made during the call.
 */
class RegionRecord implements MatchLocation {
  readonly offset: number;
  readonly length: number;
  readonly #input: Uint8Array;
  readonly #start: number;

  constructor(input: Uint8Array, start: number, offset: number, length: number) {
    this.#input = input;
    this.#start = start;
    this.offset = offset;
    this.length = length;
  }

  /** The record's bytes (valid only during the call, as MatchLocation says). */
  get bytes(): Uint8Array {
    return this.#input.subarray(this.#start, this.#start + this.length);
  }
}

/** One input's search through one matcher. Not reentrant: one searcher per matcher at a time. */
export class TextSearcher {
  readonly #m: Matcher;
  readonly #format: TextFormat;
  readonly #onMatch: MatchHandler;
  readonly #stats: ScanStats;
  readonly #hits: HitReader;
  /** Bytes in the input region (carry + new). */
  #filled = 0;
  /** The first block still has to skip a byte order mark. */
  #atStreamStart: boolean;
  #mode: "segment" | "walk" | "xml-oversize" = "segment";
  /** Walk mode: first byte of the region not walked yet. */
  #walkFrom = 0;
  /** A record longer than the region, copied out so far. */
  #pieces: Uint8Array[] = [];
  /** A record longer than the region is being followed (copied out, or too long to keep). */
  #copying = false;
  /** Bytes in #pieces. */
  #piecesBytes = 0;
  /** The record being followed passed MAX_RECORD_BYTES: its bytes are no longer kept. */
  #oversized = false;
  /** Input offset of the record being followed. */
  #copyStart = 0;
  /** Input offset of junk (walk mode) that began in an earlier region. */
  #junkStart = 0;
  /** Walk mode: the bytes of the open record or junk moved out of wasm memory held a candidate. */
  #earlierCandidate = false;
  /** Its last bytes (a candidate may go on in the next region), or undefined. */
  #earlierTail: Buffer | undefined;
  /** Records skipped as too long, and where the first began. */
  #oversizedCount = 0;
  #oversizedFirst = 0;
  /** Too-long records the matcher's walker counted as malformed (the reference counts them as oversized only). */
  #malformedCorrection = 0;
  /** Input offset of this searcher's first byte, and bytes committed so far. */
  readonly #origin: number;
  #committed = 0;
  #finished = false;
  /** Longest record held for the slow path (MAX_RECORD_BYTES unless the caller sets less or more). */
  readonly #maxRecordBytes: number;

  /**
   * `atStreamStart`: the first byte written is the input's first (a UTF-8 byte order mark is
   * skipped, as the reference does); false for a shard that starts at a sync point. `origin`:
   * the input offset of the first byte written (for messages and match locations).
   * `maxRecordBytes`: records longer than this are followed without being held, and reported.
   */
  constructor(
    matcher: Matcher,
    format: TextFormat,
    onMatch: MatchHandler,
    stats: ScanStats,
    atStreamStart = true,
    origin = 0,
    maxRecordBytes = MAX_RECORD_BYTES,
  ) {
    this.#origin = origin;
    this.#maxRecordBytes = maxRecordBytes;
    this.#m = matcher;
    this.#format = format;
    this.#onMatch = onMatch;
    this.#stats = stats;
    this.#hits = new HitReader(matcher, format);
    this.#atStreamStart = atStreamStart;
    matcher.resetStats();
    matcher.resetJsonWalker();
    matcher.takeHits();
  }

  /** Offset in `matcher.input` where the next bytes go. */
  get writeOffset(): number {
    return this.#filled;
  }

  /** Bytes that fit at {@link writeOffset} (never 0 before {@link finish}). */
  get writeSpace(): number {
    return this.#m.capacity - this.#filled;
  }

  /** Takes `n` bytes written at {@link writeOffset}; scans when the region is full. */
  commit(n: number): void {
    if (n <= 0) return;
    this.#filled += n;
    this.#committed += n;
    this.#stats.bytes += n;
    if (this.#filled >= this.#m.capacity) this.#process(false);
  }

  /** Copies `chunk` in (for streams), scanning as the region fills. */
  push(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.length) {
      const n = Math.min(this.writeSpace, chunk.length - from);
      this.#m.input.set(chunk.subarray(from, from + n), this.#filled);
      from += n;
      this.commit(n);
    }
  }

  /**
   * Scans the complete records written so far, up to the last point where a record may begin,
   * without waiting for the region to fill: for a live stream whose hits should not wait for
   * 4 MiB. The rest stays for more bytes. In the plain state only; while a record longer than
   * the region or damaged JSON is being followed, the bytes wait for the region or finish()
   * (whose hits would be the same either way).
   */
  flush(): void {
    if (this.#finished || this.#filled === 0 || this.#mode !== "segment") return;
    const m = this.#m;
    if (this.#format === "xml") {
      const end = m.xmlSafeEnd(0, this.#filled);
      if (end === 0) return;
      m.xmlScanBegin(0, end);
      while (!m.xmlScanResume()) this.#drainHits();
      this.#drainHits();
      this.#carry(end);
      return;
    }
    // A byte order mark is told from its first three bytes, as #processJson does.
    if (this.#atStreamStart && this.#filled < 3) return;
    const start = this.#skipBom();
    let end = Math.max(m.lastJsonSync(this.#filled - 1, start), start);
    // A JSON line is complete at its line feed, not only once the next record begins: the last
    // record of a quiet feed would otherwise wait for the next one.
    if (m.jsonTailIsCompleteRecord(end, this.#filled)) end = this.#filled;
    if (end > start) {
      m.jsonScanBegin(start, end);
      while (!m.jsonScanResume()) this.#drainHits();
      this.#drainHits();
    }
    this.#carry(end);
  }

  /** Ends the input: scans what is left and folds the matcher's counters into the stats. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#process(true);
    const { examined, malformed } = this.#m.stats();
    this.#stats.recordsExamined += examined;
    this.#stats.malformedRecords += malformed - this.#malformedCorrection;
    settleMalformedOffsets(this.#stats);
    if (this.#oversizedCount > 0) {
      this.#stats.problems.push(
        oversizedRecordsProblem(this.#oversizedCount, this.#oversizedFirst, this.#maxRecordBytes),
      );
    }
  }

  /** Copies out input[0, end) of a record longer than the region (it starts at input[0] when new). */
  #keepPiece(end: number): void {
    if (!this.#copying) {
      this.#copying = true;
      this.#copyStart = this.#origin + this.#committed - this.#filled;
    }
    if (this.#oversized) return;
    this.#piecesBytes += end;
    if (this.#piecesBytes > this.#maxRecordBytes) {
      this.#oversized = true;
      this.#pieces = [];
      return;
    }
    this.#pieces.push(this.#m.input.slice(0, end));
  }

  /**
   * Ends the record being followed without judging it (cut short, or unfinished at the end).
   * Returns true when it was too long: then it counts as oversized, not malformed.
   */
  #dropCopy(): boolean {
    const oversized = this.#oversized;
    if (oversized) this.#noteOversized();
    this.#resetCopy();
    return oversized;
  }

  #resetCopy(): void {
    this.#pieces = [];
    this.#piecesBytes = 0;
    this.#copying = false;
    this.#oversized = false;
  }

  #noteOversized(): void {
    if (this.#oversizedCount === 0) this.#oversizedFirst = this.#copyStart;
    this.#oversizedCount++;
  }

  #process(final: boolean): void {
    if (this.#format === "xml") this.#processXml(final);
    else this.#processJson(final);
  }

  /** Moves input[at, filled) to the front. */
  #carry(at: number): void {
    if (at > 0) this.#m.input.copyWithin(0, at, this.#filled);
    this.#filled -= at;
  }

  #skipBom(): number {
    if (!this.#atStreamStart) return 0;
    this.#atStreamStart = false;
    const b = this.#m.input;
    return this.#filled >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  }

  #processJson(final: boolean): void {
    const m = this.#m;
    if (this.#mode === "segment") {
      const start = this.#skipBom();
      const end = final ? this.#filled : m.lastJsonSync(this.#filled - 1, start);
      if (final || end > start) {
        m.jsonScanBegin(start, end);
        while (!m.jsonScanResume()) this.#drainHits();
        this.#drainHits();
        if (final) this.#filled = 0;
        else this.#carry(end);
        return;
      }
      // No sync point after the start: walk this block with the splitter's state.
      this.#mode = "walk";
      m.resetJsonWalker();
      this.#walkFrom = start;
    }
    if (this.#walkFrom === 0) this.#joinEarlierTail(final);
    m.jsonWalkBegin(this.#walkFrom);
    while (!m.jsonWalkResume(this.#filled)) {
      this.#drainHits();
      const end = m.jsonOversizeRecordEnd();
      if (end >= 0) this.#slowRecord(m.input.subarray(0, end));
    }
    this.#drainHits();
    // A record being copied out that the walker no longer has open was cut short (a line feed
    // in a string, a `{` at column 0): the walker counted it as malformed; drop its bytes.
    if (this.#copying && m.jsonWalkerOpenRecord() !== -2) this.#dropCopy();
    if (final) {
      m.jsonWalkFinish(this.#filled); // counts an unfinished record with a candidate, copied out or not
      this.#takeMalformedLog();
      if (this.#copying) this.#dropCopy();
      this.#filled = 0;
      return;
    }
    const open = m.jsonWalkerOpenRecord();
    if (open > 0 || (open === 0 && this.#filled < m.capacity)) {
      this.#carry(open);
      m.rebaseJsonWalker(0);
      this.#walkFrom = this.#filled;
      return;
    }
    if (open === 0 || open === -2) {
      // A record longer than the region: keep its bytes outside wasm memory.
      this.#keepPiece(this.#filled);
      this.#noteEarlierCandidate(open === 0 ? 0 : -1);
      m.rebaseJsonWalker(-1);
    } else if (m.jsonWalkerIsClean()) {
      this.#mode = "segment";
    } else {
      // Junk runs on past the region: remember where it began (the walker forgets).
      const junk = m.jsonWalkerJunkStart();
      if (junk >= 0) this.#junkStart = this.#regionOffset() + junk;
      this.#noteEarlierCandidate(junk);
      m.rebaseJsonWalker(-1);
    }
    this.#filled = 0;
    this.#walkFrom = 0;
  }

  /**
   * Before the open record or junk leaves wasm memory: whether its bytes so far, from `start`
   * in the region (-1: it began in an earlier one), held a candidate (see match-candidate.ts).
   */
  #noteEarlierCandidate(start: number): void {
    const bytes = this.#m.input.subarray(Math.max(start, 0), this.#filled);
    const here = holdsMatchCandidate(bytes, true, { partial: true });
    this.#earlierCandidate = here || (start < 0 && this.#earlierCandidate);
    const tail = start < 0 && this.#earlierTail !== undefined ? Buffer.concat([this.#earlierTail, bytes]) : bytes;
    this.#earlierTail = Buffer.from(tail.subarray(Math.max(0, tail.length - CANDIDATE_TAIL)));
    this.#m.setJsonEarlierCandidate(this.#earlierCandidate);
  }

  /**
   * Before walking a new region while a record (or junk) from earlier ones is open: a candidate
   * that began in its carried tail and ends in this region.
   */
  #joinEarlierTail(final: boolean): void {
    const tail = this.#earlierTail;
    if (tail === undefined) return;
    this.#earlierTail = undefined;
    const more = Math.min(this.#filled, CANDIDATE_TAIL);
    const joined = Buffer.concat([tail, this.#m.input.subarray(0, more)]);
    const partial = !(final && more === this.#filled);
    if (holdsMatchCandidate(joined, true, { startingBefore: tail.length, partial })) {
      this.#earlierCandidate = true;
      this.#m.setJsonEarlierCandidate(true);
    }
  }

  #processXml(final: boolean): void {
    const m = this.#m;
    if (this.#mode === "xml-oversize") {
      if (!this.#continueXmlOversize(final)) return;
      if (!final && this.#filled < m.capacity) return; // the rest waits for more bytes
    }
    const end = final ? this.#filled : m.xmlSafeEnd(0, this.#filled);
    if (!final && end === 0) {
      // One record longer than the region: copy it out until it ends.
      this.#mode = "xml-oversize";
      this.#keepPiece(this.#filled - XML_OVERLAP);
      this.#carry(this.#filled - XML_OVERLAP);
      return;
    }
    m.xmlScanBegin(0, end);
    while (!m.xmlScanResume()) this.#drainHits();
    this.#drainHits();
    if (final) this.#filled = 0;
    else this.#carry(end);
  }

  /**
   * Looks for the end of the XML record being copied out; true when it ended (the rest of the
   * region is then scanned normally), false when it goes on past this block.
   */
  #continueXmlOversize(final: boolean): boolean {
    const m = this.#m;
    const input = m.input;
    const close = m.nextXmlClose(0, this.#filled);
    const reopen = m.nextXmlOpen(0, this.#filled);
    if (reopen >= 0 && (close < 0 || reopen < close)) {
      // Cut short by the next record, as the reference sees it.
      const start = this.#copyStart;
      const bytes = Buffer.concat([...this.#pieces, input.subarray(0, reopen)]);
      if (!this.#dropCopy()) this.#malformed(start, bytes);
      this.#mode = "segment";
      this.#carry(reopen);
      return true;
    }
    if (close >= 0) {
      this.#slowRecord(input.subarray(0, close + 8));
      this.#mode = "segment";
      this.#carry(close + 8);
      return true;
    }
    if (final) {
      const start = this.#copyStart;
      const bytes = Buffer.concat([...this.#pieces, input.subarray(0, this.#filled)]);
      if (!this.#dropCopy()) this.#malformed(start, bytes);
      this.#filled = 0;
      return false;
    }
    this.#keepPiece(this.#filled - XML_OVERLAP);
    this.#carry(this.#filled - XML_OVERLAP);
    return false;
  }

  /** The slow path: a record longer than the region, judged by the reference parser. */
  #slowRecord(tail: Uint8Array): void {
    if (this.#oversized || this.#piecesBytes + tail.length > this.#maxRecordBytes) {
      this.#oversized = true;
      this.#dropCopy();
      return;
    }
    const bytes = concatBytes([...this.#pieces, tail]);
    const offset = this.#copyStart;
    this.#resetCopy();
    this.#stats.recordsExamined++;
    const fields = recordFields(this.#format, bytes);
    if (fields === undefined) {
      this.#malformed(offset, bytes);
      return;
    }
    this.#report(fields, () => ({ offset, length: bytes.length, bytes }));
  }

  #drainHits(): void {
    this.#takeMalformedLog();
    const n = this.#m.hitCount();
    const base = this.#regionOffset();
    for (let i = 0; i < n; i++) {
      if (this.#hits.isDecided(i)) {
        this.#stats.matches++;
        this.#onMatch(this.#hits.decidedEvent(i), this.#locate(i));
        continue;
      }
      const fields = this.#hits.fields(i);
      if (fields === undefined) {
        const [start, end] = this.#hits.recordSpan(i);
        this.#malformed(base + start, this.#m.input.subarray(start, end));
      } else this.#report(fields, () => this.#locate(i));
    }
    this.#m.settleInterns();
    this.#m.takeHits();
  }

  /** Input offset of the region's first byte. */
  #regionOffset(): number {
    return this.#origin + this.#committed - this.#filled;
  }

  /** A damaged record the TypeScript side found: it counts when it holds a candidate (the matcher counts its own). */
  #malformed(offset: number, bytes: Uint8Array): void {
    if (!holdsMatchCandidate(bytes, this.#format !== "xml")) return;
    this.#stats.malformedRecords++;
    noteMalformedOffset(this.#stats, offset);
  }

  /**
   * Where the malformed records the matcher counted since the last call began. A record that
   * began before the region is the one being copied out (when it was too long it counts as
   * oversized instead, see #malformedCorrection, so it is not listed), or junk that began in an
   * earlier region.
   */
  #takeMalformedLog(): void {
    const base = this.#regionOffset();
    for (const offset of this.#m.takeMalformedLog(-1)) {
      if (offset >= 0) noteMalformedOffset(this.#stats, base + offset);
      else if (!this.#copying) noteMalformedOffset(this.#stats, this.#junkStart);
      else if (!this.#oversized) noteMalformedOffset(this.#stats, this.#copyStart);
      else this.#malformedCorrection++; // too long: the reference counts it as oversized only
    }
  }

  /** Where hit `i`'s record is in the input (the region's first byte is input offset origin + committed - filled). */
  #locate(i: number): MatchLocation {
    const [start, end] = this.#hits.recordSpan(i);
    return new RegionRecord(this.#m.input, start, this.#regionOffset() + start, end - start);
  }

  /** Applies the rule; `locate` runs only for a match (rare), so the common path pays nothing. */
  #report(fields: Parameters<typeof matchEvent>[0], locate: () => MatchLocation): void {
    const match = matchEvent(fields, normalizeTime);
    if (match !== null) {
      this.#stats.matches++;
      this.#onMatch(match, locate());
    }
  }
}
