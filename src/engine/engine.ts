/**
 * What an engine is: something that finds the rule's matches in the bytes of one input of a
 * known format. The reference engine (parses everything) and the wasm engine (prefilter, then
 * confirm candidates) implement the same interface and feed the same aggregation, so their
 * rows can be compared byte for byte.
 */

import type { LogFormat } from "../formats/log-format.js";
import type { MatchedEvent } from "../rule/rule.js";
import type { SourceLocation } from "../source/byte-source.js";
import type { MatchLocation } from "./match-location.js";

/**
 * Names accepted by `--engine`.
 *
 * @example
 * ```ts
 * const name: EngineName = process.env.LDS_SLOW === "1" ? "reference" : "wasm";
 * ```
 */
export type EngineName = "wasm" | "reference";

/**
 * Counters one scan reports.
 *
 * @example
 * ```ts
 * const { bytes, matches, problems }: ScanStats = scanBytes(data).stats;
 * ```
 */
export interface ScanStats {
  /** Bytes of log data looked at (after decompression). */
  bytes: number;
  /** Records the engine looked at in full (reference: every record; wasm: candidates). */
  recordsExamined: number;
  /** Events that matched the rule. */
  matches: number;
  /**
   * Damaged records skipped that could have held a match (their bytes hold a prefilter
   * candidate, see formats/match-candidate.ts); the same in both engines. A damaged record
   * without a candidate cannot hide a match and is not counted.
   */
  malformedRecords: number;
  /**
   * Input byte offsets where the first {@link MALFORMED_OFFSETS_KEPT} malformed records began,
   * ascending (for `--verbose`); malformedRecords has the full count.
   */
  malformedOffsets: number[];
  /**
   * Non-fatal damage found while scanning (a bad EVTX chunk, say): one line each, fit for
   * stderr, without the input's name (the caller prefixes it). The scan went on past it, but
   * the run's exit status must say something was missed.
   */
  problems: string[];
}

/** How many malformed-record offsets one ScanStats keeps. */
export const MALFORMED_OFFSETS_KEPT = 100;

/** Returns zeroed stats. */
export function emptyStats(): ScanStats {
  return { bytes: 0, recordsExamined: 0, matches: 0, malformedRecords: 0, malformedOffsets: [], problems: [] };
}

/**
 * Notes where a malformed record began (does not count it: callers add to malformedRecords).
 * Offsets may come slightly out of order; only the smallest are kept, so the list is always a
 * superset of the first MALFORMED_OFFSETS_KEPT (see {@link settleMalformedOffsets}).
 */
export function noteMalformedOffset(stats: ScanStats, offset: number): void {
  const offsets = stats.malformedOffsets;
  offsets.push(offset);
  if (offsets.length >= 2 * MALFORMED_OFFSETS_KEPT) settleMalformedOffsets(stats);
}

/** Sorts the malformed-record offsets and keeps the first MALFORMED_OFFSETS_KEPT. */
export function settleMalformedOffsets(stats: ScanStats): ScanStats {
  const offsets = stats.malformedOffsets;
  offsets.sort((a, b) => a - b);
  if (offsets.length > MALFORMED_OFFSETS_KEPT) offsets.length = MALFORMED_OFFSETS_KEPT;
  return stats;
}

/**
 * A copy of `stats` for a caller to keep (the embedding API's stats()): its arrays are its own,
 * so changing them changes nothing in the scan, and its offsets are settled (ascending, at most
 * MALFORMED_OFFSETS_KEPT) even mid-scan.
 */
export function statsSnapshot(stats: ScanStats): ScanStats {
  return settleMalformedOffsets({
    ...stats,
    malformedOffsets: [...stats.malformedOffsets],
    problems: [...stats.problems],
  });
}

/** Adds `b` into `a`. */
export function addStats(a: ScanStats, b: ScanStats): ScanStats {
  a.bytes += b.bytes;
  a.recordsExamined += b.recordsExamined;
  a.matches += b.matches;
  a.malformedRecords += b.malformedRecords;
  a.malformedOffsets.push(...b.malformedOffsets);
  settleMalformedOffsets(a);
  a.problems.push(...b.problems);
  return a;
}

/**
 * Called once for every matched event, in input order. `at` says where its record is, when the
 * engine knows (the wasm engine and the EVTX fast path always do).
 *
 * @example
 * ```ts
 * const onMatch: MatchHandler = (event, at) => console.log(event.dest, at?.offset, at?.length);
 * ```
 */
export type MatchHandler = (event: MatchedEvent, at?: MatchLocation) => void;

/**
 * An engine scans one input's bytes. Implementations must count every matching record exactly
 * once whatever the chunk boundaries of `chunks` are, and throw an {@link import("../errors.js").ScanError}
 * for input they cannot read (the caller reports it and goes on).
 *
 * @example
 * ```ts
 * const engine: Engine = await engineByName("wasm");
 * const stats = await engine.scanFile("sysmon.xml", "xml", (event) => console.log(event.dest));
 * ```
 */
export interface Engine {
  readonly name: EngineName;
  /** Scans a byte stream of one format (stdin, archive members, files). */
  scanStream(chunks: AsyncIterable<Uint8Array>, format: LogFormat, onMatch: MatchHandler): Promise<ScanStats>;
  /**
   * Scans a file on disk or a remote object (an http(s) URL, see src/source/byte-source.ts);
   * engines that can read straight into their own memory do so.
   */
  scanFile(path: SourceLocation, format: LogFormat, onMatch: MatchHandler): Promise<ScanStats>;
  /**
   * Scans bytes [start, end) of a file, counting exactly the records that START in that range
   * (reading before `start` and past `end` as needed to find record bounds), so that shards
   * cut anywhere add up to the whole file. Engines that cannot shard leave it out.
   */
  scanFileRange?(
    path: SourceLocation,
    format: LogFormat,
    start: number,
    end: number,
    onMatch: MatchHandler,
  ): Promise<ScanStats>;
  /** Whether {@link scanFileRange} may be used for files of this format. */
  canShard(format: LogFormat): boolean;
}
