/**
 * Searching one chunk slot, two ways. Both check the chunk the same way (formats/evtx/chunk.ts)
 * and report the same problems; they differ in which records they decode:
 * - whole (no prefilter, the reference engine): every live record, into a full tree (event-tree.ts);
 * - candidates (the wasm engine's prefilter): only records that hold a prefilter candidate
 *   (`.dmp` in UTF-16LE or 8 bits, any case, at any byte offset), with the streaming field
 *   collector (event-fields.ts), and only in chunks that also hold `taskmgr` (a match's Image ends in taskmgr.exe, and every byte of
 *   a record's text, its template's included, lies in its chunk). A candidate inside a
 *   template definition (which later records share) or inside the chunk header makes every
 *   live record of the chunk a candidate, so no match is lost.
 * With carving on, records in slack and in slots that are not live are decoded too and
 * reported with `carved: true` (with candidates, only chunks that hold one are carved).
 *
 * A live record that does not decode (malformed, or no `Event` root) is counted the same way
 * both ways: when the candidates search would have decoded it, i.e. when it could have held a
 * match (the meaning of "malformed" every format shares, README "Malformed records"). The
 * whole search finds such records among all it decodes and then asks the candidates' question
 * of their chunk in JavaScript (formats/evtx/word-offsets.ts); a damaged record that could not
 * have held a match is skipped without being counted, as the fast path never sees it.
 */

import { BinXmlReader } from "../formats/evtx/binxml.js";
import { carveRecords } from "../formats/evtx/carve.js";
import { type ChunkScan, scanChunk } from "../formats/evtx/chunk.js";
import { decodeRecordFields } from "../formats/evtx/event-fields.js";
import { decodeRecordTree, eventFieldsOfTree } from "../formats/evtx/event-tree.js";
import { CHUNK_HEADER_SIZE, u64 } from "../formats/evtx/layout.js";
import { BinXmlError } from "../formats/evtx/values.js";
import { DMP_WORD, holdsWord, TASKMGR_WORD, wordOffsets } from "../formats/evtx/word-offsets.js";
import { type EventFields, type MatchedEvent, matchEvent } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";
import { type MatchHandler, noteMalformedOffset, type ScanStats } from "./engine.js";

/** Where a chunk is and where its results go. */
export interface ChunkTarget {
  /** Chunk index in the input (0 = first chunk after the file header). */
  index: number;
  /** Byte offset of the chunk in the input. */
  fileOffset: number;
  carve: boolean;
  stats: ScanStats;
  onMatch: MatchHandler;
  /** The slot lies past the file header's chunk count (formats/evtx/chunk.ts scanChunk). */
  pastHeaderCount?: boolean | undefined;
}

/** Whether chunk `index` lies past a file header's chunk count (`headerChunks`; undefined: not known). */
export function isPastHeaderCount(index: number, headerChunks: number | undefined): boolean {
  return headerChunks !== undefined && index >= headerChunks;
}

type Decode = (reader: BinXmlReader, offset: number, size: number) => EventFields | undefined;

const decodeTree: Decode = (reader, offset, size) => eventFieldsOfTree(decodeRecordTree(reader, offset, size));

/** Decodes one record; `null` when it is malformed (BinXmlError), else its fields (or undefined without an Event root). */
function tryDecode(decode: Decode, reader: BinXmlReader, offset: number, size: number): EventFields | undefined | null {
  try {
    return decode(reader, offset, size);
  } catch (err) {
    if (err instanceof BinXmlError) return null;
    throw err;
  }
}

function checkedChunk(chunk: Uint8Array, target: ChunkTarget, records = true): ChunkScan {
  const scan = scanChunk(chunk, records, target.pastHeaderCount === true);
  if (scan.problem !== undefined) {
    target.stats.problems.push(`chunk ${target.index} at offset ${target.fileOffset}: ${scan.problem}`);
  }
  return scan;
}

/** Counts the live record at chunk offset `offset` as malformed. */
function countMalformed(target: ChunkTarget, offset: number): void {
  target.stats.malformedRecords++;
  noteMalformedOffset(target.stats, target.fileOffset + offset);
}

/** Applies the rule to one live record's decode result (the record at chunk offset `offset`), counting it. */
function liveResult(fields: EventFields | undefined | null, target: ChunkTarget, offset: number): MatchedEvent | null {
  target.stats.recordsExamined++;
  if (fields === null || fields === undefined) {
    countMalformed(target, offset);
    return null;
  }
  return matchEvent(fields, normalizeTime);
}

/**
 * Of the live records that did not decode in a whole search (indices `damaged`, ascending),
 * counts those the candidates search would have decoded: the chunk holds a `.dmp` candidate
 * and `taskmgr`, and the record holds a candidate, or a candidate lies in the chunk header or
 * in a template definition (`spans`, chunk-relative [start, end) pairs met while decoding),
 * which makes every record of the chunk one (see searchChunkCandidates).
 */
function countDamagedCandidates(
  chunk: Uint8Array,
  scan: ChunkScan,
  damaged: readonly number[],
  spans: readonly number[],
  target: ChunkTarget,
): void {
  const hits = wordOffsets(chunk, DMP_WORD);
  if (hits.length === 0 || !holdsWord(chunk, TASKMGR_WORD)) return;
  const inSpan = (hit: number): boolean => {
    for (let s = 0; s < spans.length; s += 2)
      if (hit >= (spans[s] as number) && hit < (spans[s + 1] as number)) return true;
    return false;
  };
  const everyRecord = hits.some((hit) => hit < CHUNK_HEADER_SIZE || inSpan(hit));
  for (const index of damaged) {
    const start = scan.recordOffsets[index] as number;
    const end = start + (scan.recordSizes[index] as number);
    if (everyRecord || hits.some((hit) => hit >= start && hit < end)) countMalformed(target, start);
  }
}

/** Reports a match with where its record is (chunk-relative `offset`, `size` bytes). */
function emit(match: MatchedEvent | null, target: ChunkTarget, chunk: Uint8Array, offset: number, size: number): void {
  if (match === null) return;
  target.stats.matches++;
  const recordId = offset + 16 <= chunk.length ? Number(u64(chunk, offset + 8)) : undefined;
  target.onMatch(match, { offset: target.fileOffset + offset, length: size, recordId, chunk });
}

function carveChunk(
  chunk: Uint8Array,
  scan: ChunkScan,
  reader: BinXmlReader,
  decode: Decode,
  target: ChunkTarget,
): void {
  carveRecords(chunk, scan.liveEnd, chunk.length, (offset, size) => {
    const fields = tryDecode(decode, reader, offset, size);
    if (fields === null) return false;
    target.stats.recordsExamined++;
    const match = fields === undefined ? null : matchEvent(fields, normalizeTime);
    if (match !== null) emit({ ...match, carved: true }, target, chunk, offset, size);
    return true;
  });
}

/**
 * Whole: decode every live record (and, with carving, every carved one) in full. Records that
 * do not decode are counted as the candidates search would count them (see
 * countDamagedCandidates).
 */
export function searchChunkWhole(chunk: Uint8Array, target: ChunkTarget): void {
  const scan = checkedChunk(chunk, target);
  const reader = new BinXmlReader(chunk);
  const damaged: number[] = [];
  for (let i = 0; i < scan.recordOffsets.length; i++) {
    const offset = scan.recordOffsets[i] as number;
    const size = scan.recordSizes[i] as number;
    const fields = tryDecode(decodeTree, reader, offset, size);
    target.stats.recordsExamined++;
    if (fields === null || fields === undefined) damaged.push(i);
    else emit(matchEvent(fields, normalizeTime), target, chunk, offset, size);
  }
  if (damaged.length > 0) countDamagedCandidates(chunk, scan, damaged, reader.inlineTemplates, target);
  if (target.carve) carveChunk(chunk, scan, reader, decodeTree, target);
}

/** Index of the live record holding chunk-relative `at`, or -1. */
function recordAt(scan: ChunkScan, at: number): number {
  const offsets = scan.recordOffsets;
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = offsets[mid] as number;
    if (at < start) hi = mid - 1;
    else if (at >= start + (scan.recordSizes[mid] as number)) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Candidates: `hits[0..hitCount)` are the chunk-relative offsets of the prefilter's `.dmp`
 * candidates, ascending; `holdsTaskmgr` says whether the chunk holds `taskmgr` (asked only
 * when there are candidates). Decodes only what they can affect.
 */
export function searchChunkCandidates(
  chunk: Uint8Array,
  hits: ArrayLike<number>,
  hitCount: number,
  holdsTaskmgr: () => boolean,
  target: ChunkTarget,
): void {
  // Checked either way (damage is reported in every chunk); records listed only when decoded.
  const wanted = hitCount > 0 && holdsTaskmgr();
  const scan = checkedChunk(chunk, target, wanted);
  if (!wanted) return;
  const reader = new BinXmlReader(chunk);
  const results = new Map<number, MatchedEvent | null>();
  let everyRecord = false;
  let h = 0;
  while (h < hitCount) {
    const at = hits[h] as number;
    if (at < CHUNK_HEADER_SIZE) everyRecord = true;
    const index = recordAt(scan, at);
    if (index < 0) {
      h++;
      continue;
    }
    const offset = scan.recordOffsets[index] as number;
    const end = offset + (scan.recordSizes[index] as number);
    reader.inlineTemplates.length = 0;
    results.set(index, liveResult(tryDecode(decodeRecordFields, reader, offset, end - offset), target, offset));
    // Every candidate in this record: one inside a template definition spreads to its users.
    for (; h < hitCount && (hits[h] as number) < end; h++) {
      const hit = hits[h] as number;
      const spans = reader.inlineTemplates;
      for (let s = 0; s < spans.length; s += 2) {
        if (hit >= (spans[s] as number) && hit < (spans[s + 1] as number)) everyRecord = true;
      }
    }
  }
  if (everyRecord) {
    for (let i = 0; i < scan.recordOffsets.length; i++) {
      if (results.has(i)) continue;
      const fields = tryDecode(
        decodeRecordFields,
        reader,
        scan.recordOffsets[i] as number,
        scan.recordSizes[i] as number,
      );
      results.set(i, liveResult(fields, target, scan.recordOffsets[i] as number));
    }
  }
  for (const index of [...results.keys()].sort((a, b) => a - b)) {
    const offset = scan.recordOffsets[index] as number;
    emit(results.get(index) ?? null, target, chunk, offset, scan.recordSizes[index] as number);
  }
  if (target.carve) carveChunk(chunk, scan, reader, decodeRecordFields, target);
}
